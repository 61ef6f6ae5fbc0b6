package pack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/light"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// Annual is the completion report of a batch for a year: each item as it
// stood at the end of the year (or on the day of compiling, for the current
// year), its milestones due in the year and the problems raised about it.
type Annual struct {
	Batch     *domain.Batch
	Mechanism *domain.Mechanism
	Year      int
	AsOf      domain.Date // the last day counted
	Rows      []AnnualRow
	Later     int // items that came to be after AsOf
	// LaterStated is set when the day one of them came to be is the day
	// it happened as stated, not the day it was recorded.
	LaterStated bool
	Counts      map[domain.ItemStatus]int
	// Milestones due in the year.
	DueInYear, OnTime, DoneLate, Missed int
	MissedRows                          []MilestoneRow
	Raised, Solved, Open                int
	// Checkpoint is the latest signed checkpoint of the audit log when
	// the report was built (zero when none was issued): its footer.
	Checkpoint auditlog.Signed
	units      map[int64]string
}

// AnnualRow is one item of the report.
type AnnualRow struct {
	Item      *domain.Item
	Lead      string
	Due, Done int    // milestones due in the year, and done of those
	Progress  string // the latest report of the year
}

// AnnualFor compiles the completion report of batch for year for actor:
// who oversees the batch's mechanism may read it (its secretariat, its
// leaders), as the pages and the API both ask here. Errors: NotFound (a
// batch the actor may not read), Forbidden, Invalid (the year).
func AnnualFor(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, year int) (*Annual, error) {
	b, err := s.Batches.GetAs(ctx, actor, batchID)
	if err != nil {
		return nil, err
	}
	if err := s.Oversee(ctx, actor, b.MechanismID, policy.Read); err != nil {
		return nil, err
	}
	return BuildAnnual(ctx, s, batchID, year, s.Now())
}

// BuildAnnual compiles the completion report of batch for year, counting up
// to the year's last day or, while the year runs, to today at now in the
// mechanism's time zone. Errors: NotFound, Invalid (a year outside 1949–2200).
func BuildAnnual(ctx context.Context, s *store.Store, batchID int64, year int, now time.Time) (*Annual, error) {
	if year < 1949 || year > 2200 {
		return nil, &domain.Error{Code: domain.Invalid, Message: "the year is out of range",
			Fields: []domain.FieldError{{Field: "year", Reason: "must be a year between 1949 and 2200"}}}
	}
	b, err := s.Batches.Get(ctx, batchID)
	if err != nil {
		return nil, err
	}
	m, err := s.Mechanisms.Get(ctx, b.MechanismID)
	if err != nil {
		return nil, err
	}
	loc := m.Location()
	a := &Annual{Batch: b, Mechanism: m, Year: year, Counts: map[domain.ItemStatus]int{}, units: map[int64]string{}}
	a.AsOf = domain.NewDate(year, 12, 31)
	if today := dateIn(now, loc); today.Before(a.AsOf) {
		a.AsOf = today
	}
	first := domain.NewDate(year, 1, 1)
	inYear := func(d domain.Date) bool { return !d.IsZero() && !d.Before(first) && !a.AsOf.Before(d) }

	current, err := store.All(ctx, s.Items, map[string]string{"batch": id(b.ID)}, true)
	if err != nil {
		return nil, err
	}
	trail, err := s.Trail(ctx, "items", store.RecordIDs(current), loc)
	if err != nil {
		return nil, err
	}
	p := &Pack{units: a.units}
	for _, cur := range current {
		var then domain.Item
		ok, err := trail.StateAt(cur.ID, a.AsOf, &then)
		if err != nil {
			return nil, err
		}
		if !ok {
			if d, stated, ok := trail.Occurred(cur.ID); ok && a.AsOf.Before(d) {
				a.Later++
				a.LaterStated = a.LaterStated || stated
			}
			continue
		}
		if then.ArchivedAt != nil {
			continue
		}
		it := &then
		row := AnnualRow{Item: it}
		if row.Lead, err = p.leads(ctx, s, it); err != nil {
			return nil, err
		}
		a.Counts[it.Status]++
		for _, ms := range it.Milestones {
			if !inYear(ms.DueOn) {
				continue
			}
			row.Due++
			a.DueInYear++
			switch {
			case !ms.DoneOn.IsZero() && a.AsOf.Before(ms.DoneOn) || ms.DoneOn.IsZero():
				if ms.DueOn.Before(a.AsOf) {
					a.Missed++
					a.MissedRows = append(a.MissedRows, MilestoneRow{Item: it, Milestone: ms, Late: days(ms.DueOn, a.AsOf)})
				}
			case ms.DueOn.Before(ms.DoneOn):
				row.Done++
				a.DoneLate++
			default:
				row.Done++
				a.OnTime++
			}
		}
		reports, err := store.All(ctx, s.Reports, map[string]string{"item": id(it.ID), "status": cycle.InFilter()}, false)
		if err != nil {
			return nil, err
		}
		var inYearReports []*domain.Report
		for _, r := range reports {
			if len(r.Period) >= 4 && r.Period[:4] == strconv.Itoa(year) {
				inYearReports = append(inYearReports, r)
			}
		}
		if pr := light.LatestProgress(inYearReports); pr.Known {
			row.Progress = fmt.Sprintf("%d%%（%s）", pr.Percent, pr.Period)
		}
		a.Rows = append(a.Rows, row)
		problems, err := store.All(ctx, s.Problems, map[string]string{"item": id(it.ID)}, false)
		if err != nil {
			return nil, err
		}
		// Raised, solved and open by the days these happened.
		problemTrail, err := s.Trail(ctx, "problems", store.RecordIDs(problems), loc)
		if err != nil {
			return nil, err
		}
		for _, pr := range problems {
			if raised, _, ok := problemTrail.Occurred(pr.ID); ok && inYear(raised) {
				a.Raised++
			}
			if solved, ok := problemTrail.Since(pr.ID, a.AsOf, isResolved); ok && inYear(solved) {
				a.Solved++
			}
			var then domain.Problem
			if ok, err := problemTrail.StateAt(pr.ID, a.AsOf, &then); err != nil {
				return nil, err
			} else if ok && then.Status == domain.ProblemOpen {
				a.Open++
			}
		}
	}
	if a.Checkpoint, err = s.LatestCheckpoint(); err != nil {
		return nil, err
	}
	return a, nil
}

// Doc lays the report out as an official briefing.
func (a *Annual) Doc() *Doc {
	title := fmt.Sprintf("%s%d年度完成情况报告", a.Batch.Name, a.Year)
	if strings.Contains(a.Batch.Name, strconv.Itoa(a.Year)) {
		title = a.Batch.Name + "完成情况报告"
	}
	d := newDoc(title, fmt.Sprintf("%s　截至%s", a.Mechanism.Name, longDate(a.AsOf)))
	recorded := len(a.Rows)
	d.section("总体情况")
	if a.Batch.DeclaredCount > 0 {
		d.para("%s公布合作项目%d个，系统已录入%d个（截至%s）。", a.Batch.Name, a.Batch.DeclaredCount, recorded, longDate(a.AsOf))
	} else {
		d.para("%s未公布项目数量，系统已录入%d个（截至%s）。", a.Batch.Name, recorded, longDate(a.AsOf))
	}
	line := ""
	for _, st := range domain.ItemStatuses {
		if line != "" {
			line += "，"
		}
		line += fmt.Sprintf("%s%d个", statusName(st), a.Counts[st])
	}
	d.para("其中%s；完成率%s（已完成项目占已录入项目）。", line, percent(a.Counts[domain.Completed], recorded))
	switch {
	case a.Later > 0 && a.LaterStated:
		d.para("另有%d个项目在统计截止日之后才开始，不计入本报告。", a.Later)
	case a.Later > 0:
		d.para("另有%d个项目在统计截止日之后录入系统，不计入本报告。", a.Later)
	}
	d.para("本年度应完成节点%d个：按期完成%d个，逾期完成%d个，未完成%d个，按期完成率%s。", a.DueInYear, a.OnTime, a.DoneLate, a.Missed, percent(a.OnTime, a.DueInYear))
	d.para("本年度涉及本批次项目的问题：新提出%d个，解决%d个，截至统计日未解决%d个。", a.Raised, a.Solved, a.Open)

	d.section("分项目完成情况")
	if recorded == 0 {
		d.para("无。")
	} else {
		numbered := false
		for _, r := range a.Rows {
			numbered = numbered || r.Item.Number != ""
		}
		var rows [][]string
		for i, r := range a.Rows {
			it := r.Item
			row := []string{strconv.Itoa(i + 1)}
			if numbered {
				row = append(row, orDash(it.Number))
			}
			rows = append(rows, append(row, it.Title, orDash(r.Lead), statusName(it.Status)+"／"+lightName(it.Light),
				fmt.Sprintf("%d/%d", r.Done, r.Due), orDash(r.Progress),
				number(it.Investment.PlannedThisYear)+"/"+number(it.Investment.Done)))
		}
		header := []string{"序号"}
		if numbered {
			header = append(header, "编号")
		}
		d.table(append(header, "项目", "牵头单位", "状态／灯色", "节点完成/应完成", "最新进度", "计划/完成投资（万元）"), rows)
	}

	d.section("未完成节点")
	if len(a.MissedRows) == 0 {
		d.para("无。")
	} else {
		var rows [][]string
		for i, r := range a.MissedRows {
			rows = append(rows, []string{strconv.Itoa(i + 1), r.Item.Title, r.Milestone.Title, r.Milestone.DueOn.String(), fmt.Sprintf("%d天", r.Late)})
		}
		d.table([]string{"序号", "项目", "节点", "计划日期", "截至统计日逾期"}, rows)
	}

	d.section("数据说明")
	d.para("项目状态、灯色取自审计记录中统计截止日（%s，%s时间）结束时的状态，问题按其提出、解决的日期计入，均以发生的日期为准，而非录入系统的日期；节点和进度报告按其本身的日期计入。", longDate(a.AsOf), a.Mechanism.TimeZone)
	d.checkpoint(a.Checkpoint)
	return d
}
