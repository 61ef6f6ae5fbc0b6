package ledger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestOneLeadPerRow imports a ledger that names one lead per row and the
// cooperating units after it, as Guangdong's do: the parties keep the
// file's order, no lead is invented for the other side, the export writes
// them back in that order beside the schedule's four quarters, and under a
// mechanism that names one lead overall a second unit in the lead column
// cooperates.
func TestOneLeadPerRow(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		opts := ledger.Options{Format: ledger.CSV, Mapping: map[string]string{"编号": "number", "项目名称": "title", "牵头单位": "lead", "配合单位": "cooperating"}}
		file := "编号,项目名称,牵头单位,配合单位,一季度,二季度,三季度,四季度\r\n" +
			"P1,会展联动,成都市商务局,重庆市商务委员会、成都市科学技术局,签约,办展,,总结\r\n"
		if _, err := ledger.Import(ctx, s, domain.Actor{}, batch, []byte(file), opts); err != nil {
			t.Fatal(err)
		}
		it := itemNumbered(t, s, batch, "P1")
		want := []party{{"chengdu", cdCommerce, "lead"}, {"chongqing", cqCommerce, "cooperating"}, {"chengdu", cdScience, "cooperating"}}
		if got := partiesOf(t, s, it); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("parties\n got %v\nwant %v", got, want)
		}
		if p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, []byte(file), opts); err != nil || p.Unchanged != 1 || p.Changed != 0 {
			t.Fatalf("importing the same ledger again: %v %+v", err, p)
		}

		tbl, err := ledger.Build(ctx, s, domain.Actor{}, batch, 0)
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{}
		for _, row := range tbl.Rows {
			if row[0] == "P1" {
				for i, h := range tbl.Header {
					cells[h] = row[i]
				}
			}
		}
		for h, want := range map[string]string{"牵头单位": "成都：" + cdCommerce, "配合单位": "重庆：" + cqCommerce + "\n成都：" + cdScience,
			"一季度": "签约", "二季度": "办展", "三季度": "", "四季度": "总结"} {
			if !slices.Contains(tbl.Header, h) || cells[h] != want {
				t.Errorf("exported %s: %q, want %q", h, cells[h], want)
			}
		}

		m, err := s.Mechanisms.Get(ctx, items[0].MechanismID)
		if err != nil {
			t.Fatal(err)
		}
		m.Rules.Leads = domain.LeadsOverall
		if err := s.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
		file = "编号,项目名称,牵头单位,配合单位\r\nP2,科技互认,成都市科学技术局、重庆市科学技术局,重庆市发展和改革委员会\r\n"
		if _, err := ledger.Import(ctx, s, domain.Actor{}, batch, []byte(file), opts); err != nil {
			t.Fatal(err)
		}
		want = []party{{"chengdu", cdScience, "lead"}, {"chongqing", cqScience, "cooperating"}, {"chongqing", cqDRC, "cooperating"}}
		if got := partiesOf(t, s, itemNumbered(t, s, batch, "P2")); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("under one lead overall, parties\n got %v\nwant %v", got, want)
		}
	})
}
