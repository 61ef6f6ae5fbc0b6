package fedtest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/federation/fedtest"
	"github.com/liandong/liandong/internal/federation/mtls"
)

// entriesSize is the size of every response body the test server sends.
const entriesSize = 1000

// recorder is a server handler that notes the bodies of the requests it
// handled, in the order it handled them, and answers with entriesSize bytes.
type recorder struct {
	mu     sync.Mutex
	bodies []string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.bodies = append(rec.bodies, string(body))
	rec.mu.Unlock()
	w.Write([]byte(strings.Repeat("e", entriesSize)))
}

func (rec *recorder) handled() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.bodies)
}

// installation is one side of a federation in a test: its server, which
// records what it handled, and its client's mutual TLS configuration.
type installation struct {
	url      string
	recorder *recorder
	client   *http.Transport
}

// newPair starts Chengdu and Chongqing, each trusting the other's CA.
func newPair(t *testing.T) (chengdu, chongqing installation) {
	t.Helper()
	chengduCA := fedtest.NewCA(t, "Chengdu federation CA")
	chongqingCA := fedtest.NewCA(t, "Chongqing federation CA")
	start := func(ca, peerCA *fedtest.CA, name string) installation {
		cert := ca.Issue(t, name)
		serverCfg, err := mtls.ServerConfigFor(cert, peerCA.Pool())
		if err != nil {
			t.Fatal(err)
		}
		clientCfg, err := mtls.ClientConfigFor(cert, peerCA.Pool())
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		transport := &http.Transport{TLSClientConfig: clientCfg}
		t.Cleanup(transport.CloseIdleConnections)
		return installation{url: fedtest.Serve(t, rec, serverCfg), recorder: rec, client: transport}
	}
	return start(chengduCA, chongqingCA, "chengdu"), start(chongqingCA, chengduCA, "chongqing")
}

// outcome is what a client saw of one request.
type outcome struct {
	err     error // of the round trip
	read    int   // bytes of the body read
	readErr error // of reading the body to its end
}

// String describes the outcome without the server's address, which differs
// from one server to the next.
func (o outcome) String() string {
	err := fmt.Sprint(o.err)
	for _, fault := range []error{fedtest.ErrRequestDropped, fedtest.ErrResponseDropped, fedtest.ErrPartitioned} {
		if errors.Is(o.err, fault) {
			err = fault.Error()
		}
	}
	return fmt.Sprintf("err=%s read=%d readErr=%v", err, o.read, o.readErr)
}

// post sends body to url through the transport and reads the response.
func post(t *testing.T, transport http.RoundTripper, url, body string) outcome {
	t.Helper()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	resp, err := client.Post(url+"/federation/v1/hint", "text/plain", strings.NewReader(body))
	if err != nil {
		return outcome{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return outcome{read: len(data), readErr: err}
}

// TestEachFault sends requests from Chengdu to Chongqing through a link that
// always causes one fault and checks the fault's effect on both ends.
func TestEachFault(t *testing.T) {
	const requests = 8
	tests := []struct {
		name     string
		schedule fedtest.Schedule
		// check looks at what the clients saw, what the server handled and
		// what the link counted.
		check func(t *testing.T, seen []outcome, handled []string, counts fedtest.Counts)
	}{
		{
			name:     "DroppedRequestNeverReachesServer",
			schedule: fedtest.Schedule{DropRequest: 1},
			check: func(t *testing.T, seen []outcome, handled []string, counts fedtest.Counts) {
				for i, o := range seen {
					if !errors.Is(o.err, fedtest.ErrRequestDropped) {
						t.Errorf("request %d: got %v, want ErrRequestDropped", i, o)
					}
				}
				if len(handled) != 0 {
					t.Errorf("handled: got %q, want none", handled)
				}
				if counts.DroppedRequests != requests {
					t.Errorf("DroppedRequests: got %d, want %d", counts.DroppedRequests, requests)
				}
			},
		},
		{
			name:     "DroppedResponseHandledButClientFails",
			schedule: fedtest.Schedule{DropResponse: 1},
			check: func(t *testing.T, seen []outcome, handled []string, counts fedtest.Counts) {
				for i, o := range seen {
					if !errors.Is(o.err, fedtest.ErrResponseDropped) {
						t.Errorf("request %d: got %v, want ErrResponseDropped", i, o)
					}
				}
				if len(handled) != requests {
					t.Errorf("handled: got %d requests, want %d", len(handled), requests)
				}
				if counts.DroppedResponses != requests {
					t.Errorf("DroppedResponses: got %d, want %d", counts.DroppedResponses, requests)
				}
			},
		},
		{
			name:     "DuplicateHandledTwiceWithSameBody",
			schedule: fedtest.Schedule{Duplicate: 1},
			check: func(t *testing.T, seen []outcome, handled []string, counts fedtest.Counts) {
				for i, o := range seen {
					if o.err != nil || o.readErr != nil || o.read != entriesSize {
						t.Errorf("request %d: got %v, want a whole response", i, o)
					}
				}
				var want []string
				for i := range requests {
					want = append(want, hint(i), hint(i))
				}
				if !slices.Equal(handled, want) {
					t.Errorf("handled: got %q, want %q", handled, want)
				}
				if counts.Duplicated != requests {
					t.Errorf("Duplicated: got %d, want %d", counts.Duplicated, requests)
				}
			},
		},
		{
			name:     "TruncatedBodyReadShortEndingBothWays",
			schedule: fedtest.Schedule{TruncateBody: 1},
			check: func(t *testing.T, seen []outcome, handled []string, counts fedtest.Counts) {
				var unexpectedEOF, plainEOF int
				for i, o := range seen {
					if o.err != nil || o.read >= entriesSize {
						t.Errorf("request %d: got %v, want fewer than %d bytes read", i, o, entriesSize)
					}
					switch {
					case errors.Is(o.readErr, io.ErrUnexpectedEOF):
						unexpectedEOF++
					case o.readErr == nil:
						plainEOF++ // io.ReadAll takes a plain EOF for the end
					default:
						t.Errorf("request %d: got read error %v, want io.ErrUnexpectedEOF or none", i, o.readErr)
					}
				}
				if unexpectedEOF == 0 || plainEOF == 0 {
					t.Errorf("got %d cut with io.ErrUnexpectedEOF and %d with io.EOF, want both ways", unexpectedEOF, plainEOF)
				}
				if counts.TruncatedUnexpectedEOF != unexpectedEOF || counts.TruncatedEOF != plainEOF {
					t.Errorf("counts: got %d and %d truncations, want %d and %d", counts.TruncatedUnexpectedEOF, counts.TruncatedEOF, unexpectedEOF, plainEOF)
				}
			},
		},
		{
			name:     "DelayedRequestsTakeAtLeastTheirDelay",
			schedule: fedtest.Schedule{Delay: 1, MaxDelay: 30 * time.Millisecond},
			check: func(t *testing.T, seen []outcome, handled []string, counts fedtest.Counts) {
				if len(handled) != requests {
					t.Errorf("handled: got %d requests, want %d", len(handled), requests)
				}
				if counts.Delayed != requests || counts.DelayedFor <= 0 {
					t.Errorf("counts: got %d delayed for %v, want %d for some time", counts.Delayed, counts.DelayedFor, requests)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chengdu, chongqing := newPair(t)
			link := fedtest.NewFaults(chengdu.client, 1, tt.schedule)
			started := time.Now()
			var seen []outcome
			for i := range requests {
				seen = append(seen, post(t, link, chongqing.url, hint(i)))
			}
			elapsed := time.Since(started)
			counts := link.Counts()
			if counts.Requests != requests {
				t.Errorf("Requests: got %d, want %d", counts.Requests, requests)
			}
			if elapsed < counts.DelayedFor {
				t.Errorf("elapsed: got %v, want at least the %v of delays", elapsed, counts.DelayedFor)
			}
			tt.check(t, seen, chongqing.recorder.handled(), counts)
		})
	}
}

func hint(i int) string { return fmt.Sprintf("hint %d", i) }

// TestReorderedRequestOvertaken holds a request until a later one has been
// handled, so the server sees them in the opposite order.
func TestReorderedRequestOvertaken(t *testing.T) {
	chengdu, chongqing := newPair(t)
	link := fedtest.NewFaults(chengdu.client, 1, fedtest.Schedule{Reorder: 1, ReorderWait: 10 * time.Second})

	first := make(chan outcome)
	go func() { first <- post(t, link, chongqing.url, "first") }()
	for !link.Holding() {
		time.Sleep(time.Millisecond)
	}
	if o := post(t, link, chongqing.url, "second"); o.err != nil {
		t.Fatalf("second: got %v", o)
	}
	if o := <-first; o.err != nil || o.read != entriesSize {
		t.Fatalf("first: got %v, want a whole response", o)
	}

	if got, want := chongqing.recorder.handled(), []string{"second", "first"}; !slices.Equal(got, want) {
		t.Errorf("handled: got %q, want %q", got, want)
	}
	if got := link.Counts().Reordered; got != 1 {
		t.Errorf("Reordered: got %d, want 1", got)
	}
}

// TestReorderWaitEnds checks that a request held for reordering is sent
// anyway when no later request comes.
func TestReorderWaitEnds(t *testing.T) {
	chengdu, chongqing := newPair(t)
	link := fedtest.NewFaults(chengdu.client, 1, fedtest.Schedule{Reorder: 1, ReorderWait: 20 * time.Millisecond})
	if o := post(t, link, chongqing.url, "alone"); o.err != nil || o.read != entriesSize {
		t.Fatalf("got %v, want a whole response", o)
	}
	if got := link.Counts().Reordered; got != 0 {
		t.Errorf("Reordered: got %d, want 0", got)
	}
}

// TestPartition cuts both directions between the installations at once and
// heals them, untimed and timed.
func TestPartition(t *testing.T) {
	chengdu, chongqing := newPair(t)
	network := fedtest.NewNetwork()
	toChongqing := network.Link(chengdu.client, 1, fedtest.Schedule{})
	toChengdu := network.Link(chongqing.client, 2, fedtest.Schedule{})

	// exchange sends one request each way and reports the errors.
	exchange := func() (toChongqingErr, toChengduErr error) {
		return post(t, toChongqing, chongqing.url, "hint").err, post(t, toChengdu, chengdu.url, "hint").err
	}
	wantCut := func(when string) {
		t.Helper()
		a, b := exchange()
		if !errors.Is(a, fedtest.ErrPartitioned) || !errors.Is(b, fedtest.ErrPartitioned) {
			t.Errorf("%s: got %v and %v, want ErrPartitioned both ways", when, a, b)
		}
	}
	wantThrough := func(when string) {
		t.Helper()
		if a, b := exchange(); a != nil || b != nil {
			t.Errorf("%s: got %v and %v, want both ways through", when, a, b)
		}
	}

	wantThrough("before the partition")
	toChongqing.Partition() // one link cuts the network, both ways
	wantCut("partitioned")
	network.Heal()
	wantThrough("healed")
	network.PartitionFor(200 * time.Millisecond)
	wantCut("within a timed partition")
	time.Sleep(250 * time.Millisecond)
	wantThrough("after a timed partition")

	if got, want := len(chongqing.recorder.handled()), 3; got != want {
		t.Errorf("Chongqing handled: got %d, want %d", got, want)
	}
	if got, want := toChongqing.Counts().Partitioned+toChengdu.Counts().Partitioned, 4; got != want {
		t.Errorf("Partitioned: got %d, want %d", got, want)
	}
}

// TestSameSeedSameFaults replays a mix of every fault: the same seed and the
// same requests give the same faults, another seed other faults.
func TestSameSeedSameFaults(t *testing.T) {
	schedule := fedtest.Schedule{
		DropRequest: 0.15, DropResponse: 0.15, Duplicate: 0.15, TruncateBody: 0.2,
		Delay: 0.2, MaxDelay: 2 * time.Millisecond,
		Reorder: 0.1, ReorderWait: 2 * time.Millisecond,
	}
	// run sends 40 requests one after the other and returns what the client
	// saw, what the server handled and what the link counted.
	run := func(seed uint64) (seen []string, handled []string, counts fedtest.Counts) {
		chengdu, chongqing := newPair(t)
		link := fedtest.NewFaults(chengdu.client, seed, schedule)
		for i := range 40 {
			seen = append(seen, post(t, link, chongqing.url, hint(i)).String())
		}
		counts = link.Counts()
		counts.DelayedFor = 0 // a duration drawn at random, compared through Delayed
		return seen, chongqing.recorder.handled(), counts
	}

	seen1, handled1, counts1 := run(7)
	seen2, handled2, counts2 := run(7)
	if !slices.Equal(seen1, seen2) || !slices.Equal(handled1, handled2) || counts1 != counts2 {
		t.Errorf("seed 7 twice: got\n%q %q %+v\nthen\n%q %q %+v", seen1, handled1, counts1, seen2, handled2, counts2)
	}
	if counts1.DroppedRequests == 0 || counts1.DroppedResponses == 0 || counts1.Duplicated == 0 ||
		counts1.TruncatedEOF+counts1.TruncatedUnexpectedEOF == 0 || counts1.Delayed == 0 {
		t.Errorf("counts: got %+v, want every fault at least once", counts1)
	}
	seen3, _, _ := run(8)
	if slices.Equal(seen1, seen3) {
		t.Errorf("seeds 7 and 8: got the same outcomes %q, want different faults", seen1)
	}
}

// TestConcurrentUseKeepsAccounts sends from several goroutines at once
// through one link with every fault, and checks that what the server handled
// and what the clients saw agree with the link's counts.
func TestConcurrentUseKeepsAccounts(t *testing.T) {
	chengdu, chongqing := newPair(t)
	link := fedtest.NewFaults(chengdu.client, 3, fedtest.Schedule{
		DropRequest: 0.2, DropResponse: 0.2, Duplicate: 0.2, TruncateBody: 0.2,
		Delay: 0.3, MaxDelay: 5 * time.Millisecond,
		Reorder: 0.3, ReorderWait: 200 * time.Millisecond,
	})
	const senders, each = 6, 10
	var mu sync.Mutex
	var droppedRequests, droppedResponses int
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				o := post(t, link, chongqing.url, hint(s*each+i))
				mu.Lock()
				switch {
				case errors.Is(o.err, fedtest.ErrRequestDropped):
					droppedRequests++
				case errors.Is(o.err, fedtest.ErrResponseDropped):
					droppedResponses++
				case o.err != nil:
					t.Errorf("request %d: got %v, want a fault of the link or none", s*each+i, o)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	counts := link.Counts()
	if counts.Requests != senders*each {
		t.Errorf("Requests: got %d, want %d", counts.Requests, senders*each)
	}
	if droppedRequests != counts.DroppedRequests || droppedResponses != counts.DroppedResponses {
		t.Errorf("clients saw %d dropped requests and %d dropped responses, link counted %d and %d",
			droppedRequests, droppedResponses, counts.DroppedRequests, counts.DroppedResponses)
	}
	handled := len(chongqing.recorder.handled())
	if want := counts.Requests - counts.DroppedRequests + counts.Duplicated; handled != want {
		t.Errorf("handled: got %d, want %d requests less %d dropped plus %d duplicates",
			handled, counts.Requests, counts.DroppedRequests, counts.Duplicated)
	}
	if counts.Reordered == 0 {
		t.Errorf("Reordered: got 0, want some request overtaken among %d concurrent senders", senders)
	}
}
