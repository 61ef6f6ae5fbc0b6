package federation_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation/wire"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationRefusesTamperedLogs: an envelope changed in the sender's
// database is refused and nothing of it applied; a log rewritten after the
// receiver witnessed it, even re-signed with the sender's own key, is a
// fork: refused, with the checkpoint kept as evidence.
func TestFederationRefusesTamperedLogs(t *testing.T) {
	ctx := context.Background()
	cd, cq, w := sharingPair(t)
	sync(t, cd, cq)
	p, _ := cd.store.Peer(ctx, cq.name)
	q, _ := cq.store.Peer(ctx, cd.name)

	t.Run("FlippedByte", func(t *testing.T) {
		mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.NotStarted})
		if _, err := cd.node.Export(ctx); err != nil {
			t.Fatal(err)
		}
		size, _ := cd.store.OutboxSize(ctx, p)
		_, err := cd.store.DB().ExecContext(ctx, "UPDATE federation_outbox SET envelope = REPLACE(envelope, '成渝中线高铁', '成渝中线髙铁') WHERE peer_id = ? AND seq = ?", p.ID, size-1)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := cq.store.Outcomes(ctx, q)
		_, err = cq.node.Pull(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("pulling a changed envelope: got %v, want it refused", err)
		}
		after, _ := cq.store.Outcomes(ctx, q)
		if len(after) != len(before) {
			t.Fatalf("%d envelopes kept from a log with a changed one, want none", len(after)-len(before))
		}
		// Put it back: the log goes on.
		cd.store.DB().ExecContext(ctx, "UPDATE federation_outbox SET envelope = REPLACE(envelope, '成渝中线髙铁', '成渝中线高铁') WHERE peer_id = ? AND seq = ?", p.ID, size-1)
		if _, err := cq.node.Pull(ctx, q); err != nil {
			t.Fatalf("the log restored: %v", err)
		}
	})

	t.Run("RewrittenAndResigned", func(t *testing.T) {
		size, _ := cd.store.OutboxSize(ctx, p)
		envs, _ := cd.store.Outbox(ctx, p, size-1, size)
		v, _ := note.NewVerifier(cd.node.Key.VerifierKey())
		ev, err := wire.OpenEvent(envs[0], note.VerifierList(v))
		if err != nil {
			t.Fatal(err)
		}
		ev.Data = json.RawMessage(strings.Replace(string(ev.Data), "成渝中线高铁", "另一个项目", 1))
		forged, err := wire.SignEvent(cd.node.Key.Signer(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cd.store.DB().ExecContext(ctx, "UPDATE federation_outbox SET envelope = ? WHERE peer_id = ? AND seq = ?", string(forged), p.ID, size-1); err != nil {
			t.Fatal(err)
		}
		_, err = cq.node.Pull(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "forked") {
			t.Fatalf("pulling a rewritten log: got %v, want a fork", err)
		}
		forks, _ := cq.store.Checkpoints(ctx, q, store.ForkedCheckpoint)
		witnessed, _ := cq.store.Checkpoints(ctx, q, store.WitnessedCheckpoint)
		if len(forks) != 1 || len(witnessed) == 0 || forks[0].Size != witnessed[len(witnessed)-1].Size || string(forks[0].Signed) == string(witnessed[len(witnessed)-1].Signed) {
			t.Fatalf("evidence kept: %d forked, %d witnessed; want the forked checkpoint beside the witnessed one of the same size", len(forks), len(witnessed))
		}
	})
}
