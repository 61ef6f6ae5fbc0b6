package federation_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// syncLoad is the work of a federation throughput and lag run: item
// events made on both installations, half before any sync (the backlog,
// synced by repeated Sync calls and timed), half while each node's Run
// loop syncs (the steady part, where each change's lag is measured).
type syncLoad struct {
	backlog  int           // item events made on each side before syncing: creations, then one update of each
	steady   int           // item events made on each side while the Run loops sync
	every    time.Duration // between two changes on one side in the steady part
	interval time.Duration // the Run loops' interval; hints pull sooner
}

// syncFigures is what a run measured.
type syncFigures struct {
	applied int64         // envelopes applied by both sides while the backlog synced
	took    time.Duration // how long the backlog took to sync both ways
	lags    []time.Duration
}

// perSecond is the backlog's sync throughput.
func (f syncFigures) perSecond() float64 { return float64(f.applied) / f.took.Seconds() }

// lagAt is the q-quantile of the lags, by the nearest rank.
func (f syncFigures) lagAt(q float64) time.Duration {
	sorted := slices.Clone(f.lags)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// BenchmarkFederationSync syncs 10,000 item events both ways between
// Chengdu (SQLite) and Chongqing (PostgreSQL when
// LIANDONG_TEST_POSTGRES_URL is set) over mutual TLS on loopback: 4,500
// made on each side before syncing, timed as throughput, then 500 on each
// side at 20 a second while the Run loops sync every 200 ms and on hints,
// each change's lag measured from its commit to its application on the
// peer. The pace leaves room on two shared cores: a faster one measures
// the queue of changes waiting rather than the lag. Run it once:
// -benchtime 1x.
func BenchmarkFederationSync(b *testing.B) {
	load := syncLoad{backlog: 4500, steady: 500, every: 50 * time.Millisecond, interval: 200 * time.Millisecond}
	for range b.N {
		b.StopTimer()
		f := runSyncLoad(b, load, b.StartTimer, b.StopTimer)
		b.ReportMetric(f.perSecond(), "events/s")
		b.ReportMetric(float64(f.lagAt(0.50).Microseconds())/1000, "lag-p50-ms")
		b.ReportMetric(float64(f.lagAt(0.99).Microseconds())/1000, "lag-p99-ms")
	}
}

// TestFederationSyncLoad is BenchmarkFederationSync scaled down, so that
// its code keeps working: every event made on either side is applied once
// on the other, both hold the same shared items, and every lag measured is
// that of a change applied after it was committed.
func TestFederationSyncLoad(t *testing.T) {
	load := syncLoad{backlog: 100, steady: 50, every: 10 * time.Millisecond, interval: 200 * time.Millisecond}
	f := runSyncLoad(t, load, func() {}, func() {})
	t.Logf("backlog: %d envelopes in %v (%.0f/s); lag p50 %v, p99 %v", f.applied, f.took, f.perSecond(), f.lagAt(0.5), f.lagAt(0.99))
	// The twin core was synced before: only the items' events are left.
	if got, want := f.applied, int64(2*load.backlog); got != want {
		t.Errorf("envelopes applied while the backlog synced: got %d, want %d", got, want)
	}
	if got, want := len(f.lags), 2*load.steady; got != want {
		t.Fatalf("lags measured: got %d, want %d", got, want)
	}
	for i, lag := range f.lags {
		if lag <= 0 {
			t.Errorf("change %d applied %v after its commit, want after it", i, lag)
		}
	}
	if f.lagAt(0.99) > time.Minute {
		t.Errorf("p99 lag %v: the Run loops did not sync", f.lagAt(0.99))
	}
}

// runSyncLoad runs load between a fresh Chengdu and Chongqing; start and
// stop bracket the timed part, the backlog's sync.
func runSyncLoad(tb testing.TB, load syncLoad, start, stop func()) syncFigures {
	tb.Helper()
	ctx := context.Background()
	cd, cq := chengduAndChongqing(tb)
	connect(tb, cd, cq, nil)
	w := newTwinCore(tb, cd)
	agree(tb, cd, cq, w.globalMech)
	agree(tb, cq, cd, w.globalMech)
	sync(tb, cd, cq) // Chongqing holds the mechanism and the units before it works on them
	sides := []*installation{cd, cq}

	// The backlog, made on both sides at once.
	kept := make([][]int64, len(sides))
	errs := make(chan error, len(sides))
	for i, in := range sides {
		go func() {
			var err error
			kept[i], err = makeChanges(ctx, in, w, load.backlog, 0, nil)
			errs <- err
		}()
	}
	for range sides {
		if err := <-errs; err != nil {
			tb.Fatal(err)
		}
	}

	heldBefore := heldBy(tb, sides)
	start()
	began := time.Now()
	for round := 0; !synced(tb, sides); round++ {
		if round == 10 {
			tb.Fatalf("the backlog is not synced after %d rounds", round)
		}
		sync(tb, cd, cq)
	}
	took := time.Since(began)
	stop()
	f := syncFigures{took: took}
	for i, held := range heldBy(tb, sides) {
		f.applied += held - heldBefore[i]
	}
	mustAllBeApplied(tb, sides)

	// The steady part: changes at a fixed pace while both Run loops sync.
	runCtx, cancel := context.WithCancel(ctx)
	var running atomic.Int32
	done := make(chan struct{}, len(sides))
	for _, in := range sides {
		running.Add(1)
		go func() {
			in.node.Run(runCtx, load.interval)
			running.Add(-1)
			done <- struct{}{}
		}()
	}
	defer func() {
		cancel()
		for running.Load() > 0 {
			<-done
		}
	}()
	heldBefore = heldBy(tb, sides)
	committed := make([][]time.Time, len(sides))
	arrived := make([][]time.Time, len(sides))
	for i, in := range sides {
		go func() {
			_, err := makeChanges(ctx, in, w, load.steady, load.every, func(at time.Time) { committed[i] = append(committed[i], at) })
			errs <- err
		}()
		// What side i makes arrives at the other side, receiver.
		receiver := sides[1-i]
		go func() {
			var err error
			arrived[i], err = watchArrivals(ctx, receiver, in.name, heldBefore[1-i], load.steady)
			errs <- err
		}()
	}
	for range 2 * len(sides) {
		if err := <-errs; err != nil {
			tb.Fatal(err)
		}
	}
	for i := range sides {
		for k, at := range committed[i] {
			f.lags = append(f.lags, arrived[i][k].Sub(at))
		}
	}
	cancel()
	for running.Load() > 0 {
		<-done
	}
	mustAllBeApplied(tb, sides)
	if got, want := sharedItems(tb, cq, w.globalMech), sharedItems(tb, cd, w.globalMech); !equal(got, want) {
		tb.Fatalf("after the run Chongqing holds %d shared items, Chengdu %d; differing: %v", len(got), len(want), diff(got, want))
	}
	return f
}

// makeChanges makes n item events on in, in the shared mechanism: n/2
// creations, then an update of each item created; every pace if not zero,
// calling committed with the time each change was committed.
func makeChanges(ctx context.Context, in *installation, w *twinCore, n int, every time.Duration, committed func(time.Time)) ([]int64, error) {
	mech, unit, ok, err := mechAndUnit(ctx, in, w)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s holds no shared mechanism and unit to work on (%v)", in.name, err)
	}
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	var ids []int64
	for k := range n {
		if tick != nil {
			<-tick
		}
		if k < (n+1)/2 {
			it := &domain.Item{MechanismID: mech, Title: fmt.Sprintf("%s 项目 %d", in.name, k), Status: domain.NotStarted,
				Parties:    []domain.Party{{Side: "chongqing", OrganizationID: unit, Role: domain.LeadUnit}},
				Milestones: []domain.Milestone{{Title: "开工", DueOn: domain.MustDate("2027-06-30")}}}
			if err := in.store.Items.Create(ctx, domain.Actor{}, it); err != nil {
				return ids, fmt.Errorf("%s: create item %d: %w", in.name, k, err)
			}
			ids = append(ids, it.ID)
		} else {
			it, err := in.store.Items.Get(ctx, ids[k-(n+1)/2])
			if err != nil {
				return ids, err
			}
			it.Status, it.Investment.Done = domain.Advancing, float64(k)
			if err := in.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
				return ids, fmt.Errorf("%s: update item %d: %w", in.name, it.ID, err)
			}
		}
		if committed != nil {
			committed(time.Now())
		}
	}
	return ids, nil
}

// mechAndUnit is the shared mechanism and Chongqing's unit as in holds them.
func mechAndUnit(ctx context.Context, in *installation, w *twinCore) (mech, unit int64, ok bool, err error) {
	if in.store.Origin() == "liandong/chengdu" {
		return w.mech.ID, w.cqDRC.ID, true, nil
	}
	g, _ := domain.ParseGlobalID(w.globalMech)
	mech, ok, err = in.store.LocalID(ctx, g)
	if err != nil || !ok {
		return 0, 0, false, err
	}
	u, _ := domain.ParseGlobalID("liandong/chengdu:organizations:" + itoa(w.cqDRC.ID))
	unit, ok, err = in.store.LocalID(ctx, u)
	return mech, unit, ok, err
}

// watchArrivals polls what receiver holds of sender's log until it holds n
// envelopes beyond from, and returns when each of them was first seen
// held (applied: an envelope is kept in the transaction that applies it).
// Every 2 ms, for at most two minutes.
func watchArrivals(ctx context.Context, receiver *installation, sender string, from int64, n int) ([]time.Time, error) {
	p, err := receiver.store.Peer(ctx, sender)
	if err != nil {
		return nil, err
	}
	arrived := make([]time.Time, 0, n)
	deadline := time.Now().Add(2 * time.Minute)
	for len(arrived) < n {
		if time.Now().After(deadline) {
			return arrived, fmt.Errorf("%s applied %d of the %d changes %s made in two minutes", receiver.name, len(arrived), n, sender)
		}
		held, _, err := receiver.store.InboxTail(ctx, p)
		if err != nil {
			return arrived, err
		}
		now := time.Now()
		for int64(len(arrived)) < min(held-from, int64(n)) {
			arrived = append(arrived, now)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return arrived, nil
}

// heldBy is, for each installation, how many envelopes it holds of the
// other's log.
func heldBy(tb testing.TB, sides []*installation) []int64 {
	tb.Helper()
	ctx := context.Background()
	out := make([]int64, len(sides))
	for i, in := range sides {
		p, err := in.store.Peer(ctx, sides[1-i].name)
		if err != nil {
			tb.Fatal(err)
		}
		if out[i], err = in.store.Held(ctx, p); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// synced says whether each installation holds the whole log the other
// keeps for it, and nothing waits to be exported.
func synced(tb testing.TB, sides []*installation) bool {
	tb.Helper()
	ctx := context.Background()
	held := heldBy(tb, sides)
	for i, in := range sides {
		added, err := in.node.Export(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		receiver := sides[1-i]
		p, err := in.store.Peer(ctx, receiver.name)
		if err != nil {
			tb.Fatal(err)
		}
		size, err := in.store.OutboxSize(ctx, p)
		if err != nil {
			tb.Fatal(err)
		}
		if added[receiver.name] > 0 || held[1-i] != size {
			return false
		}
	}
	return true
}

// mustAllBeApplied fails unless every envelope each side received was
// applied, once.
func mustAllBeApplied(tb testing.TB, sides []*installation) {
	tb.Helper()
	ctx := context.Background()
	for i, in := range sides {
		p, err := in.store.Peer(ctx, sides[1-i].name)
		if err != nil {
			tb.Fatal(err)
		}
		outcomes, err := in.store.Outcomes(ctx, p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, o := range outcomes {
			if o.Outcome != store.Applied {
				tb.Fatalf("%s: envelope %d (%s): %s %s", in.name, o.Seq, o.EventID, o.Outcome, o.Reason)
			}
		}
	}
}
