package cycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestQuarterPlanLight: milestones derived from an item's quarterly
// schedule make the light say which quarter's plan was not reached by the
// quarter's end, by the late-milestone thresholds.
func TestQuarterPlanLight(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLadder(t, s)
		it := mustCreate(t, s.Items, &domain.Item{MechanismID: l.group.ID, Title: "智慧交通", Status: domain.Advancing, Parties: l.item.Parties,
			StartOn: domain.MustDate("2024-01-01"), EndOn: domain.MustDate("2025-12-31"), Schedule: domain.Schedule{Q3: "试运行", Q4: "全线通车"}})
		got, held, err := s.DeriveMilestones(ctx, domain.Actor{}, it.ID, it.Version)
		if err != nil || len(held) != 0 {
			t.Fatalf("derive: %v, %d held", err, len(held))
		}
		if len(got.Milestones) != 2 || got.Milestones[0].DueOn.String() != "2024-09-30" || got.Milestones[1].Title != "全线通车" {
			t.Fatalf("milestones %+v", got.Milestones)
		}
		if _, _, err := s.DeriveMilestones(ctx, domain.Actor{}, it.ID, got.Version); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("deriving twice: %v, want nothing left to derive", err)
		}
		now := time.Date(2024, 11, 25, 2, 0, 0, 0, time.UTC)
		out, err := cycle.RecomputeLights(ctx, s, domain.Actor{}, l.group.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		want := "红灯：三季度计划未完成：“试运行”应于2024-09-30完成，已逾期56天。"
		found := false
		for _, c := range out.Items {
			if c.ItemID == it.ID {
				found = true
				if c.To != domain.Red || c.Reason != want {
					t.Fatalf("light %s %q, want red %q", c.To, c.Reason, want)
				}
			}
		}
		if !found {
			t.Fatal("the item was not assessed")
		}
	})
}
