package federation_test

import (
	"context"
	"fmt"
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
// Chengdu's change, and the proposal is answered. A proposal that changes
// a field Chengdu changed since the version it was made on is refused as
// stale; one that changes other fields lands beside Chengdu's change.
func TestFederationProposalsCrossToTheKeeper(t *testing.T) {
	ctx := context.Background()
	cd, cq, w, rail, railOnCQ, cqUnit := sharedRail(t)
	liaison := liaisonOf(t, cq, "liaison@cq.example", "重庆联络员", cqUnit)
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
		propose(t, func(it *domain.Item) { it.Content = "重庆段：完成初步设计" })
		if p := latest(t); p.State != store.ProposalSent {
			t.Fatalf("before any sync the proposal is %s, want sent", p.State)
		}
		sync(t, cq, cd, cq)
		onCD, _ := cd.store.Items.Get(ctx, rail)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if onCD.Content != "重庆段：完成初步设计" || onCQ.Content != onCD.Content {
			t.Fatalf("content after the proposal: Chengdu %q, Chongqing %q", onCD.Content, onCQ.Content)
		}
		if onCD.Source != "成都市发展和改革委员会 2024-11" {
			t.Fatalf("the proposal changed the item's source on its keeper: %q", onCD.Source)
		}
		// Chongqing's history names its liaison for the change Chengdu
		// made for it, not Chengdu's system.
		actors, err := cq.store.RemoteActors(ctx, "items", railOnCQ)
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, a := range actors {
			named = named || (a.Name == "重庆联络员" && a.UnitID == cqUnit)
		}
		if !named {
			t.Fatalf("Chongqing's history does not name its liaison for the change Chengdu applied: %+v", actors)
		}
		if p := latest(t); p.State != store.ProposalApplied || p.AnsweredAt == nil {
			t.Fatalf("the proposal is %s (%s), want applied", p.State, p.Reason)
		}
	})

	t.Run("HeldForTheKeepersSide", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Status = domain.Completed })
		sync(t, cq, cd, cq)
		onCD, _ := cd.store.Items.Get(ctx, rail)
		if onCD.Status != domain.Advancing || len(onCD.Pending) != 1 || !slices.Equal(onCD.Pending[0].Awaiting, []string{"chengdu"}) {
			t.Fatalf("on Chengdu the item is %s with pending %+v; want it advancing, completion awaiting Chengdu's side", onCD.Status, onCD.Pending)
		}
		if p := latest(t); p.State != store.ProposalHeld {
			t.Fatalf("the proposal is %s (%s), want held", p.State, p.Reason)
		}
		// The title is joint: Chongqing's new title waits for Chengdu too.
		propose(t, func(it *domain.Item) { it.Title = "成渝中线高铁（重庆建议）" })
		sync(t, cq, cd, cq)
		onCD, _ = cd.store.Items.Get(ctx, rail)
		if onCD.Title != "成渝中线高铁" || len(onCD.Pending) != 2 || fmt.Sprint(onCD.Pending[1].Fields, onCD.Pending[1].Awaiting) != "[title] [chengdu]" {
			t.Fatalf("on Chengdu the item is titled %q with pending %+v; want the title awaiting Chengdu's side", onCD.Title, onCD.Pending)
		}
		if p := latest(t); p.State != store.ProposalHeld {
			t.Fatalf("the title proposal is %s (%s), want held", p.State, p.Reason)
		}
	})

	t.Run("StaleBaseRefused", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Title = "重庆的改法" })
		it, _ := cd.store.Items.Get(ctx, rail)
		it.Title = "成都的改法"
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		sync(t, cd, cq, cd, cq)
		p := latest(t)
		if p.State != store.ProposalRefused || !strings.Contains(p.Reason, "stale: the title changed") {
			t.Fatalf("the proposal on an old version is %s (%s), want refused as stale, naming the title", p.State, p.Reason)
		}
		onCD, _ := cd.store.Items.Get(ctx, rail)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if onCD.Title != "成都的改法" || onCQ.Title != onCD.Title {
			t.Fatalf("titles: Chengdu %q, Chongqing %q; want Chengdu's on both", onCD.Title, onCQ.Title)
		}
	})

	t.Run("OtherFieldsChangedMeanwhile", func(t *testing.T) {
		// Chengdu retitles the item while Chongqing's proposal to change
		// its content is on the way: the proposal changes no field
		// Chengdu changed, so both land.
		propose(t, func(it *domain.Item) { it.Content = "重庆段：先行开工" })
		it, _ := cd.store.Items.Get(ctx, rail)
		it.Title = "成渝中线高铁（成都改）"
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		sync(t, cq, cd, cq)
		onCD, _ := cd.store.Items.Get(ctx, rail)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if onCD.Title != "成渝中线高铁（成都改）" || onCD.Content != "重庆段：先行开工" || onCQ.Title != onCD.Title || onCQ.Content != onCD.Content {
			t.Fatalf("Chengdu holds %q / %q, Chongqing %q / %q; want Chengdu's title and Chongqing's content on both", onCD.Title, onCD.Content, onCQ.Title, onCQ.Content)
		}
		if p := latest(t); p.State != store.ProposalApplied {
			t.Fatalf("the proposal is %s (%s), want applied", p.State, p.Reason)
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
		got, err := store.All(ctx, cd.store.Reports, map[string]string{"item": itoa(rail)}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Progress != handedIn.Progress || got[0].OrganizationID != w.cqDRC.ID || got[0].Period != "2024-11" {
			t.Fatalf("Chengdu holds the reports %+v; want only the one handed in, by Chongqing's unit", got)
		}
	})
}

// TestFederationTwoSideChangesCrossBothWays: a change Chengdu's side makes
// to an item both lead, held by the two-side rule for Chongqing to
// confirm, reaches Chongqing's installation as a change waiting there;
// Chongqing's lead confirms or rejects it on its own pages, the decision
// goes to Chengdu, which keeps the item, and is made there by the same
// rule; the outcome comes back. A proposal from Chongqing held for
// Chengdu's side is answered again when Chengdu decides it.
func TestFederationTwoSideChangesCrossBothWays(t *testing.T) {
	ctx := context.Background()
	cd, cq, w, rail, railOnCQ, cqUnit := sharedRail(t)
	cdLiaison := liaisonOf(t, cd, "liaison@cd.example", "成都联络员", w.cdDRC.ID)
	cqLiaison := liaisonOf(t, cq, "liaison@cq.example", "重庆联络员", cqUnit)

	// propose has Chengdu's liaison change the item; the rule holds it.
	propose := func(t *testing.T, edit func(*domain.Item)) {
		t.Helper()
		it, _ := cd.store.Items.Get(ctx, rail)
		edit(it)
		if err := cd.store.Items.Update(ctx, domain.ActorFor(cdLiaison), it); err != nil {
			t.Fatal(err)
		}
		if it, _ := cd.store.Items.Get(ctx, rail); len(it.Pending) != 1 {
			t.Fatalf("Chengdu's change is not held for Chongqing: pending %+v", it.Pending)
		}
	}
	// waitingOnCQ is the change waiting on Chongqing's replica, which
	// Chongqing's lead may confirm there.
	waitingOnCQ := func(t *testing.T) domain.ItemChange {
		t.Helper()
		it, err := cq.store.Items.Get(ctx, railOnCQ)
		if err != nil {
			t.Fatal(err)
		}
		if len(it.Pending) != 1 || !slices.Equal(it.Pending[0].Awaiting, []string{"chongqing"}) || !slices.Equal(it.Pending[0].Confirmed, []string{"chengdu"}) {
			t.Fatalf("Chongqing's replica shows pending %+v; want the change confirmed by Chengdu, awaiting Chongqing", it.Pending)
		}
		if !cq.store.MayConfirm(ctx, domain.ActorFor(cqLiaison), it, it.Pending[0]) {
			t.Fatal("Chongqing's lead may not confirm the change on its own installation")
		}
		return it.Pending[0]
	}
	status := func(in *installation, id int64) domain.ItemStatus {
		it, err := in.store.Items.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return it.Status
	}

	t.Run("ConfirmedOnThePeersInstallation", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Status = domain.Completed })
		sync(t, cd, cq)
		ch := waitingOnCQ(t)
		if _, err := cq.store.ConfirmItemChange(ctx, domain.ActorFor(cqLiaison), railOnCQ, ch.ID); err != nil {
			t.Fatal(err)
		}
		if status(cq, railOnCQ) != domain.Advancing {
			t.Fatal("the replica applied the confirmation itself: only its keeper may")
		}
		if _, err := cq.store.ConfirmItemChange(ctx, domain.ActorFor(cqLiaison), railOnCQ, ch.ID); domain.ErrorCode(err) != domain.Conflict {
			t.Fatalf("confirming again before the keeper answered: got %v, want a conflict", err)
		}
		sync(t, cq, cd, cq)
		if status(cd, rail) != domain.Completed || status(cq, railOnCQ) != domain.Completed {
			t.Fatalf("after Chongqing confirmed: Chengdu %s, Chongqing %s; want completed on both", status(cd, rail), status(cq, railOnCQ))
		}
		if it, _ := cq.store.Items.Get(ctx, railOnCQ); len(it.Pending) != 0 {
			t.Fatalf("the applied change still waits on Chongqing: %+v", it.Pending)
		}
		if p := latestProposal(t, cq, railOnCQ); p.State != store.ProposalApplied || p.ChangeID != ch.ID {
			t.Fatalf("Chongqing's confirmation is %s (%s) on change %d, want applied on %d", p.State, p.Reason, p.ChangeID, ch.ID)
		}
	})

	t.Run("RejectedOnThePeersInstallation", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Status = domain.Advancing }) // reopening is two-side too
		sync(t, cd, cq)
		ch := waitingOnCQ(t)
		if _, err := cq.store.RejectItemChange(ctx, domain.ActorFor(cqLiaison), railOnCQ, ch.ID); err != nil {
			t.Fatal(err)
		}
		sync(t, cq, cd, cq)
		onCD, _ := cd.store.Items.Get(ctx, rail)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if onCD.Status != domain.Completed || onCQ.Status != domain.Completed || len(onCD.Pending)+len(onCQ.Pending) != 0 {
			t.Fatalf("after Chongqing rejected: Chengdu %s pending %d, Chongqing %s pending %d; want completed, nothing waiting",
				onCD.Status, len(onCD.Pending), onCQ.Status, len(onCQ.Pending))
		}
	})

	t.Run("StaleWhenConfirmed", func(t *testing.T) {
		propose(t, func(it *domain.Item) { it.Status = domain.Advancing })
		sync(t, cd, cq)
		ch := waitingOnCQ(t)
		// Meanwhile Chengdu's system sets the status another way.
		it, _ := cd.store.Items.Get(ctx, rail)
		it.Status = domain.Paused
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		if _, err := cq.store.ConfirmItemChange(ctx, domain.ActorFor(cqLiaison), railOnCQ, ch.ID); err != nil {
			t.Fatal(err)
		}
		sync(t, cq, cd, cq)
		p := latestProposal(t, cq, railOnCQ)
		if p.State != store.ProposalRefused || !strings.Contains(p.Reason, "status") {
			t.Fatalf("confirming a change whose field changed since: %s (%s), want refused naming the status", p.State, p.Reason)
		}
		if status(cd, rail) != domain.Paused || status(cq, railOnCQ) != domain.Paused {
			t.Fatalf("a stale change was applied: Chengdu %s, Chongqing %s", status(cd, rail), status(cq, railOnCQ))
		}
	})

	t.Run("OnlyWhoConfirmsForTheSideAwaited", func(t *testing.T) {
		// A change Chongqing proposes is held for Chengdu: Chongqing's own
		// lead may not confirm it for Chengdu, on either installation.
		it, _ := cq.store.Items.Get(ctx, railOnCQ)
		it.Status = domain.Completed
		if err := cq.store.Items.Update(ctx, domain.ActorFor(cqLiaison), it); err != nil {
			t.Fatal(err)
		}
		sync(t, cq, cd, cq)
		onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
		if len(onCQ.Pending) != 1 || !slices.Equal(onCQ.Pending[0].Awaiting, []string{"chengdu"}) {
			t.Fatalf("Chongqing's proposal held on Chengdu shows on Chongqing as %+v, want it awaiting Chengdu", onCQ.Pending)
		}
		if p := latestProposal(t, cq, railOnCQ); p.State != store.ProposalHeld || p.ChangeID != onCQ.Pending[0].ID {
			t.Fatalf("the proposal is %s on change %d, want held as change %d", p.State, p.ChangeID, onCQ.Pending[0].ID)
		}
		if _, err := cq.store.ConfirmItemChange(ctx, domain.ActorFor(cqLiaison), railOnCQ, onCQ.Pending[0].ID); domain.ErrorCode(err) != domain.Forbidden {
			t.Fatalf("Chongqing confirming for Chengdu: got %v, want forbidden", err)
		}

		// Chengdu's lead confirms it on Chengdu: the proposal is answered.
		onCD, _ := cd.store.Items.Get(ctx, rail)
		if _, err := cd.store.ConfirmItemChange(ctx, domain.ActorFor(cdLiaison), rail, onCD.Pending[0].ID); err != nil {
			t.Fatal(err)
		}
		sync(t, cd, cq)
		if p := latestProposal(t, cq, railOnCQ); p.State != store.ProposalApplied {
			t.Fatalf("Chongqing's proposal, confirmed by Chengdu: %s (%s), want applied", p.State, p.Reason)
		}
		if status(cq, railOnCQ) != domain.Completed {
			t.Fatalf("Chongqing's replica is %s, want completed", status(cq, railOnCQ))
		}
	})

	t.Run("ArchivedAndRestoredByBothSides", func(t *testing.T) {
		// Archiving a two-side item is a two-side change: Chengdu's lead
		// asks, Chongqing's lead agrees on its own installation.
		for _, archive := range []bool{true, false} {
			it, _ := cd.store.Items.Get(ctx, rail)
			var err error
			if archive {
				_, err = cd.store.Items.Archive(ctx, domain.ActorFor(cdLiaison), rail, it.Version)
			} else {
				_, err = cd.store.Items.Restore(ctx, domain.ActorFor(cdLiaison), rail, it.Version)
			}
			if err != nil {
				t.Fatal(err)
			}
			sync(t, cd, cq)
			ch := waitingOnCQ(t)
			if !slices.Equal(ch.Fields, []string{domain.FieldArchived}) {
				t.Fatalf("the change waiting on Chongqing holds %v, want it to archive or restore", ch.Fields)
			}
			if _, err := cq.store.ConfirmItemChange(ctx, domain.ActorFor(cqLiaison), railOnCQ, ch.ID); err != nil {
				t.Fatal(err)
			}
			sync(t, cq, cd, cq)
			onCD, _ := cd.store.Items.Get(ctx, rail)
			onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
			if (onCD.ArchivedAt != nil) != archive || (onCQ.ArchivedAt != nil) != archive {
				t.Fatalf("archive %v, once both agreed: archived on Chengdu %v, on Chongqing %v", archive, onCD.ArchivedAt != nil, onCQ.ArchivedAt != nil)
			}
		}
		// On the replica itself archiving is refused, naming the keeper.
		it, _ := cq.store.Items.Get(ctx, railOnCQ)
		if _, err := cq.store.Items.Archive(ctx, domain.ActorFor(cqLiaison), railOnCQ, it.Version); domain.ErrorCode(err) != domain.Forbidden || !strings.Contains(err.Error(), cd.name) {
			t.Fatalf("archiving the replica: got %v, want forbidden naming %s", err, cd.name)
		}
	})

	t.Run("EveryEnvelopeApplied", func(t *testing.T) {
		for _, pair := range [][2]*installation{{cd, cq}, {cq, cd}} {
			q, _ := pair[1].store.Peer(ctx, pair[0].name)
			outcomes, _ := pair[1].store.Outcomes(ctx, q)
			for _, o := range outcomes {
				if o.Outcome != store.Applied {
					t.Errorf("%s: envelope %d (%s): %s %s", pair[1].name, o.Seq, o.EventID, o.Outcome, o.Reason)
				}
			}
		}
		for _, in := range []*installation{cd, cq} {
			if _, err := in.store.VerifyAudit(ctx); err != nil {
				t.Errorf("%s: the audit log and the rows disagree: %v", in.name, err)
			}
		}
	})
}

// latestProposal is the latest proposal in made on its replica item.
func latestProposal(t *testing.T, in *installation, item int64) store.Proposal {
	t.Helper()
	ps, err := in.store.Proposals(context.Background(), "items", item)
	if err != nil || len(ps) == 0 {
		t.Fatalf("no proposal recorded on %s (%v)", in.name, err)
	}
	return ps[0]
}
