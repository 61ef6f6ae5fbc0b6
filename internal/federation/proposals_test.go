package federation_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationProposalsCrossToTheKeeper: Chongqing's liaison edits an
// item Chengdu keeps. The change is proposed to Chengdu against the
// version Chengdu last sent, applied there through Chengdu's own two-side
// rule (what Chengdu's side must confirm waits for it), comes back as
// Chengdu's change, and the proposal is answered; a proposal on a version
// Chengdu has since changed is refused as stale.
func TestFederationProposalsCrossToTheKeeper(t *testing.T) {
	ctx := context.Background()
	cd, cq, w := sharingPair(t)
	rail := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.Advancing,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: w.cqDRC.ID, Role: domain.LeadUnit}}})
	sync(t, cd, cq)

	railOnCQ, _, _ := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "items", ID: rail.ID})
	cqUnit, _, _ := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "organizations", ID: w.cqDRC.ID})
	liaison := &domain.User{Email: "liaison@cq.example", Name: "重庆联络员", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: cqUnit}}}
	if err := cq.store.Users.Create(ctx, domain.Actor{}, liaison); err != nil {
		t.Fatal(err)
	}
	propose := func(t *testing.T, edit func(*domain.Item)) {
		t.Helper()
		it, err := cq.store.Items.Get(ctx, railOnCQ)
		if err != nil {
			t.Fatal(err)
		}
		title := it.Title
		edit(it)
		var held []domain.ItemChange
		err = cq.store.Write(ctx, domain.ActorFor(liaison), func(tx *store.Tx) error {
			if err := cq.store.Items.UpdateTx(ctx, tx, it); err != nil {
				return err
			}
			held = tx.Held()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != 1 || !slices.Equal(held[0].Awaiting, []string{cd.name}) {
			t.Fatalf("the edit of a replica holds %+v, want one change awaiting %s", held, cd.name)
		}
		if again, _ := cq.store.Items.Get(ctx, railOnCQ); again.Title != title {
			t.Fatalf("the replica changed before its keeper did: %q", again.Title)
		}
	}
	latest := func(t *testing.T) store.Proposal {
		t.Helper()
		ps, err := cq.store.Proposals(ctx, "items", railOnCQ)
		if err != nil || len(ps) == 0 {
			t.Fatalf("no proposal recorded on Chongqing (%v)", err)
		}
		return ps[0]
	}

	t.Run("AppliedByTheKeeper", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Title = "成渝中线高铁（重庆建议）" })
		if p := latest(t); p.State != store.ProposalSent {
			t.Fatalf("before any sync the proposal is %s, want sent", p.State)
		}
		sync(t, cq, cd, cq)
		onCD, _ := cd.store.Items.Get(ctx, rail.ID)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if onCD.Title != "成渝中线高铁（重庆建议）" || onCQ.Title != onCD.Title {
			t.Fatalf("titles after the proposal: Chengdu %q, Chongqing %q", onCD.Title, onCQ.Title)
		}
		if p := latest(t); p.State != store.ProposalApplied || p.AnsweredAt == nil {
			t.Fatalf("the proposal is %s (%s), want applied", p.State, p.Reason)
		}
	})

	t.Run("HeldForTheKeepersSide", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Status = domain.Completed })
		sync(t, cq, cd, cq)
		onCD, _ := cd.store.Items.Get(ctx, rail.ID)
		if onCD.Status != domain.Advancing || len(onCD.Pending) != 1 || !slices.Equal(onCD.Pending[0].Awaiting, []string{"chengdu"}) {
			t.Fatalf("on Chengdu the item is %s with pending %+v; want it advancing, completion awaiting Chengdu's side", onCD.Status, onCD.Pending)
		}
		if p := latest(t); p.State != store.ProposalHeld {
			t.Fatalf("the proposal is %s (%s), want held", p.State, p.Reason)
		}
	})

	t.Run("StaleBaseRefused", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Title = "重庆的改法" })
		it, _ := cd.store.Items.Get(ctx, rail.ID)
		it.Title = "成都的改法"
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		sync(t, cd, cq, cd, cq)
		p := latest(t)
		if p.State != store.ProposalRefused || !strings.Contains(p.Reason, "stale") {
			t.Fatalf("the proposal on an old version is %s (%s), want refused as stale", p.State, p.Reason)
		}
		onCD, _ := cd.store.Items.Get(ctx, rail.ID)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if onCD.Title != "成都的改法" || onCQ.Title != onCD.Title {
			t.Fatalf("titles: Chengdu %q, Chongqing %q; want Chengdu's on both", onCD.Title, onCQ.Title)
		}
	})

	t.Run("HandedInReportsCross", func(t *testing.T) {
		draft := &domain.Report{ItemID: railOnCQ, OrganizationID: cqUnit, Period: "2024-10", Status: domain.Draft, Progress: "草稿"}
		handedIn := &domain.Report{ItemID: railOnCQ, OrganizationID: cqUnit, Period: "2024-11", Status: domain.Submitted, Progress: "重庆段完成征地拆迁"}
		for _, r := range []*domain.Report{draft, handedIn} {
			if err := cq.store.Reports.Create(ctx, domain.ActorFor(liaison), r); err != nil {
				t.Fatal(err)
			}
		}
		sync(t, cq, cd)
		got, err := store.All(ctx, cd.store.Reports, map[string]string{"item": itoa(rail.ID)}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Progress != handedIn.Progress || got[0].OrganizationID != w.cqDRC.ID || got[0].Period != "2024-11" {
			t.Fatalf("Chengdu holds the reports %+v; want only the one handed in, by Chongqing's unit", got)
		}
	})
}
