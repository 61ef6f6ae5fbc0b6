package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
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
// runs two hours ahead or behind. The people at work create and edit
// items, propose changes to the other side's items, and confirm or reject
// the two-side changes that wait for them. Once the network heals both
// hold the same shared items and the same changes, every envelope was
// applied once, every proposal has one outcome on both sides and every
// entry of both logs is countersigned.
func TestFederationConvergesThroughFaults(t *testing.T) {
	for _, seed := range []uint64{1, 2, 4, 5} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			cd, cq := chengduAndChongqing(t)
			convergeThroughFaults(t, cd, cq, seed, nil, true)
		})
	}
}

// FuzzFederationConverges drives the same test with fuzzed schedules: the
// seed draws the faults, each byte of work is one round's action (who
// acts, and what: see act); with no work the seed draws the actions too.
// Both installations are on SQLite: `go test -fuzz FuzzFederationConverges
// ./internal/federation/`. A schedule that ever fails is kept in
// testdata/fuzz/FuzzFederationConverges, which every go test runs: the
// first one kept is the run that found two SQLite data directories named
// …seed#0/001 and …seed#0/002 opening one database.
func FuzzFederationConverges(f *testing.F) {
	f.Add(uint64(4), []byte{})
	f.Add(uint64(5), []byte{0, 1, 6, 7, 8, 9, 2, 4, 5, 3, 8, 9, 6, 7})
	f.Fuzz(func(t *testing.T, seed uint64, work []byte) {
		convergeThroughFaults(t, newInstallation(t, storetest.MustOpenSQLite(t), "liandong/chengdu"),
			newInstallation(t, storetest.MustOpenSQLite(t), "liandong/chongqing"), seed, work, false)
	})
}

// rounds is how many rounds a schedule runs; the network is partitioned
// from its first third to its second.
const rounds = 40

// convergeThroughFaults runs the schedule of seed and work; requireFaults
// asserts that each kind of fault the test relies on happened, as the
// fixed seeds are chosen to make it (a fuzzed seed may not).
func convergeThroughFaults(t *testing.T, cd, cq *installation, seed uint64, work []byte, requireFaults bool) {
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
	if len(work) == 0 {
		work = make([]byte, rounds)
		for i := range work {
			work[i] = byte(rng.IntN(256))
		}
	}
	people := &workers{w: w, chengdu: cd, liaisons: map[*installation]*domain.User{}, created: map[*installation][]int64{}}
	for round, b := range work[:min(len(work), rounds)] {
		switch round {
		case rounds / 3:
			network.Partition()
		case 2 * rounds / 3:
			network.Heal()
		}
		in := cd
		if b&1 == 1 {
			in = cq
		}
		people.act(t, in, round, b>>1)
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
	network.Heal()
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
	if requireFaults && (len(people.created[cq]) == 0 || people.decided == 0 || people.proposed == 0 || people.ownUnits == 0) {
		t.Fatalf("the work this test relies on did not all happen: Chongqing created %d items, %d proposals, %d decisions, %d changes of a side's own units",
			len(people.created[cq]), people.proposed, people.decided, people.ownUnits)
	}
	if !equal(got, want) || len(got) != len(people.created[cd])+len(people.created[cq]) {
		t.Fatalf("after healing Chongqing holds %d items, Chengdu %d, created %d; differing: %v", len(got), len(want), len(people.created[cd])+len(people.created[cq]), diff(got, want))
	}
	if got, want := sharedChanges(t, cq, w.globalMech), sharedChanges(t, cd, w.globalMech); !equal(got, want) {
		t.Fatalf("after healing the two-side changes differ: %v\nChongqing %v\nChengdu %v", diff(got, want), got, want)
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
			// A proposal may be refused (a decision raced by the keeper's
			// own): its answer says so on both sides, as checked below.
			if o.Outcome != store.Applied && !(o.Outcome == store.Refused && strings.Contains(o.EventID, "#proposal-")) {
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
		sameOutcome(t, sender, receiver)
	}
}

// workers are the people at work on both installations: a liaison for
// each side's unit, and the items each installation created.
type workers struct {
	w        *twinCore
	chengdu  *installation // keeps the shared mechanism
	liaisons map[*installation]*domain.User
	created  map[*installation][]int64
	proposed int // proposals sent to the other installation
	decided  int // changes confirmed or rejected
	ownUnits int // changes of a side's own units
}

// act does one round's work on in, as what says: what%5 picks the action
// (0 create an item, 1 its keeper edits one, 2 a liaison retitles one
// (joint) or, for an odd pick, adds or removes a cooperating unit of its
// own side (its own, applied at once even on a replica), 3 a liaison
// completes or reopens one: two-side, 4 a liaison confirms or rejects a
// change waiting for its side), what/5 picks the item.
func (p *workers) act(t *testing.T, in *installation, round int, what byte) {
	t.Helper()
	ctx := context.Background()
	mech, cdUnit, cqUnit, ok := p.w.on(t, in)
	if !ok { // nothing received yet: Chengdu works instead
		in = p.chengdu
		mech, cdUnit, cqUnit, _ = p.w.on(t, in)
	}
	liaison := p.liaisons[in]
	if liaison == nil {
		unit := cdUnit
		if in.name == "liandong/chongqing" {
			unit = cqUnit
		}
		liaison = liaisonOf(t, in, in.name+"@liaison.example", in.name+" 联络员", unit)
		p.liaisons[in] = liaison
	}
	items, err := store.All(ctx, in.store.Items, map[string]string{"mechanism": itoa(mech)}, false)
	if err != nil {
		t.Fatal(err)
	}
	action, pick := what%5, int(what/5)
	if action > 0 && len(items) == 0 {
		action = 0
	}
	var it *domain.Item
	if len(items) > 0 {
		it = items[pick%len(items)]
	}
	by := domain.ActorFor(liaison)
	switch action {
	case 0:
		created := mustCreate(t, in.store, in.store.Items, &domain.Item{MechanismID: mech, Title: fmt.Sprintf("%s 项目 %d", in.name, round), Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: cdUnit, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: cqUnit, Role: domain.LeadUnit}}})
		p.created[in] = append(p.created[in], created.ID)
		return
	case 1:
		if g, _ := in.store.GlobalID(ctx, "items", it.ID); g.Origin != in.name {
			return // kept by the other side: its keeper edits it there
		}
		it.Title, it.Investment.Done = fmt.Sprintf("%s·第%d轮", in.name, round), float64(round)
		err = in.store.Items.Update(ctx, domain.Actor{}, it)
	case 2:
		if pick%2 == 0 {
			it.Title = fmt.Sprintf("%s 联络员·第%d轮", in.name, round)
			err = p.edit(ctx, in, by, it)
			break
		}
		side, economy := "chengdu", p.w.cdEconomy.ID
		if in.name == "liandong/chongqing" {
			side, economy = "chongqing", p.w.cqEconomy.ID
		}
		unit, ok, err := in.store.LocalID(ctx, domain.GlobalID{Origin: "liandong/chengdu", Entity: "organizations", ID: economy})
		if err != nil || !ok {
			t.Fatalf("%s holds no unit %d (%v)", in.name, economy, err)
		}
		own := domain.SideParties(it.Parties, side)
		if i := slices.IndexFunc(own, func(pt domain.Party) bool { return pt.OrganizationID == unit }); i >= 0 {
			own = slices.Delete(own, i, i+1)
		} else {
			own = append(own, domain.Party{Side: side, OrganizationID: unit, Role: domain.CooperatingUnit})
		}
		it.Parties = domain.WithSideParties(it.Parties, side, own)
		p.ownUnits++
		err = p.edit(ctx, in, by, it)
	case 3:
		if len(it.Pending) > 0 {
			return // one change waits at a time
		}
		it.Status = map[domain.ItemStatus]domain.ItemStatus{domain.Advancing: domain.Completed}[it.Status]
		if it.Status == "" {
			it.Status = domain.Advancing
		}
		err = p.edit(ctx, in, by, it)
	case 4:
		type waiting struct {
			it *domain.Item
			ch domain.ItemChange
		}
		var mine []waiting
		for _, it := range items {
			for _, ch := range it.Pending {
				if in.store.MayConfirm(ctx, by, it, ch) {
					mine = append(mine, waiting{it, ch})
				}
			}
		}
		if len(mine) == 0 {
			return
		}
		w := mine[pick%len(mine)]
		if pick%3 < 2 {
			_, err = in.store.ConfirmItemChange(ctx, by, w.it.ID, w.ch.ID)
		} else {
			_, err = in.store.RejectItemChange(ctx, by, w.it.ID, w.ch.ID)
		}
		if domain.ErrorCode(err) == domain.Conflict {
			err = nil // stale, or a decision already on its way: refused, as it should be
		}
		p.decided++
	}
	if err != nil {
		t.Fatalf("round %d on %s: %v", round, in.name, err)
	}
}

// edit has a liaison change an item: kept here, the two-side rule holds
// what needs the other side; kept by the other side, it is proposed there.
func (p *workers) edit(ctx context.Context, in *installation, by domain.Actor, it *domain.Item) error {
	g, err := in.store.GlobalID(ctx, "items", it.ID)
	if err != nil {
		return err
	}
	if g.Origin != in.name {
		p.proposed++
	}
	return in.store.Items.Update(ctx, by, it)
}

// sharedChanges is what an installation holds of the two-side changes of
// the shared mechanism's items, by the keeper's global id: what each
// changes, which sides confirmed it, and its state.
func sharedChanges(t testing.TB, in *installation, globalMech string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	rows, err := in.store.DB().QueryContext(ctx, "SELECT id, item_id, fields, proposal, confirmed, state FROM item_changes ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, item int64
		var fields, proposal, confirmed, state string
		if err := rows.Scan(&id, &item, &fields, &proposal, &confirmed, &state); err != nil {
			t.Fatal(err)
		}
		g, err := in.store.GlobalID(ctx, "item_changes", id)
		if err != nil {
			t.Fatal(err)
		}
		var status struct{ Status string }
		json.Unmarshal([]byte(proposal), &status)
		var sides []string
		json.Unmarshal([]byte(confirmed), &sides)
		sort.Strings(sides)
		out[g.String()] = fmt.Sprint(mustGlobal(t, in, "items", item), " ", fields, " ", status.Status, " ", sides, " ", state)
	}
	return out
}

// sameOutcome checks that every proposal proposer made to keeper has one
// outcome on both: none is left unanswered, what proposer recorded is the
// keeper's last answer, and one held as a change was settled with it.
func sameOutcome(t *testing.T, proposer, keeper *installation) {
	t.Helper()
	ctx := context.Background()
	answers := map[string]string{}
	rows, err := keeper.store.DB().QueryContext(ctx, "SELECT after_json FROM audit_events WHERE entity = 'federation_answers' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var text string
		var a struct{ Proposal, Outcome, Peer string }
		if err := rows.Scan(&text); err != nil {
			t.Fatal(err)
		}
		if json.Unmarshal([]byte(text), &a) == nil && a.Peer == proposer.name {
			answers[a.Proposal] = a.Outcome
		}
	}
	rows.Close()
	rows, err = proposer.store.DB().QueryContext(ctx, "SELECT p.id, p.state, COALESCE(c.state, '') FROM federation_proposals p LEFT JOIN item_changes c ON c.id = p.change_id ORDER BY p.id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	settled := map[string]string{"applied": store.ProposalApplied, "rejected": store.ProposalRejected, "stale": store.ProposalRefused}
	for rows.Next() {
		var id int64
		var state, change string
		if err := rows.Scan(&id, &state, &change); err != nil {
			t.Fatal(err)
		}
		event := fmt.Sprintf("%s#proposal-%d", proposer.name, id)
		answer := answers[event]
		switch {
		case answer == "":
			t.Errorf("%s never answered %s (%s there)", keeper.name, event, state)
		case answer == store.ProposalHeld && change != "pending" && state != settled[change]:
			t.Errorf("%s: held as a change now %s, recorded %s by %s", event, change, state, proposer.name)
		case answer != store.ProposalHeld && state != answer:
			t.Errorf("%s: %s answered %s, %s recorded %s", event, keeper.name, answer, proposer.name, state)
		}
	}
}

// on is the shared mechanism and each side's unit as in holds them; ok is
// false until they have all arrived there.
func (w *twinCore) on(t testing.TB, in *installation) (mech, cdUnit, cqUnit int64, ok bool) {
	t.Helper()
	ctx := context.Background()
	if in.name == "liandong/chengdu" {
		return w.mech.ID, w.cdDRC.ID, w.cqDRC.ID, true
	}
	ids := []int64{0, 0, 0}
	ok = true
	for i, g := range []string{w.globalMech, "liandong/chengdu:organizations:" + itoa(w.cdDRC.ID), "liandong/chengdu:organizations:" + itoa(w.cqDRC.ID)} {
		gid, _ := domain.ParseGlobalID(g)
		id, held, err := in.store.LocalID(ctx, gid)
		if err != nil {
			t.Fatal(err)
		}
		ids[i], ok = id, ok && held
	}
	return ids[0], ids[1], ids[2], ok
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
