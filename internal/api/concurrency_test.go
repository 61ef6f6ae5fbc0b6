package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestTwoInstancesLoseNoUpdate runs two API instances on one PostgreSQL
// database and has clients on both increment the same items by
// read-modify-write with the version they read. Every update that was
// acknowledged must show in the final value, and every stale one must have
// been refused: no update is lost, none is merged.
func TestTwoInstancesLoseNoUpdate(t *testing.T) {
	stores := storetest.MustOpenPostgresInstances(t, 2)
	if stores == nil {
		t.Skip("LIANDONG_TEST_POSTGRES_URL is not set")
	}
	ctx := context.Background()
	s := stores[0]
	f := newFixture(t, s)
	c := newClient(t, s)
	var urls []string
	for _, st := range stores {
		srv := httptest.NewServer(api.New(st, slog.New(slog.NewTextHandler(io.Discard, nil))))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	const items, clients, rounds = 3, 8, 15
	var ids []int64
	for i := 0; i < items; i++ {
		it := must(t, s.Items, &domain.Item{MechanismID: f.mech.ID, Title: fmt.Sprintf("计数事项%d", i), Status: domain.Advancing})
		ids = append(ids, it.ID)
	}
	var mu sync.Mutex
	acked := map[int64]int{}
	refused := 0
	var wg sync.WaitGroup
	for cl := 0; cl < clients; cl++ {
		wg.Add(1)
		go func(cl int) {
			defer wg.Done()
			inst := *c
			inst.srv = &httptest.Server{URL: urls[cl%2]}
			for r := 0; r < rounds; r++ {
				id := ids[(cl+r)%items]
				one := fmt.Sprintf("/api/v1/items/%d", id)
				got := inst.do(t, "GET", one, nil)
				if got.status != 200 {
					t.Errorf("read: %d", got.status)
					return
				}
				body := got.json(t)
				done := body["investment"].(map[string]any)["done"].(float64)
				res := inst.do(t, "PATCH", one, map[string]any{"investment": map[string]any{"done": done + 1}}, "If-Match", got.header.Get("ETag"))
				mu.Lock()
				switch res.status {
				case 200:
					acked[id]++
				case 412:
					refused++
				default:
					t.Errorf("update answered %d: %s", res.status, res.body)
				}
				mu.Unlock()
			}
		}(cl)
	}
	wg.Wait()
	total := 0
	for _, id := range ids {
		it, err := stores[1].Items.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if int(it.Investment.Done) != acked[id] {
			t.Errorf("item %d: value %v after %d acknowledged increments: an update was lost or merged", id, it.Investment.Done, acked[id])
		}
		if int(it.Version) != acked[id]+1 {
			t.Errorf("item %d: version %d, want %d", id, it.Version, acked[id]+1)
		}
		total += acked[id]
	}
	if total+refused != clients*rounds || refused == 0 {
		t.Fatalf("%d acknowledged + %d refused of %d attempts; the test must provoke stale updates", total, refused, clients*rounds)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit after concurrent updates: %d, %v", n, err)
	}
}
