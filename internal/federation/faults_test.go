package federation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation/fedtest"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// switchable sends through faults until calm is set, then directly.
type switchable struct {
	faults, direct http.RoundTripper
	calm           *atomic.Bool
}

func (s switchable) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.calm.Load() {
		return s.direct.RoundTrip(r)
	}
	return s.faults.RoundTrip(r)
}

// TestFederationConvergesThroughFaults works on both installations while
// their traffic is dropped, duplicated, delayed, reordered, cut short and,
// for a while, partitioned both ways, while some syncs are cut off at a
// random moment (a crash mid-pull or mid-transaction) and Chongqing's clock
// runs two hours ahead or behind; once the network heals both hold the same
// shared items, every envelope was applied once and every entry of both
// logs is countersigned.
func TestFederationConvergesThroughFaults(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			cd, cq := chengduAndChongqing(t)
			convergeThroughFaults(t, cd, cq, seed, true)
		})
	}
}

// FuzzFederationConverges drives the same schedule from fuzzed seeds, both
// installations on SQLite: `go test -fuzz FuzzFederationConverges
// ./internal/federation/`. A seed that ever fails is kept in
// testdata/fuzz/FuzzFederationConverges, which every go test runs: the
// first one kept is the run that found two SQLite data directories named
// …seed#0/001 and …seed#0/002 opening one database.
func FuzzFederationConverges(f *testing.F) {
	f.Add(uint64(4))
	f.Fuzz(func(t *testing.T, seed uint64) {
		convergeThroughFaults(t, newInstallation(t, storetest.MustOpenSQLite(t), "liandong/chengdu"),
			newInstallation(t, storetest.MustOpenSQLite(t), "liandong/chongqing"), seed, false)
	})
}

// convergeThroughFaults runs the schedule of seed; requireFaults asserts
// that each kind of fault the test relies on happened, as the fixed seeds
// are chosen to make it (a fuzzed seed may not).
func convergeThroughFaults(t *testing.T, cd, cq *installation, seed uint64, requireFaults bool) {
	ctx := context.Background()
	skew := 2 * time.Hour
	if seed%2 == 1 {
		skew = -skew
	}
	clock := cq.store.Now
	cq.store.Now = func() time.Time { return clock().Add(skew) }
	cq.node.Now = cq.store.Now
	network := fedtest.NewNetwork()
	schedule := fedtest.Schedule{DropRequest: 0.1, DropResponse: 0.15, Duplicate: 0.15, Delay: 0.1, MaxDelay: 10 * time.Millisecond,
		Reorder: 0.1, ReorderWait: 10 * time.Millisecond, TruncateBody: 0.15}
	var calm atomic.Bool
	var links []*fedtest.Faults
	connect(t, cd, cq, func(rt http.RoundTripper) http.RoundTripper {
		f := network.Link(rt, seed*10+uint64(len(links)), schedule)
		links = append(links, f)
		return switchable{faults: f, direct: rt, calm: &calm}
	})
	w := newTwinCore(t, cd)
	agree(t, cd, cq, w.globalMech)
	agree(t, cq, cd, w.globalMech)

	rng := rand.New(rand.NewPCG(seed, 7))
	kept := map[*installation][]int64{}
	for round := range 40 {
		switch round {
		case 12:
			network.Partition()
		case 24:
			network.Heal()
		}
		in := cd
		if rng.IntN(2) == 1 {
			in = cq
		}
		mech, unit, ok := mechAndUnitOn(t, in, w)
		if !ok { // not received yet: Chengdu works instead
			in = cd
			mech, unit, _ = mechAndUnitOn(t, in, w)
		}
		if ids := kept[in]; len(ids) > 0 && rng.IntN(3) > 0 {
			it, err := in.store.Items.Get(ctx, ids[rng.IntN(len(ids))])
			if err != nil {
				t.Fatal(err)
			}
			it.Title = fmt.Sprintf("%s·第%d轮", in.name, round)
			it.Investment.Done = float64(round)
			if err := in.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
		} else {
			it := mustCreate(t, in.store, in.store.Items, &domain.Item{MechanismID: mech, Title: fmt.Sprintf("%s 项目 %d", in.name, round), Status: domain.NotStarted,
				Parties: []domain.Party{{Side: "chongqing", OrganizationID: unit, Role: domain.LeadUnit}}})
			kept[in] = append(kept[in], it.ID)
		}
		for _, in := range []*installation{cd, cq} {
			// Failures are the point: the next round tries again.
			if rng.IntN(5) == 0 { // cut off at a random moment
				cut, cancel := context.WithTimeout(ctx, time.Duration(rng.IntN(30))*time.Millisecond)
				in.node.Sync(cut)
				cancel()
				continue
			}
			in.node.Sync(ctx)
		}
	}
	counts := fedtest.Counts{}
	for _, l := range links {
		c := l.Counts()
		counts.DroppedResponses += c.DroppedResponses
		counts.Duplicated += c.Duplicated
		counts.TruncatedEOF += c.TruncatedEOF + c.TruncatedUnexpectedEOF
		counts.Partitioned += c.Partitioned
	}
	if requireFaults && (counts.DroppedResponses == 0 || counts.Duplicated == 0 || counts.TruncatedEOF == 0 || counts.Partitioned == 0) {
		t.Fatalf("the faults this test relies on did not all happen: %+v", counts)
	}

	calm.Store(true)
	for range 3 {
		sync(t, cd, cq)
	}
	got, want := sharedItems(t, cq, w.globalMech), sharedItems(t, cd, w.globalMech)
	if len(kept[cq]) == 0 {
		t.Fatal("Chongqing never worked on the shared mechanism: the faults kept it from arriving")
	}
	if !equal(got, want) || len(got) != len(kept[cd])+len(kept[cq]) {
		t.Fatalf("after healing Chongqing holds %d items, Chengdu %d, created %d; differing: %v", len(got), len(want), len(kept[cd])+len(kept[cq]), diff(got, want))
	}
	for _, pair := range [][2]*installation{{cd, cq}, {cq, cd}} {
		sender, receiver := pair[0], pair[1]
		p, _ := sender.store.Peer(ctx, receiver.name)
		size, _ := sender.store.OutboxSize(ctx, p)
		q, _ := receiver.store.Peer(ctx, sender.name)
		outcomes, _ := receiver.store.Outcomes(ctx, q)
		if int64(len(outcomes)) != size {
			t.Errorf("%s's log holds %d entries, %s received %d", sender.name, size, receiver.name, len(outcomes))
		}
		applied := map[string]int{}
		for _, o := range outcomes {
			if o.Outcome != store.Applied {
				t.Errorf("%s: envelope %d %s: %s %s", receiver.name, o.Seq, o.EventID, o.Outcome, o.Reason)
			}
			applied[o.EventID]++
		}
		for id, n := range applied {
			if n != 1 {
				t.Errorf("%s applied event %s %d times", receiver.name, id, n)
			}
		}
		sent, _ := sender.store.Checkpoints(ctx, p, store.SentCheckpoint)
		if len(sent) == 0 || sent[len(sent)-1].Size != size {
			t.Errorf("%s's receipts do not cover its log of %d entries: %v", sender.name, size, len(sent))
		}
	}
}

// mechAndUnitOn is the shared mechanism and Chongqing's unit as in holds them.
func mechAndUnitOn(t testing.TB, in *installation, w *twinCore) (int64, int64, bool) {
	t.Helper()
	ctx := context.Background()
	if in.name == "liandong/chengdu" {
		return w.mech.ID, w.cqDRC.ID, true
	}
	g, _ := domain.ParseGlobalID(w.globalMech)
	mech, ok, err := in.store.LocalID(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := domain.ParseGlobalID("liandong/chengdu:organizations:" + itoa(w.cqDRC.ID))
	unit, ok2, err := in.store.LocalID(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return mech, unit, ok && ok2
}

func diff(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}
