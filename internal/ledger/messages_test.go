package ledger_test

import (
	"context"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestRefusedRowInReadersLanguage: a refused row names its sheet row and
// column in the reader's language, with the reason's stable code.
func TestRefusedRowInReadersLanguage(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, _ := firstBatch(t, s)
		file := setXLSX(t, readFixture(t, "group-merged.xlsx"), "台账", map[string]string{"E5": cqDRC})
		preview := func(locale string) ledger.CellError {
			t.Helper()
			opts := ledger.Options{Format: ledger.XLSX, Mapping: layoutCases[2].mapping.Columns, Layout: layoutCases[2].mapping.LedgerLayout, Locale: locale}
			p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Errors {
				if e.Row == 2 {
					return e
				}
			}
			t.Fatalf("row 2 is not refused: %+v", p.Errors)
			return ledger.CellError{}
		}
		cases := []struct{ locale, reason, message string }{
			{"zh-CN", "找不到单位“成都市发改委”（最接近的单位：", "第2行 D列（成都牵头单位）：找不到单位“成都市发改委”（最接近的单位："},
			{"", "找不到单位“成都市发改委”", "第2行 D列（成都牵头单位）：找不到单位“成都市发改委”"},
			{"en", "no unit named “成都市发改委” (closest: ", "row 2, column D (成都牵头单位): no unit named “成都市发改委” (closest: "},
		}
		for _, tc := range cases {
			e := preview(tc.locale)
			if e.Sheet != "台账" || e.Column != "D (成都牵头单位)" || e.Code != "unknown_unit" {
				t.Errorf("%q: refused as %+v, want sheet 台账, column D, code unknown_unit", tc.locale, e)
			}
			if !strings.HasPrefix(e.Reason, tc.reason) || !strings.HasPrefix(e.Message, tc.message) {
				t.Errorf("%q: reason %q and message %q, want them to begin %q and %q", tc.locale, e.Reason, e.Message, tc.reason, tc.message)
			}
		}
		if e := preview("en"); strings.ContainsAny(e.Message, "第行列：") {
			t.Errorf("an English message in Chinese words: %q", e.Message)
		}
	})
}
