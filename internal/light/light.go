// Package light computes an item's traffic light by its mechanism's rules,
// and says why in Chinese and English. The functions are pure: the caller
// supplies the item, its reports, the day and the rules.
//
// The rules, most severe first (the first that holds decides):
//
//   - paused or re-scoped items are not assessed; completed items are green;
//   - red: the item's end date has passed, a milestone is more than
//     YellowLateDays late, or progress is more than RedBehind points behind plan;
//   - yellow: a milestone is late by up to YellowLateDays (a missed monthly
//     target), or progress is YellowBehind to RedBehind points behind plan;
//   - a late milestone derived from a quarter of the schedule (see
//     domain.Item.DeriveMilestones) is that quarter's plan not done by the
//     quarter's end, and its reason says so ("二季度计划未完成");
//   - blue: an open milestone or the end date is due within BlueWithinDays;
//   - green: on plan.
//
// Planned progress is the share of milestones due by the day when the item
// has milestones, else the share of the time from start to end elapsed.
// Actual progress is the mean percent of the latest period's submitted
// reports, else the share of milestones done.
package light

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/liandong/liandong/internal/domain"
)

// Assessment is a light and its reason in both languages.
type Assessment struct {
	Light    domain.Light `json:"light"`
	Reason   string       `json:"reason"`    // Chinese, the first language
	ReasonEN string       `json:"reason_en"` // English
}

// Stored is the text kept in Item.LightReason: the Chinese reason, a new
// line, the English one.
func (a Assessment) Stored() string {
	if a.ReasonEN == "" {
		return a.Reason
	}
	return a.Reason + "\n" + a.ReasonEN
}

// Progress is what the reports say: the percent and the period it is from.
type Progress struct {
	Known   bool
	Percent int
	Period  string
}

// LatestProgress returns the mean percent of the reports in (submitted or
// accepted, domain.Report.In) of the latest period among reports (of one item).
func LatestProgress(reports []*domain.Report) Progress {
	latest := ""
	for _, r := range reports {
		if r.In() && periodAfter(r.Period, latest) {
			latest = r.Period
		}
	}
	if latest == "" {
		return Progress{}
	}
	sum, n := 0, 0
	for _, r := range reports {
		if r.In() && r.Period == latest {
			sum += r.Percent
			n++
		}
	}
	return Progress{Known: true, Percent: int(math.Round(float64(sum) / float64(n))), Period: latest}
}

// periodAfter orders period keys: months and quarters by their last month.
func periodAfter(a, b string) bool {
	if b == "" {
		return true
	}
	return periodEnd(a) > periodEnd(b)
}

func periodEnd(p string) string {
	if len(p) == 7 && p[5] == 'Q' {
		return p[:5] + map[byte]string{'1': "03", '2': "06", '3': "09", '4': "12"}[p[6]] + "z"
	}
	return p
}

// Planned returns the progress the schedule expects by today, in percent,
// and whether the item has a schedule at all.
func Planned(it *domain.Item, today domain.Date) (int, bool) {
	if len(it.Milestones) > 0 {
		due := 0
		for _, m := range it.Milestones {
			if !today.Before(m.DueOn) {
				due++
			}
		}
		return due * 100 / len(it.Milestones), true
	}
	if it.StartOn.IsZero() || it.EndOn.IsZero() {
		return 0, false
	}
	switch {
	case today.Before(it.StartOn):
		return 0, true
	case !today.Before(it.EndOn):
		return 100, true
	}
	total := days(it.StartOn, it.EndOn)
	if total <= 0 {
		return 100, true
	}
	return days(it.StartOn, today) * 100 / total, true
}

// Assess returns the light of it on today by rules; reports are the item's
// reports (any status).
func Assess(it *domain.Item, reports []*domain.Report, today domain.Date, rules domain.Rules) Assessment {
	r := rules.Effective()
	switch it.Status {
	case domain.Paused:
		return Assessment{domain.NoLight, "暂停：项目已暂停，不评定。", "none: the item is paused and not assessed"}
	case domain.Rescoped:
		return Assessment{domain.NoLight, "调整：项目已列入优化调整名单，不评定。", "none: the item was re-scoped and is not assessed"}
	case domain.Completed:
		return Assessment{domain.Green, "绿灯：项目已完成。", "green: the item is completed"}
	}

	// Overdue: the end date passed without completion.
	if !it.EndOn.IsZero() && it.EndOn.Before(today) {
		late := days(it.EndOn, today)
		return Assessment{domain.Red,
			fmt.Sprintf("红灯：项目应于%s完成，已逾期%d天。", it.EndOn, late),
			fmt.Sprintf("red: the item was due %s and is %d days late", it.EndOn, late)}
	}
	// The most late open milestone.
	var worst *domain.Milestone
	for i := range it.Milestones {
		m := &it.Milestones[i]
		if m.DoneOn.IsZero() && m.DueOn.Before(today) && (worst == nil || m.DueOn.Before(worst.DueOn)) {
			worst = m
		}
	}
	planned, scheduled := Planned(it, today)
	actual := LatestProgress(reports)
	if !actual.Known && len(it.Milestones) > 0 {
		done := 0
		for _, m := range it.Milestones {
			if !m.DoneOn.IsZero() && !today.Before(m.DoneOn) {
				done++
			}
		}
		actual = Progress{Known: true, Percent: done * 100 / len(it.Milestones)}
	}
	behind := 0
	if scheduled && actual.Known {
		behind = planned - actual.Percent
	}
	if worst != nil {
		late := days(worst.DueOn, today)
		if late > r.YellowLateDays {
			return milestoneLate(domain.Red, "红灯", "red", it, worst, late)
		}
	}
	if behind > r.RedBehind {
		return behindPlan(domain.Red, "红灯", "red", actual, planned, behind)
	}
	if worst != nil {
		return milestoneLate(domain.Yellow, "黄灯", "yellow", it, worst, days(worst.DueOn, today))
	}
	if behind >= r.YellowBehind {
		return behindPlan(domain.Yellow, "黄灯", "yellow", actual, planned, behind)
	}
	// The nearest open deadline.
	var nearTitle string
	var near domain.Date
	for _, m := range it.Milestones {
		if m.DoneOn.IsZero() && !m.DueOn.Before(today) && (near.IsZero() || m.DueOn.Before(near)) {
			near, nearTitle = m.DueOn, m.Title
		}
	}
	if !it.EndOn.IsZero() && !it.EndOn.Before(today) && (near.IsZero() || it.EndOn.Before(near)) {
		near, nearTitle = it.EndOn, ""
	}
	if !near.IsZero() && days(today, near) <= r.BlueWithinDays {
		left := days(today, near)
		if nearTitle == "" {
			return Assessment{domain.Blue,
				fmt.Sprintf("蓝灯：项目应于%s完成，还剩%d天。", near, left),
				fmt.Sprintf("blue: the item is due %s, in %d days", near, left)}
		}
		return Assessment{domain.Blue,
			fmt.Sprintf("蓝灯：里程碑“%s”应于%s完成，还剩%d天。", short(nearTitle), near, left),
			fmt.Sprintf("blue: milestone '%s' is due %s, in %d days", short(nearTitle), near, left)}
	}
	if !scheduled && !actual.Known {
		return Assessment{domain.NoLight, "未评定：项目没有计划节点、起止日期或进度报告。",
			"none: the item has no milestones, no start and end dates and no progress report"}
	}
	if scheduled && actual.Known {
		return Assessment{domain.Green,
			fmt.Sprintf("绿灯：实际进度%d%%，计划进度%d%%，按计划推进。", actual.Percent, planned),
			fmt.Sprintf("green: progress %d%% against %d%% planned, on plan", actual.Percent, planned)}
	}
	return Assessment{domain.Green, "绿灯：没有逾期的节点，按计划推进。", "green: no deadline missed, on plan"}
}

// quarterNames name the quarters in reasons.
var quarterNames = [4]string{"一季度", "二季度", "三季度", "四季度"}

// milestoneLate says that m is late. A milestone derived from a quarter of
// the schedule is what should have been reached by that quarter's end, and
// the reason says so: "二季度计划未完成".
func milestoneLate(l domain.Light, zh, en string, it *domain.Item, m *domain.Milestone, late int) Assessment {
	if q := it.ScheduledQuarter(*m); q > 0 {
		return Assessment{l,
			fmt.Sprintf("%s：%s计划未完成：“%s”应于%s完成，已逾期%d天。", zh, quarterNames[q-1], short(m.Title), m.DueOn, late),
			fmt.Sprintf("%s: the Q%d plan is not done: '%s' was due %s and is %d days late", en, q, short(m.Title), m.DueOn, late)}
	}
	return Assessment{l,
		fmt.Sprintf("%s：里程碑“%s”应于%s完成，已逾期%d天。", zh, short(m.Title), m.DueOn, late),
		fmt.Sprintf("%s: milestone '%s' was due %s and is %d days late", en, short(m.Title), m.DueOn, late)}
}

func behindPlan(l domain.Light, zh, en string, p Progress, planned, behind int) Assessment {
	from, fromEN := "", ""
	if p.Period != "" {
		from, fromEN = "（"+p.Period+"报告）", " (report "+p.Period+")"
	}
	return Assessment{l,
		fmt.Sprintf("%s：实际进度%d%%%s，落后计划进度%d%% %d个百分点。", zh, p.Percent, from, planned, behind),
		fmt.Sprintf("%s: progress %d%%%s is %d points behind the planned %d%%", en, p.Percent, fromEN, behind, planned)}
}

// short keeps reasons within the stored limit however long a title is.
func short(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:39]) + "…"
}

// days counts the days from a to b (negative when b is before a).
func days(a, b domain.Date) int {
	return int(math.Round(b.Sub(a.Time).Hours() / 24))
}
