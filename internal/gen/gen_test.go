package gen_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/gen"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestSameSeedSameData generates a small dataset twice on SQLite and once
// on PostgreSQL: the records, down to their text, are the same each time,
// pass every rule of the store and leave an intact audit chain.
func TestSameSeedSameData(t *testing.T) {
	scale := gen.National.Times(0.001)
	stores := []*store.Store{storetest.MustOpenSQLite(t), storetest.MustOpenSQLite(t)}
	if pg := storetest.MustOpenPostgres(t); pg != nil {
		stores = append(stores, pg)
	}
	var first string
	for i, s := range stores {
		fp := generate(t, s, scale)
		if i == 0 {
			first = fp
		} else if fp != first {
			t.Fatalf("run %d on %s made different data from the first run", i+1, s.Dialect())
		}
	}
	if len(stores) < 3 {
		t.Log("LIANDONG_TEST_POSTGRES_URL is not set: compared SQLite runs only")
	}
}

func generate(t *testing.T, s *store.Store, scale gen.Scale) string {
	t.Helper()
	ctx := context.Background()
	if err := gen.Generate(ctx, s, scale, 42, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	fp := ""
	counts := map[string]int{}
	for q := (domain.ListQuery{Limit: 200}); ; {
		page, err := s.Items.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			fp += fmt.Sprintf("%s|%s|%s|%s|%v|%v;", it.Number, it.Title, it.Content, it.Light, it.Parties, it.Milestones[0].DueOn)
			counts["items"]++
		}
		if q.Cursor = page.NextCursor; q.Cursor == "" {
			break
		}
	}
	for q := (domain.ListQuery{Limit: 200}); ; {
		page, err := s.Reports.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		counts["reports"] += len(page.Items)
		if q.Cursor = page.NextCursor; q.Cursor == "" {
			break
		}
	}
	if counts["items"] != scale.Items || counts["reports"] != scale.Reports {
		t.Fatalf("%v, want %d items and %d reports", counts, scale.Items, scale.Reports)
	}
	return fp
}
