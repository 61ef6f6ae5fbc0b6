package light

import (
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

func ms(title, due, done string) domain.Milestone {
	m := domain.Milestone{Title: title, DueOn: domain.MustDate(due)}
	if done != "" {
		m.DoneOn = domain.MustDate(done)
	}
	return m
}

func report(period string, percent int) *domain.Report {
	return &domain.Report{Period: period, Percent: percent, Status: domain.Submitted}
}

func TestAssess(t *testing.T) {
	today := domain.MustDate("2024-08-14")
	year := func(it domain.Item) domain.Item {
		it.StartOn, it.EndOn = domain.MustDate("2024-01-01"), domain.MustDate("2024-12-31")
		return it
	}
	cases := []struct {
		name     string
		item     domain.Item
		reports  []*domain.Report
		rules    domain.Rules
		light    domain.Light
		reason   string
		reasonEN string
	}{
		{"PausedNotAssessed", domain.Item{Status: domain.Paused}, nil, domain.Rules{}, domain.NoLight,
			"暂停：项目已暂停，不评定。", "none: the item is paused and not assessed"},
		{"RescopedNotAssessed", domain.Item{Status: domain.Rescoped}, nil, domain.Rules{}, domain.NoLight,
			"调整：项目已列入优化调整名单，不评定。", "none: the item was re-scoped and is not assessed"},
		{"CompletedGreen", domain.Item{Status: domain.Completed, EndOn: domain.MustDate("2024-01-01")}, nil, domain.Rules{}, domain.Green,
			"绿灯：项目已完成。", "green: the item is completed"},
		{"NoScheduleNotAssessed", domain.Item{Status: domain.Advancing}, nil, domain.Rules{}, domain.NoLight,
			"未评定：项目没有计划节点、起止日期或进度报告。", "none: the item has no milestones, no start and end dates and no progress report"},
		{"EndPassedRed", domain.Item{Status: domain.Advancing, EndOn: domain.MustDate("2024-08-01")}, nil, domain.Rules{}, domain.Red,
			"红灯：项目应于2024-08-01完成，已逾期13天。", "red: the item was due 2024-08-01 and is 13 days late"},
		{"MilestoneOverdueRed", domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms("track laying", "2024-06-30", ""), ms("signals", "2024-12-31", "")}},
			[]*domain.Report{report("2024-07", 50)}, domain.Rules{}, domain.Red,
			"红灯：里程碑“track laying”应于2024-06-30完成，已逾期45天。", "red: milestone 'track laying' was due 2024-06-30 and is 45 days late"},
		{"MilestoneMissedRecentlyYellow", domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms("铺轨", "2024-07-31", ""), ms("通车", "2024-12-31", "")}},
			[]*domain.Report{report("2024-07", 45)}, domain.Rules{}, domain.Yellow,
			"黄灯：里程碑“铺轨”应于2024-07-31完成，已逾期14天。", "yellow: milestone '铺轨' was due 2024-07-31 and is 14 days late"},
		{"MilestoneLateWithinConfiguredDaysYellow", domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms("铺轨", "2024-06-30", ""), ms("通车", "2024-12-31", "")}},
			[]*domain.Report{report("2024-07", 50)}, domain.Rules{YellowLateDays: 60}, domain.Yellow,
			"黄灯：里程碑“铺轨”应于2024-06-30完成，已逾期45天。", "yellow: milestone '铺轨' was due 2024-06-30 and is 45 days late"},
		{"FarBehindRed", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-06", 60), report("2024-07", 20)}, domain.Rules{}, domain.Red,
			"红灯：实际进度20%（2024-07报告），落后计划进度61% 41个百分点。", "red: progress 20% (report 2024-07) is 41 points behind the planned 61%"},
		{"ThirtyBehindYellow", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-Q2", 31)}, domain.Rules{}, domain.Yellow,
			"黄灯：实际进度31%（2024-Q2报告），落后计划进度61% 30个百分点。", "yellow: progress 31% (report 2024-Q2) is 30 points behind the planned 61%"},
		{"TenBehindYellow", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-07", 51)}, domain.Rules{}, domain.Yellow,
			"黄灯：实际进度51%（2024-07报告），落后计划进度61% 10个百分点。", "yellow: progress 51% (report 2024-07) is 10 points behind the planned 61%"},
		{"SidesAveraged", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-07", 40), report("2024-07", 80)}, domain.Rules{}, domain.Green,
			"绿灯：实际进度60%，计划进度61%，按计划推进。", "green: progress 60% against 61% planned, on plan"},
		{"DraftsIgnored", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-06", 60), {Period: "2024-07", Percent: 5, Status: domain.Draft}}, domain.Rules{}, domain.Green,
			"绿灯：实际进度60%，计划进度61%，按计划推进。", "green: progress 60% against 61% planned, on plan"},
		{"ConfiguredThresholds", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-07", 51)}, domain.Rules{YellowBehind: 5, RedBehind: 8}, domain.Red,
			"红灯：实际进度51%（2024-07报告），落后计划进度61% 10个百分点。", "red: progress 51% (report 2024-07) is 10 points behind the planned 61%"},
		{"MilestoneNearBlue", domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms("立项", "2024-03-31", "2024-03-20"), ms("开工", "2024-08-20", "")}}, nil, domain.Rules{}, domain.Blue,
			"蓝灯：里程碑“开工”应于2024-08-20完成，还剩6天。", "blue: milestone '开工' is due 2024-08-20, in 6 days"},
		{"EndNearBlue", domain.Item{Status: domain.NotStarted, EndOn: domain.MustDate("2024-08-24")}, nil, domain.Rules{}, domain.Blue,
			"蓝灯：项目应于2024-08-24完成，还剩10天。", "blue: the item is due 2024-08-24, in 10 days"},
		{"DeadlineBeyondBlueWindowGreen", domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms("立项", "2024-03-31", "2024-03-20"), ms("开工", "2024-09-20", "")}}, nil, domain.Rules{}, domain.Green,
			"绿灯：实际进度50%，计划进度50%，按计划推进。", "green: progress 50% against 50% planned, on plan"},
		{"ConfiguredBlueWindow", domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms("开工", "2024-09-20", "")}}, []*domain.Report{report("2024-07", 10)}, domain.Rules{BlueWithinDays: 40}, domain.Blue,
			"蓝灯：里程碑“开工”应于2024-09-20完成，还剩37天。", "blue: milestone '开工' is due 2024-09-20, in 37 days"},
		{"QuarterPlanUndoneYellow", domain.Item{Status: domain.Advancing, Schedule: domain.Schedule{Q1: "立项", Q2: "开工", Q4: "通车"},
			Milestones: []domain.Milestone{ms("立项", "2024-03-31", "2024-03-20"), ms("开工", "2024-06-30", ""), ms("通车", "2024-12-31", "")}}, []*domain.Report{report("2024-07", 60)}, domain.Rules{YellowLateDays: 60}, domain.Yellow,
			"黄灯：二季度计划未完成：“开工”应于2024-06-30完成，已逾期45天。", "yellow: the Q2 plan is not done: '开工' was due 2024-06-30 and is 45 days late"},
		{"QuarterPlanUndoneRedByTheSameThreshold", domain.Item{Status: domain.Advancing, Schedule: domain.Schedule{Q2: "开工"},
			Milestones: []domain.Milestone{ms("开工", "2024-06-30", "")}}, nil, domain.Rules{}, domain.Red,
			"红灯：二季度计划未完成：“开工”应于2024-06-30完成，已逾期45天。", "red: the Q2 plan is not done: '开工' was due 2024-06-30 and is 45 days late"},
		{"OnPlanGreen", year(domain.Item{Status: domain.Advancing}), []*domain.Report{report("2024-07", 70)}, domain.Rules{}, domain.Green,
			"绿灯：实际进度70%，计划进度61%，按计划推进。", "green: progress 70% against 61% planned, on plan"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Assess(&c.item, c.reports, today, c.rules)
			if got.Light != c.light || got.Reason != c.reason || got.ReasonEN != c.reasonEN {
				t.Errorf("got %q %q %q,\nwant %q %q %q", got.Light, got.Reason, got.ReasonEN, c.light, c.reason, c.reasonEN)
			}
			if n := len([]rune(got.Stored())); n > domain.MaxName*2 {
				t.Errorf("stored reason has %d characters", n)
			}
		})
	}
}

func TestLongTitleKeepsReasonStorable(t *testing.T) {
	it := domain.Item{Status: domain.Advancing, Milestones: []domain.Milestone{ms(strings.Repeat("长", 200), "2024-01-01", "")}}
	a := Assess(&it, nil, domain.MustDate("2024-08-14"), domain.Rules{})
	if n := len([]rune(a.Stored())); a.Light != domain.Red || n > domain.MaxName*2 {
		t.Fatalf("light %s, %d characters", a.Light, n)
	}
}
