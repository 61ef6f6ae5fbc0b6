package domain

import (
	"fmt"
	"testing"
)

// TestDeriveMilestones: a milestone per quarter with a text, due on the
// quarter's last day of the item's year, none twice.
func TestDeriveMilestones(t *testing.T) {
	it := &Item{Schedule: Schedule{Q1: "立项", Q2: "开工", Q4: "竣工"}, StartOn: MustDate("2023-03-01"), EndOn: MustDate("2025-12-31")}
	got := it.DeriveMilestones(MustDate("2024-05-10"))
	if fmt.Sprint(got) != "[{0 立项 2024-03-31 } {0 开工 2024-06-30 } {0 竣工 2024-12-31 }]" {
		t.Fatalf("derived %v", got)
	}
	it.Milestones = got[:2]
	if again := it.DeriveMilestones(MustDate("2024-05-10")); fmt.Sprint(again) != "[{0 竣工 2024-12-31 }]" {
		t.Fatalf("derived again %v, want only the quarter not yet derived", again)
	}
	if q := it.ScheduledQuarter(got[1]); q != 2 {
		t.Fatalf("milestone %v derived from quarter %d, want 2", got[1], q)
	}
	if q := it.ScheduledQuarter(Milestone{Title: "开工", DueOn: MustDate("2024-06-15")}); q != 0 {
		t.Fatalf("a milestone due mid-quarter counted as derived from quarter %d", q)
	}
	// An item that ended in 2025 has its schedule in 2025, read in 2026.
	if y := it.ScheduleYear(MustDate("2026-02-01")); y != 2025 {
		t.Fatalf("schedule year %d after the end, want 2025", y)
	}
	if d := QuarterEnd(2024, 1); d.String() != "2024-03-31" {
		t.Fatalf("Q1 ends %s", d)
	}
}
