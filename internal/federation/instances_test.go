package federation_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/store"
)

// Several instances of the program share one database; each node keeps
// the logs' hash trees in memory, and the store must stay the truth.

// beforeEntries runs hook once, the next time entries are asked for.
type beforeEntries struct {
	next http.RoundTripper
	hook *atomic.Pointer[func()]
}

func (b beforeEntries) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/entries") {
		if h := b.hook.Swap(nil); h != nil {
			(*h)()
		}
	}
	return b.next.RoundTrip(r)
}

// createItems makes n items on Chengdu in the shared mechanism.
func createItems(t *testing.T, cd *installation, w *twinCore, n int) {
	t.Helper()
	for k := range n {
		mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: fmt.Sprintf("项目 %d", k), Status: domain.NotStarted,
			Parties: []domain.Party{{Side: "chongqing", OrganizationID: w.cqDRC.ID, Role: domain.LeadUnit}}})
	}
}

// TestFederationCheckpointCoversAnotherInstancesExport: a second instance
// of Chengdu exports to the log; the first, which served the log before,
// signs a checkpoint covering the new entries and takes Chongqing's
// receipt for them.
func TestFederationCheckpointCoversAnotherInstancesExport(t *testing.T) {
	ctx := context.Background()
	cd, cq, w := sharingPair(t)
	createItems(t, cd, w, 3)
	sync(t, cd, cq) // Chengdu's node has served its log as it stood

	other, err := federation.NewNode(cd.store, cd.node.Key, cd.node.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	createItems(t, cd, w, 2)
	if _, err := other.Export(ctx); err != nil {
		t.Fatal(err)
	}
	q, _ := cq.store.Peer(ctx, cd.name)
	n, err := cq.node.Pull(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Chongqing received %d entries after the other instance exported, want 2", n)
	}
	p, _ := cd.store.Peer(ctx, cq.name)
	size, _ := cd.store.OutboxSize(ctx, p)
	sent, err := cd.store.Checkpoints(ctx, p, store.SentCheckpoint)
	if err != nil || len(sent) == 0 {
		t.Fatalf("Chengdu holds no receipt (%v)", err)
	}
	if last := sent[len(sent)-1]; last.Size != size || last.CosignedAt.IsZero() {
		t.Errorf("last receipt covers %d entries (cosigned %v), the log holds %d", last.Size, last.CosignedAt, size)
	}
}

// TestFederationPullAfterAConflictingReceive: a second instance of
// Chongqing receives the entries while the first is pulling them, so the
// first's Receive is refused; its next pulls take up from what the store
// holds, and every envelope is applied once.
func TestFederationPullAfterAConflictingReceive(t *testing.T) {
	ctx := context.Background()
	cd, cq := chengduAndChongqing(t)
	var hook atomic.Pointer[func()]
	var direct []http.RoundTripper
	connect(t, cd, cq, func(rt http.RoundTripper) http.RoundTripper {
		direct = append(direct, rt)
		return beforeEntries{next: rt, hook: &hook}
	})
	w := newTwinCore(t, cd)
	agree(t, cd, cq, w.globalMech)
	agree(t, cq, cd, w.globalMech)
	createItems(t, cd, w, 3)
	sync(t, cd, cq)

	// Chongqing's client is made second; the other instance pulls directly.
	other, err := federation.NewNode(cq.store, cq.node.Key, &http.Client{Transport: direct[1]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := cq.store.Peer(ctx, cd.name)
	createItems(t, cd, w, 2)
	if _, err := cd.node.Export(ctx); err != nil {
		t.Fatal(err)
	}
	var otherGot int
	var otherErr error
	pullFirst := func() { otherGot, otherErr = other.Pull(ctx, q) }
	hook.Store(&pullFirst)
	if _, err := cq.node.Pull(ctx, q); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("pulling what the other instance received meanwhile: got %v, want a conflict", err)
	}
	if otherErr != nil || otherGot != 2 {
		t.Fatalf("the other instance received %d (%v), want 2", otherGot, otherErr)
	}

	if n, err := cq.node.Pull(ctx, q); err != nil || n != 0 {
		t.Fatalf("pulling after the conflict: got %d (%v), want nothing new", n, err)
	}
	createItems(t, cd, w, 4)
	if _, err := cd.node.Export(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := cq.node.Pull(ctx, q); err != nil || n != 4 {
		t.Fatalf("pulling new entries after the conflict: got %d (%v), want 4", n, err)
	}
	mustAllBeApplied(t, []*installation{cd, cq})
	p, _ := cd.store.Peer(ctx, cq.name)
	size, _ := cd.store.OutboxSize(ctx, p)
	if held, _ := cq.store.Held(ctx, q); held != size {
		t.Errorf("Chongqing holds %d envelopes, Chengdu's log %d", held, size)
	}
	if got, want := sharedItems(t, cq, w.globalMech), sharedItems(t, cd, w.globalMech); !equal(got, want) {
		t.Errorf("Chongqing holds %d shared items, Chengdu %d", len(got), len(want))
	}
}
