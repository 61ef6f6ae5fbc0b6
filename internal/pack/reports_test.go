package pack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
)

// TestPackSaysCorrectedAndReturned: in the scenario's pack of meeting 2,
// a report corrected after submission is said so with its reason and
// quotes its unit's highlight and next steps; a returned report is said
// so, with its reason, and is no longer counted as in.
func TestPackSaysCorrectedAndReturned(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		rail, lab := sc.items[0], sc.items[1]
		one := func(item *domain.Item, unit string) *domain.Report {
			t.Helper()
			reps, err := store.All(ctx, s.Reports, map[string]string{"item": fmt.Sprint(item.ID), "period": "2024-04"}, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reps {
				if o, _ := s.Organizations.Get(ctx, r.OrganizationID); o != nil && o.Name == unit {
					return r
				}
			}
			t.Fatalf("no 2024-04 report of %s on %s", unit, item.Title)
			return nil
		}
		inApril := func(p *pack.Pack) (cycle.PeriodStatus, bool) {
			for _, st := range p.Periods {
				if st.Period.Key == "2024-04" {
					return st, true
				}
			}
			return cycle.PeriodStatus{}, false
		}
		before, err := pack.Build(ctx, s, sc.meeting2.ID)
		if err != nil {
			t.Fatal(err)
		}
		april, ok := inApril(before)
		if !ok {
			t.Fatal("the pack has no 2024-04 period")
		}

		sc.at("2024-05-15")
		cd := one(rail, "成都市交通运输局")
		if _, err := s.CorrectReport(ctx, domain.Actor{}, cd.ID, cd.Version, &domain.Report{Progress: "完成初步设计批复。", Percent: 25,
			Highlight: "两地联合完成初设审查", NextSteps: "6月底前完成施工招标"}, "补充初设批复情况"); err != nil {
			t.Fatal(err)
		}
		cq := one(lab, "重庆市科学技术局")
		if _, err := s.ReviewReport(ctx, domain.Actor{}, cq.ID, cq.Version, false, "缺少挂牌时间安排"); err != nil {
			t.Fatal(err)
		}

		p, err := pack.Build(ctx, s, sc.meeting2.ID)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := inApril(p)
		if after.In != april.In-1 {
			t.Errorf("reports in for 2024-04: %d, want %d (the returned one no longer in)", after.In, april.In-1)
		}
		b, err := p.Doc().Bytes(pack.Markdown)
		if err != nil {
			t.Fatal(err)
		}
		md := string(b)
		for _, want := range []string{
			"轨道交通互联（成都市交通运输局，2024年4月）的进度报告报送后更正1次，最近一次于2024年5月15日，更正原因：补充初设批复情况。",
			"成都市交通运输局：轨道交通互联（2024年4月）：两地联合完成初设审查。下一步，6月底前完成施工招标。",
			"共建重点实验室（重庆市科学技术局，2024年4月）的进度报告已被退回，原因：缺少挂牌时间安排",
			"| 重庆市科学技术局 | 10 | 0 | 10 | 2024年1月至2024年5月中的5期（含已退回） | — |",
			"重庆市科学技术局（2024年1月至2024年5月中的5期）",
		} {
			if !strings.Contains(md, want) {
				t.Errorf("the pack does not say %q", want)
			}
		}
	})
}
