package federation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationMarksFollowTheReceipts: a shared item kept in Chengdu says
// "waiting" for Chongqing's receipt once its change is in the log, and
// "countersigned" once the receipt came; its replica in Chongqing names
// its keeper and when the change arrived; the status counts the entries
// waiting and raises the overdue alarm only past the limit.
func TestFederationMarksFollowTheReceipts(t *testing.T) {
	ctx := context.Background()
	cd, cq, w := sharingPair(t)
	rail := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.NotStarted,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}}})
	alone := mustCreate(t, cd.store, cd.store.Mechanisms, &domain.Mechanism{Name: "成都市内工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides: []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: w.mech.Sides[0].JurisdictionID}}})
	local := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: alone.ID, Title: "市内事项", Status: domain.NotStarted})
	cdPeer, err := cd.store.Peer(ctx, cq.name)
	if err != nil {
		t.Fatal(err)
	}

	exportOnly := func(t *testing.T) {
		t.Helper()
		if _, err := cd.node.Export(ctx); err != nil {
			t.Fatal(err)
		}
	}
	receiptOf := func(t *testing.T, id int64) store.PeerReceipt {
		t.Helper()
		c, err := cd.store.Crossing(ctx, "items", id)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Shared() || !c.KeptHere || c.Keeper != cd.name || len(c.Peers) != 1 || c.Peers[0].Peer != cq.name {
			t.Fatalf("crossing of Chengdu's shared item: got %+v, want kept here by %s, shared with %s", c, cd.name, cq.name)
		}
		return c.Peers[0]
	}

	t.Run("NotSharedSaysNothing", func(t *testing.T) {
		c, err := cd.store.Crossing(ctx, "items", local.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Shared() {
			t.Fatalf("an item of a mechanism shared with no one: got %+v, want nothing to say", c)
		}
	})

	t.Run("WaitingBeforeTheReceipt", func(t *testing.T) {
		exportOnly(t)
		if got := receiptOf(t, rail.ID); got.Countersigned {
			t.Fatalf("before any receipt: got countersigned, want waiting")
		}
		st, err := federation.StatusOf(ctx, cd.store, cdPeer)
		if err != nil {
			t.Fatal(err)
		}
		if st.Lag() == 0 || st.OldestWaiting.IsZero() {
			t.Fatalf("status before the receipt: lag %d, oldest waiting %v; want entries waiting since they were written", st.Lag(), st.OldestWaiting)
		}
		after := federation.DefaultAlertAfter
		if st.Overdue(st.OldestWaiting.Add(after), after) {
			t.Errorf("overdue exactly at the limit, want only past it")
		}
		if !st.Overdue(st.OldestWaiting.Add(after+time.Second), after) {
			t.Errorf("not overdue a second past the limit")
		}
		st.CheckedAt = st.OldestWaiting.Add(after + time.Minute)
		if out := st.String(); !strings.Contains(out, "ALARM        no receipt for 11m0s") {
			t.Errorf("status 11 minutes after the oldest entry:\n%s\nwant the overdue alarm", out)
		}
		st.CheckedAt = st.OldestWaiting.Add(time.Minute)
		if out := st.String(); strings.Contains(out, "ALARM") {
			t.Errorf("status a minute after the oldest entry raises an alarm:\n%s", out)
		}
		cheap, err := federation.AlertOf(ctx, cd.store, cdPeer)
		if err != nil {
			t.Fatal(err)
		}
		if cheap.Lag() != st.Lag() || !cheap.OldestWaiting.Equal(st.OldestWaiting) || cheap.Forks != st.Forks {
			t.Errorf("AlertOf: lag %d since %v, forks %d; StatusOf: lag %d since %v, forks %d",
				cheap.Lag(), cheap.OldestWaiting, cheap.Forks, st.Lag(), st.OldestWaiting, st.Forks)
		}
	})

	t.Run("CountersignedAfterTheReceipt", func(t *testing.T) {
		sync(t, cd, cq)
		if got := receiptOf(t, rail.ID); !got.Countersigned {
			t.Fatalf("after Chongqing's receipt: got waiting, want countersigned")
		}
		st, err := federation.StatusOf(ctx, cd.store, cdPeer)
		if err != nil {
			t.Fatal(err)
		}
		if st.Lag() != 0 || !st.OldestWaiting.IsZero() || st.Overdue(st.CheckedAt.Add(24*time.Hour), time.Minute) {
			t.Errorf("after the receipt: lag %d, oldest waiting %v; want nothing waiting and no alarm", st.Lag(), st.OldestWaiting)
		}
	})

	t.Run("ReplicaNamesItsKeeper", func(t *testing.T) {
		g, _ := cd.store.GlobalID(ctx, "items", rail.ID)
		replica, ok, err := cq.store.LocalID(ctx, g)
		if err != nil || !ok {
			t.Fatalf("no replica of %s in Chongqing (%v)", g, err)
		}
		c, err := cq.store.Crossing(ctx, "items", replica)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Shared() || c.KeptHere || c.Keeper != cd.name || c.LastReceived.IsZero() {
			t.Fatalf("crossing of the replica: got %+v, want kept by %s with the time its change arrived", c, cd.name)
		}
	})

	t.Run("ALaterChangeWaitsAgain", func(t *testing.T) {
		it, err := cd.store.Items.Get(ctx, rail.ID)
		if err != nil {
			t.Fatal(err)
		}
		it.Title = "成渝中线高铁（川渝段）"
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		exportOnly(t)
		if got := receiptOf(t, rail.ID); got.Countersigned {
			t.Fatalf("a change not yet countersigned: got countersigned, want waiting")
		}
		sync(t, cd, cq)
		if got := receiptOf(t, rail.ID); !got.Countersigned {
			t.Fatalf("the change after its receipt: got waiting, want countersigned")
		}
	})
}
