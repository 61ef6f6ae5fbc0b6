package fedtest

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Errors the faulty transport returns in place of a response. An http.Client
// wraps them in a *url.Error; errors.Is sees through it.
var (
	// ErrRequestDropped means the request never reached the server.
	ErrRequestDropped = errors.New("fedtest: request dropped before reaching the server")
	// ErrResponseDropped means the server handled the request but its
	// response was lost: the case an exactly-once protocol must survive.
	ErrResponseDropped = errors.New("fedtest: response dropped after the server handled the request")
	// ErrPartitioned means the network was partitioned when the request was
	// to be sent; it never reached the server.
	ErrPartitioned = errors.New("fedtest: network partitioned")
)

// DefaultReorderWait is how long a request picked for reordering waits for a
// later request to overtake it when Schedule.ReorderWait is zero.
const DefaultReorderWait = 100 * time.Millisecond

// Schedule says how often each fault happens. Each probability (0 never,
// 1 always) is drawn independently for every request, so one request may
// suffer several faults: duplicated and its response dropped, say.
type Schedule struct {
	// DropRequest fails the request without sending it.
	DropRequest float64
	// DropResponse sends the request, discards the server's response and
	// fails the request.
	DropResponse float64
	// Duplicate sends the request twice, one after the other; the client
	// gets one of the two responses, picked at random, and the other is
	// discarded.
	Duplicate float64
	// Delay holds the request for a random time up to MaxDelay before
	// sending it.
	Delay float64
	// MaxDelay is the longest a delayed request waits; zero means no delay.
	MaxDelay time.Duration
	// Reorder holds the request until a later request has been sent and
	// answered, then sends it, so the server sees the two in the opposite
	// order. One request is held at a time.
	Reorder float64
	// ReorderWait is how long a held request waits for a later one to
	// overtake it (DefaultReorderWait when zero); then it is sent anyway, so
	// a client that sends one request at a time is slowed, not stuck.
	ReorderWait time.Duration
	// TruncateBody cuts the response body at a random point short of its
	// end. Half the time (at random) reading past the cut fails with
	// io.ErrUnexpectedEOF, as when a connection breaks inside a body of
	// known length; the other half it ends with a plain io.EOF and the
	// Content-Length header is removed, as when a connection-delimited body
	// is cut, so only the receiver's own checks can tell.
	TruncateBody float64
}

// Counts is how many faults a Faults transport has really caused, so a test
// can assert that the faults it relies on happened.
type Counts struct {
	Requests               int           // requests given to RoundTrip
	Partitioned            int           // failed with ErrPartitioned
	DroppedRequests        int           // failed with ErrRequestDropped
	Delayed                int           // held for a nonzero delay
	DelayedFor             time.Duration // the delays added up
	Reordered              int           // overtaken by a later request
	Duplicated             int           // sent twice
	DroppedResponses       int           // failed with ErrResponseDropped
	TruncatedUnexpectedEOF int           // body cut, ending in io.ErrUnexpectedEOF
	TruncatedEOF           int           // body cut, ending in a plain io.EOF
}

// Network is the switch of a partition shared by the links between
// installations: while it is partitioned every request on any of its links
// fails with ErrPartitioned, in both directions. A request already sent
// when the partition begins is answered; one held back by a delay or for
// reordering is not.
type Network struct {
	mu          sync.Mutex
	partitioned bool
	until       time.Time
}

// NewNetwork returns a network that is not partitioned.
func NewNetwork() *Network { return &Network{} }

// Partition cuts every link of the network until Heal.
func (n *Network) Partition() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.partitioned = true
}

// PartitionFor cuts every link of the network for d, or until Heal if sooner.
func (n *Network) PartitionFor(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.until = time.Now().Add(d)
}

// Heal ends a partition, timed or not.
func (n *Network) Heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.partitioned = false
	n.until = time.Time{}
}

// Partitioned reports whether the network is partitioned now.
func (n *Network) Partitioned() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.partitioned || time.Now().Before(n.until)
}

// Link returns a faulty transport on this network: requests go through inner
// (http.DefaultTransport when nil), suffering the faults of schedule as drawn
// from a random source seeded with seed, and fail while the network is
// partitioned. Give each direction between two installations its own link.
func (n *Network) Link(inner http.RoundTripper, seed uint64, schedule Schedule) *Faults {
	if inner == nil {
		inner = http.DefaultTransport
	}
	if schedule.ReorderWait == 0 {
		schedule.ReorderWait = DefaultReorderWait
	}
	return &Faults{
		inner:    inner,
		schedule: schedule,
		network:  n,
		rng:      rand.New(rand.NewPCG(seed, seed)),
	}
}

// Faults is an http.RoundTripper that makes the network between two
// installations misbehave. It is deterministic: for the same seed and the
// same order of requests it causes the same faults at the same points, since
// every request takes the same number of draws from the random source
// whatever befalls it. It is safe for concurrent use.
type Faults struct {
	inner    http.RoundTripper
	schedule Schedule
	network  *Network

	mu     sync.Mutex
	rng    *rand.Rand
	seq    uint64
	held   *heldRequest
	counts Counts
}

// NewFaults returns a faulty transport on a network of its own; see
// Network.Link.
func NewFaults(inner http.RoundTripper, seed uint64, schedule Schedule) *Faults {
	return NewNetwork().Link(inner, seed, schedule)
}

// Network returns the network the transport is a link of.
func (f *Faults) Network() *Network { return f.network }

// Partition cuts the transport's network, every link of it, until Heal.
func (f *Faults) Partition() { f.network.Partition() }

// PartitionFor cuts the transport's network, every link of it, for d.
func (f *Faults) PartitionFor(d time.Duration) { f.network.PartitionFor(d) }

// Heal ends a partition of the transport's network.
func (f *Faults) Heal() { f.network.Heal() }

// Counts returns how many faults the transport has caused so far.
func (f *Faults) Counts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts
}

// decision is what befalls one request, drawn in full before anything
// happens to it.
type decision struct {
	seq          uint64
	dropRequest  bool
	delay        time.Duration
	reorder      bool
	duplicate    bool
	keepSecond   bool
	dropResponse bool
	truncate     bool
	truncateAt   float64 // fraction of the body kept
	plainEOF     bool
}

// decide draws the fate of the next request. It always takes the same
// number of draws, which is what makes a seed replay the same faults.
func (f *Faults) decide() decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	f.counts.Requests++
	s, r := f.schedule, f.rng
	d := decision{seq: f.seq}
	d.dropRequest = r.Float64() < s.DropRequest
	delayed, delayFraction := r.Float64() < s.Delay, r.Float64()
	if delayed {
		d.delay = time.Duration(delayFraction * float64(s.MaxDelay))
	}
	d.reorder = r.Float64() < s.Reorder
	d.duplicate = r.Float64() < s.Duplicate
	d.keepSecond = r.IntN(2) == 1
	d.dropResponse = r.Float64() < s.DropResponse
	d.truncate = r.Float64() < s.TruncateBody
	d.truncateAt = r.Float64()
	d.plainEOF = r.IntN(2) == 1
	return d
}

func (f *Faults) count(counter *int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*counter++
}

// RoundTrip sends req through the inner transport, suffering the faults
// drawn for it, in the order a packet would meet them: partition, drop,
// delay, reordering, duplication, loss of the response, truncation.
func (f *Faults) RoundTrip(req *http.Request) (*http.Response, error) {
	// The body is buffered so that a duplicate can send it again.
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	d := f.decide()
	if f.network.Partitioned() {
		f.count(&f.counts.Partitioned)
		return nil, ErrPartitioned
	}
	if d.dropRequest {
		f.count(&f.counts.DroppedRequests)
		return nil, ErrRequestDropped
	}
	if d.delay > 0 {
		if err := sleep(req, d.delay); err != nil {
			return nil, err
		}
		f.mu.Lock()
		f.counts.Delayed++
		f.counts.DelayedFor += d.delay
		f.mu.Unlock()
	}
	if d.reorder {
		if err := f.hold(req, d.seq); err != nil {
			return nil, err
		}
	}
	// The partition may have begun while the request waited.
	if f.network.Partitioned() {
		f.count(&f.counts.Partitioned)
		return nil, ErrPartitioned
	}

	resp, err := f.send(req, body, d)
	f.releaseHeldBefore(d.seq)
	if err != nil {
		return nil, err
	}
	if d.dropResponse {
		discard(resp)
		f.count(&f.counts.DroppedResponses)
		return nil, ErrResponseDropped
	}
	if d.truncate {
		return f.truncate(resp, d)
	}
	return resp, nil
}

// send sends the request once, or twice when it is to be duplicated.
func (f *Faults) send(req *http.Request, body []byte, d decision) (*http.Response, error) {
	if !d.duplicate {
		return f.inner.RoundTrip(withBody(req, body))
	}
	first, firstErr := f.inner.RoundTrip(withBody(req, body))
	second, secondErr := f.inner.RoundTrip(withBody(req, body))
	f.count(&f.counts.Duplicated)
	if d.keepSecond {
		first, second = second, first
		firstErr = secondErr
	}
	if second != nil {
		discard(second)
	}
	return first, firstErr
}

// Holding reports whether a request is being held for a later one to
// overtake, so a test can send that later request knowing it will.
func (f *Faults) Holding() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held != nil
}

// heldRequest is a request waiting for a later one to overtake it.
type heldRequest struct {
	seq      uint64
	overtook chan struct{}
}

// hold waits until a later request has been sent, the reorder wait has
// passed, or the request is cancelled. If another request is already held
// this one goes on at once: one held request is enough to reorder traffic.
func (f *Faults) hold(req *http.Request, seq uint64) error {
	f.mu.Lock()
	if f.held != nil {
		f.mu.Unlock()
		return nil
	}
	h := &heldRequest{seq: seq, overtook: make(chan struct{})}
	f.held = h
	f.mu.Unlock()

	timer := time.NewTimer(f.schedule.ReorderWait)
	defer timer.Stop()
	var err error
	overtaken := false
	select {
	case <-h.overtook:
		overtaken = true
	case <-timer.C:
	case <-req.Context().Done():
		err = req.Context().Err()
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == h {
		f.held = nil
	}
	if overtaken {
		f.counts.Reordered++
	}
	return err
}

// releaseHeldBefore lets the held request go once a request that came after
// it has been sent.
func (f *Faults) releaseHeldBefore(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held != nil && f.held.seq < seq {
		close(f.held.overtook)
		f.held = nil
	}
}

// truncate replaces the response's body with a prefix of it that ends in
// io.ErrUnexpectedEOF or a plain io.EOF. An empty body cannot be cut and is
// left whole.
func (f *Faults) truncate(resp *http.Response, d decision) (*http.Response, error) {
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return resp, nil
	}
	kept := int(d.truncateAt * float64(len(data))) // always short of len(data)
	body := &truncatedBody{data: bytes.NewReader(data[:kept]), end: io.ErrUnexpectedEOF}
	if d.plainEOF {
		body.end = io.EOF
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
		f.count(&f.counts.TruncatedEOF)
	} else {
		f.count(&f.counts.TruncatedUnexpectedEOF)
	}
	resp.Body = body
	return resp, nil
}

// truncatedBody yields data and then ends with end instead of io.EOF.
type truncatedBody struct {
	data *bytes.Reader
	end  error
}

func (b *truncatedBody) Read(p []byte) (int, error) {
	n, err := b.data.Read(p)
	if err == io.EOF {
		return n, b.end
	}
	return n, err
}

func (b *truncatedBody) Close() error { return nil }

// readBody reads and closes the request's body; nil means it had none.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// withBody returns a copy of req that sends body, so that the caller's
// request is left as it was (http.RoundTripper must not change it) and a
// duplicate gets a fresh reader of the same bytes.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	return r
}

// discard reads a response to its end, so the server finishes its side of
// the exchange and the connection can be reused, and closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// sleep waits for d unless the request is cancelled first.
func sleep(req *http.Request, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-req.Context().Done():
		return req.Context().Err()
	}
}
