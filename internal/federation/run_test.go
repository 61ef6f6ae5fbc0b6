package federation_test

import (
	"context"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationChangeLeavesWithoutWaitingForTheInterval: with both nodes
// running on an hour's interval, a change made on one side reaches the
// other through its export at commit and the hint, not the next sync.
func TestFederationChangeLeavesWithoutWaitingForTheInterval(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cd, cq, w := sharingPair(t)
	done := make(chan struct{}, 2)
	for _, in := range []*installation{cd, cq} {
		go func() { in.node.Run(ctx, time.Hour); done <- struct{}{} }()
	}
	defer func() { cancel(); <-done; <-done }()
	// Each node's first sync, at start, ends with the other's receipt:
	// from then on only an export at commit can carry a change.
	receipted := func(in, peer *installation) bool {
		p, err := in.store.Peer(ctx, peer.name)
		if err != nil {
			return false
		}
		sent, err := in.store.Checkpoints(ctx, p, store.SentCheckpoint)
		return err == nil && len(sent) > 0
	}
	for start := time.Now(); !receipted(cd, cq) || !receipted(cq, cd); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > time.Minute {
			t.Fatal("the nodes' first syncs did not end within a minute")
		}
	}

	it := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.NotStarted})
	g, _ := cd.store.GlobalID(ctx, "items", it.ID)
	deadline := time.Now().Add(time.Minute) // far below the interval, far above a round trip
	for {
		if _, ok, err := cq.store.LocalID(ctx, g); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the item created on Chengdu did not reach Chongqing within a minute, with an hour between syncs")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
