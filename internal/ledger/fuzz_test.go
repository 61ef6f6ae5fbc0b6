package ledger_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
)

// FuzzImport feeds arbitrary bytes to the CSV and XLSX importers of a real
// ledger on the demo data: the preview either refuses the file with a
// reason or reads it row by row, naming the sheet, row and column of every
// refused cell; it never fails inside, and it writes nothing.
func FuzzImport(f *testing.F) {
	ctx := context.Background()
	s, batch := fuzzDemo(f)
	for _, format := range []ledger.Format{ledger.CSV, ledger.XLSX} {
		file, err := ledger.Export(ctx, s, domain.Actor{}, batch, 0, format)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(file, format == ledger.XLSX)
	}
	f.Add([]byte("编号,项目名称,状态\n1,=cmd|' /C calc'!A0,完成了吧\n"), false)
	f.Add([]byte("PK\x03\x04garbage"), true)
	f.Fuzz(func(t *testing.T, file []byte, xlsx bool) {
		format := ledger.CSV
		if xlsx {
			format = ledger.XLSX
		}
		p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, ledger.Options{Format: format})
		if err != nil {
			if code := domain.ErrorCode(err); code == domain.Internal {
				t.Fatalf("internal error on a user's file: %v", err)
			}
			return
		}
		for _, e := range p.Errors {
			if e.Sheet == "" || e.Row == 0 || e.Reason == "" {
				t.Fatalf("a refusal that does not say where and why: %+v", e)
			}
		}
	})
}

// FuzzImportLayout is FuzzImport through a mapping with two header rows,
// fill-down and unit columns, seeded with the layout fixtures: whatever
// the file, the preview refuses it with a reason or names where each
// refusal and each unresolved unit name is.
func FuzzImportLayout(f *testing.F) {
	ctx := context.Background()
	s, batch := fuzzDemo(f)
	for name := range fixtureSheets {
		f.Add(readFixture(f, name), !strings.HasSuffix(name, ".csv"))
	}
	opts := ledger.Options{Mapping: map[string]string{"序号": "number", "项目名称": "title", "牵头单位": "lead", "配合单位": "cooperating", "进度安排 › 二季度": "schedule.q2"},
		Layout: domain.LedgerLayout{HeaderRows: []int{2, 3}, FillDown: []string{"lead", "cooperating"}}}
	f.Fuzz(func(t *testing.T, file []byte, xlsx bool) {
		opts.Format = ledger.CSV
		if xlsx {
			opts.Format = ledger.XLSX
		}
		p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, opts)
		if err != nil {
			if code := domain.ErrorCode(err); code == domain.Internal {
				t.Fatalf("internal error on a user's file: %v", err)
			}
			return
		}
		for _, e := range p.Errors {
			if e.Sheet == "" || e.Row == 0 || e.Reason == "" {
				t.Fatalf("a refusal that does not say where and why: %+v", e)
			}
		}
		for _, u := range p.Unresolved {
			if u.Name == "" || u.Row == 0 || u.Column == "" || len(u.Suggestions) > 3 {
				t.Fatalf("an unresolved unit that does not say where: %+v", u)
			}
		}
		if len(p.Outcomes) != p.Rows || p.Added+p.Changed+p.Unchanged+p.Refused != p.Rows {
			t.Fatalf("%d rows read, %d outcomes: %d added, %d changed, %d unchanged, %d refused", p.Rows, len(p.Outcomes), p.Added, p.Changed, p.Unchanged, p.Refused)
		}
	})
}

// fuzzDemo opens a store with the demo loaded, closed when f ends, and
// returns it with the first batch's id.
func fuzzDemo(f *testing.F) (*store.Store, int64) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), "")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	if err := demo.Load(ctx, s); err != nil {
		f.Fatal(err)
	}
	batches, err := s.Batches.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "第一批合作项目"}})
	if err != nil || len(batches.Items) != 1 {
		f.Fatalf("the first batch: %v", err)
	}
	return s, batches.Items[0].ID
}
