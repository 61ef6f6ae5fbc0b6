package federation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationKeyRotation: Chengdu replaces its key; the statement,
// signed with both keys, reaches Chongqing as an entry of Chengdu's log,
// and Chongqing pins the new key from it on, so what Chengdu signs after
// it crosses. An instance still holding the old key stops sending.
func TestFederationKeyRotation(t *testing.T) {
	ctx := context.Background()
	cd, cq, w := sharingPair(t)
	sync(t, cd, cq)
	old := cd.node.Key

	next, err := federation.RotateKey(ctx, cd.store, old.File(), cd.store.Now())
	if err != nil {
		t.Fatal(err)
	}
	if next.VerifierKey() == old.VerifierKey() || next.Origin() != old.Origin() {
		t.Fatalf("rotated to %q from %q: want a new key of the same installation", next.VerifierKey(), old.VerifierKey())
	}
	if _, err := cd.node.Export(ctx); err == nil || !strings.Contains(err.Error(), "restart") {
		t.Fatalf("an instance holding the old key exported (%v); want it to stop until restarted", err)
	}
	if err := cd.node.UseKey(next); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "新密钥签发的项目", Status: domain.NotStarted})
	sync(t, cd, cq)

	p, _ := cq.store.Peer(ctx, cd.name)
	if p.VerifierKey != next.VerifierKey() {
		t.Fatalf("Chongqing pins %q, want the new key %q", p.VerifierKey, next.VerifierKey())
	}
	got := sharedItems(t, cq, w.globalMech)
	if want := sharedItems(t, cd, w.globalMech); !equal(got, want) || len(got) != 1 {
		t.Fatalf("after the rotation Chongqing holds %v, Chengdu %v", keys(got), keys(want))
	}
	outcomes, _ := cq.store.Outcomes(ctx, p)
	for _, o := range outcomes {
		if o.Outcome != store.Applied {
			t.Errorf("envelope %d (%s): %s %s", o.Seq, o.EventID, o.Outcome, o.Reason)
		}
	}
	// Chengdu's receipts, cosigned by Chongqing, still verify against the
	// checkpoints Chengdu signs with its new key.
	q, _ := cd.store.Peer(ctx, cq.name)
	size, _ := cd.store.OutboxSize(ctx, q)
	sent, _ := cd.store.Checkpoints(ctx, q, store.SentCheckpoint)
	if len(sent) == 0 || sent[len(sent)-1].Size != size {
		t.Fatalf("Chengdu's receipts stop short of its log of %d entries", size)
	}
}
