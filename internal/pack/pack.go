package pack

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Pack is what changed between two meetings of a mechanism. The window is
// the civil days after the previous meeting up to and including the day of
// this one, in the mechanism's time zone; states "at" a day are those at
// the end of it, read from the audit trail by the days changes happened
// (store.Trail), not the days they were recorded.
type Pack struct {
	Mechanism *domain.Mechanism
	Meeting   *domain.Meeting
	Previous  *domain.Meeting // nil for a mechanism's first meeting
	From, To  domain.Date     // the window's first and last day
	// Items as they stood at the end of the window; Later counts those
	// that came to be after it, whose earlier state the data do not hold,
	// the first of them on LaterSince; LaterStated is set when the day of
	// one of them is the day it happened as stated, not the day it was
	// recorded.
	Items        []ItemRow
	Later        int
	LaterSince   domain.Date
	LaterStated  bool
	StatusCounts map[domain.ItemStatus]int
	LightCounts  map[domain.Light]int
	Changes      []ItemChange
	Batches      []BatchRow
	Done, Missed []MilestoneRow
	Periods      []cycle.PeriodStatus
	New          []ProblemRow
	Resolved     []ProblemRow
	Escalated    []ProblemRow
	Overdue      []ProblemRow
	Decisions    []DecisionRow
	Indicators   []IndicatorRow
	Agreements   []*domain.Agreement
	Upper        []*domain.Meeting // meetings of the mechanisms above, held in the window
	Agenda       []string
	// What stands at the meeting (standing.go).
	Standing []BatchStanding
	Members  []SideUnits
	InForce  []*domain.Agreement
	Heard    []Heard
	// Checkpoint is the latest signed checkpoint of the audit log when
	// the pack was built (zero when none was issued): the pack's footer.
	Checkpoint auditlog.Signed
	fixed      []BatchRow // every batch fixed at a meeting (batches)
	units      map[int64]string
	mechs      map[int64]string
	// ReportNotes are the reports of those periods the pack says more of
	// than their count: corrected, returned, or quoting the unit's 亮点
	// and 下一步.
	ReportNotes []ReportNote
	// progress is, per item and unit, the latest counted report of the
	// window that states its progress (本期进展).
	progress map[int64]map[int64]ReportNote
	// Since is the pack issued last for an earlier meeting of the
	// mechanism, whose figures this one's are compared with; nil if none.
	Since *IssuedBefore
}

// IssuedBefore is the pack issued for an earlier meeting.
type IssuedBefore struct {
	Meeting *domain.Meeting
	Issued  *domain.IssuedPack
}

// ReportNote is one report of a period in the window with what the pack
// says of it: that it was corrected (更正) or returned (退回), and the
// unit's highlight and next steps it quotes under the unit.
type ReportNote struct {
	Item   *domain.Item
	Unit   string
	Report *domain.Report
}

// ItemRow is an item as it stood at the end of the window.
type ItemRow struct {
	Item *domain.Item
	Lead string // the lead units, side by side
}

// ItemChange is an item whose status or light differs between the window's
// start and end, or that was recorded within the window.
type ItemChange struct {
	Item                 *domain.Item
	New                  bool
	FromStatus, ToStatus domain.ItemStatus
	FromLight, ToLight   domain.Light
}

// BatchRow is a batch fixed at a meeting held in the window.
type BatchRow struct {
	Batch   *domain.Batch
	Meeting *domain.Meeting
	Fixer   string // the mechanism whose meeting fixed it
}

// MilestoneRow is a milestone of an item.
type MilestoneRow struct {
	Item      *domain.Item
	Milestone domain.Milestone
	Late      int // days after the due date it was done, or by the window's end
}

// ProblemRow is a problem with the mechanism it was raised in.
type ProblemRow struct {
	Problem   *domain.Problem
	Mechanism string
	Note      string // the escalation's note or the days past the limit
}

// DecisionRow is a decision of the previous meeting and what came of it.
type DecisionRow struct {
	Decision domain.MeetingDecision
	Items    []*domain.Item
	Tasks    []*domain.Task
}

// IndicatorRow is an indicator's movement over the window.
type IndicatorRow struct {
	Indicator      *domain.Indicator
	Before, Latest *domain.IndicatorValue // the last value up to the previous meeting, the last in the window
}

// Build compiles the pack of a meeting from the store. Errors: NotFound.
func Build(ctx context.Context, s *store.Store, meetingID int64) (*Pack, error) {
	mt, err := s.Meetings.Get(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	m, err := s.Mechanisms.Get(ctx, mt.MechanismID)
	if err != nil {
		return nil, err
	}
	p := &Pack{Mechanism: m, Meeting: mt, To: mt.HeldOn, units: map[int64]string{}, mechs: map[int64]string{m.ID: m.Name},
		StatusCounts: map[domain.ItemStatus]int{}, LightCounts: map[domain.Light]int{},
		progress: map[int64]map[int64]ReportNote{}}
	// A draft's pack is read while the meeting is prepared: it runs to
	// today, not to a day that has not come.
	if today := dateIn(s.Now(), m.Location()); mt.Draft() && today.Before(p.To) {
		p.To = today
	}
	meetings, err := store.All(ctx, s.Meetings, map[string]string{"mechanism": id(m.ID), "held_before": mt.HeldOn.String()}, false)
	if err != nil {
		return nil, err
	}
	p.Previous = domain.LastHeld(meetings, mt.HeldOn)
	if p.Previous != nil {
		p.From = next(p.Previous.HeldOn)
	}
	dayInWindow := func(d domain.Date) bool {
		return !d.IsZero() && !d.Before(p.From) && !p.To.Before(d)
	}

	// The mechanism and those below it, whose problems climb to it.
	subtree := map[int64]bool{m.ID: true}
	all, err := store.All(ctx, s.Mechanisms, nil, true)
	if err != nil {
		return nil, err
	}
	for grew := true; grew; {
		grew = false
		for _, o := range all {
			p.mechs[o.ID] = o.Name
			if !subtree[o.ID] && subtree[o.ParentID] {
				subtree[o.ID], grew = true, true
			}
		}
	}

	if err := p.items(ctx, s, dayInWindow); err != nil {
		return nil, err
	}
	if err := p.batches(ctx, s, all, dayInWindow); err != nil {
		return nil, err
	}
	if err := p.standing(ctx, s); err != nil {
		return nil, err
	}
	if err := p.problems(ctx, s, subtree, dayInWindow); err != nil {
		return nil, err
	}
	if err := p.decisions(ctx, s); err != nil {
		return nil, err
	}
	if err := p.indicators(ctx, s, dayInWindow); err != nil {
		return nil, err
	}
	agreements, err := store.All(ctx, s.Agreements, map[string]string{"mechanism": id(m.ID)}, false)
	if err != nil {
		return nil, err
	}
	for _, a := range agreements {
		if dayInWindow(a.SignedOn) {
			p.Agreements = append(p.Agreements, a)
		}
	}
	slices.SortStableFunc(p.Agreements, func(a, b *domain.Agreement) int { return a.SignedOn.Compare(b.SignedOn.Time) })
	// Meetings of the mechanisms up the chain held in the window.
	for up := m.ParentID; up != 0; {
		ms, err := store.All(ctx, s.Meetings, map[string]string{"mechanism": id(up)}, false)
		if err != nil {
			return nil, err
		}
		for _, o := range ms {
			if dayInWindow(o.HeldOn) {
				p.Upper = append(p.Upper, o)
			}
		}
		var parent int64
		for _, o := range all {
			if o.ID == up {
				parent = o.ParentID
			}
		}
		up = parent
	}
	slices.SortStableFunc(p.Upper, func(a, b *domain.Meeting) int { return a.HeldOn.Compare(b.HeldOn.Time) })
	for _, a := range mt.Agenda {
		switch a.Kind {
		case domain.AgendaTopicKind:
			p.Agenda = append(p.Agenda, a.Topic)
		case domain.AgendaItemKind:
			if it, err := s.Items.Get(ctx, a.ItemID); err == nil {
				p.Agenda = append(p.Agenda, "合作项目："+it.Title)
			}
		case domain.AgendaProblemKind:
			if pr, err := s.Problems.Get(ctx, a.ProblemID); err == nil {
				p.Agenda = append(p.Agenda, "问题："+pr.Title+"（"+tierName(pr.Tier)+"）")
			}
		}
	}
	// The pack issued last before this meeting, newest meeting first.
	slices.SortStableFunc(meetings, func(a, b *domain.Meeting) int { return b.HeldOn.Compare(a.HeldOn.Time) })
	for _, o := range meetings {
		if o.ID == mt.ID || !o.HeldOn.Before(mt.HeldOn) {
			continue
		}
		ip, err := s.IssuedPack(ctx, o.ID)
		if domain.ErrorCode(err) == domain.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		p.Since = &IssuedBefore{Meeting: o, Issued: ip}
		break
	}
	if p.Checkpoint, err = s.LatestCheckpoint(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Pack) items(ctx context.Context, s *store.Store, dayInWindow func(domain.Date) bool) error {
	current, err := store.All(ctx, s.Items, map[string]string{"mechanism": id(p.Mechanism.ID)}, true)
	if err != nil {
		return err
	}
	trail, err := s.Trail(ctx, "items", store.RecordIDs(current), p.Mechanism.Location())
	if err != nil {
		return err
	}
	var atEnd []*domain.Item
	for _, cur := range current {
		var then domain.Item
		ok, err := trail.StateAt(cur.ID, p.To, &then)
		if err != nil {
			return err
		}
		if !ok {
			if d, stated, ok := trail.Occurred(cur.ID); ok && p.To.Before(d) {
				// Counted only when it came to be after the window; one
				// archived before it existed is simply not there.
				p.Later++
				p.LaterStated = p.LaterStated || stated
				if p.LaterSince.IsZero() || d.Before(p.LaterSince) {
					p.LaterSince = d
				}
			}
			continue
		}
		if then.ArchivedAt != nil {
			continue
		}
		it := &then
		atEnd = append(atEnd, it)
		p.Items = append(p.Items, ItemRow{Item: it})
		p.StatusCounts[it.Status]++
		p.LightCounts[it.Light]++
		if c, changed, err := Compare(trail, cur.ID, it, p.From, dayInWindow); err != nil {
			return err
		} else if changed {
			p.Changes = append(p.Changes, c)
		}
		for _, ms := range it.Milestones {
			switch {
			case dayInWindow(ms.DoneOn):
				p.Done = append(p.Done, MilestoneRow{Item: it, Milestone: ms, Late: max(0, days(ms.DueOn, ms.DoneOn))})
			case dayInWindow(ms.DueOn) && (ms.DoneOn.IsZero() || p.To.Before(ms.DoneOn)):
				p.Missed = append(p.Missed, MilestoneRow{Item: it, Milestone: ms, Late: days(ms.DueOn, p.To)})
			}
		}
	}
	for i := range p.Items {
		lead, err := p.leads(ctx, s, p.Items[i].Item)
		if err != nil {
			return err
		}
		p.Items[i].Lead = lead
	}
	// Reports of the periods that ended in the window. A first meeting has
	// no window start, so its pack counts no reports.
	if p.From.IsZero() || len(atEnd) == 0 {
		return nil
	}
	for _, per := range cycle.Between(p.Mechanism.Cadence, p.From, p.To) {
		var reports []*domain.Report
		for _, it := range atEnd {
			if !cycle.Reporting(it, per) {
				continue
			}
			rs, err := store.All(ctx, s.Reports, map[string]string{"item": id(it.ID), "period": per.Key}, false)
			if err != nil {
				return err
			}
			reports = append(reports, rs...)
			for _, r := range rs {
				if cycle.Counted(r) && r.Progress != "" {
					unit, err := p.unit(ctx, s, r.OrganizationID)
					if err != nil {
						return err
					}
					if p.progress[it.ID] == nil {
						p.progress[it.ID] = map[int64]ReportNote{}
					}
					p.progress[it.ID][r.OrganizationID] = ReportNote{Item: it, Unit: unit, Report: r}
				}
				quoted := cycle.Counted(r) && (r.Highlight != "" || r.NextSteps != "")
				if !quoted && len(r.Corrections) == 0 && r.Status != domain.Returned {
					continue
				}
				unit, err := p.unit(ctx, s, r.OrganizationID)
				if err != nil {
					return err
				}
				p.ReportNotes = append(p.ReportNotes, ReportNote{Item: it, Unit: unit, Report: r})
			}
		}
		st := cycle.Expect(p.Mechanism, atEnd, reports, per, p.To)
		if st.Expected > 0 {
			p.Periods = append(p.Periods, st)
		}
	}
	return nil
}

// Compare tells how item id, whose state at the window's end is it, changed
// in the window that starts on from (zero for a window without a start): it
// came to be within the window (New), or its status or light differs from
// its state at the end of the day before from. changed is false when
// neither holds. The meeting pack and the dashboard's "since the last
// meeting" both ask it.
func Compare(trail *store.Trail, id int64, it *domain.Item, from domain.Date, dayInWindow func(domain.Date) bool) (c ItemChange, changed bool, err error) {
	var before domain.Item
	had := false
	if !from.IsZero() {
		if had, err = trail.StateAt(id, domain.Date{Time: from.AddDate(0, 0, -1)}, &before); err != nil {
			return ItemChange{}, false, err
		}
	}
	switch {
	case !had:
		if d, _, ok := trail.Occurred(id); ok && dayInWindow(d) {
			return ItemChange{Item: it, New: true, ToStatus: it.Status, ToLight: it.Light}, true, nil
		}
	case before.Status != it.Status || before.Light != it.Light:
		return ItemChange{Item: it, FromStatus: before.Status, ToStatus: it.Status, FromLight: before.Light, ToLight: it.Light}, true, nil
	}
	return ItemChange{}, false, nil
}

func (p *Pack) leads(ctx context.Context, s *store.Store, it *domain.Item) (string, error) {
	out := ""
	for _, pt := range it.Parties {
		if pt.Role != domain.LeadUnit {
			continue
		}
		name, err := p.unit(ctx, s, pt.OrganizationID)
		if err != nil {
			return "", err
		}
		if out != "" {
			out += "、"
		}
		out += name
	}
	return out, nil
}

func (p *Pack) unit(ctx context.Context, s *store.Store, orgID int64) (string, error) {
	if n, ok := p.units[orgID]; ok {
		return n, nil
	}
	o, err := s.Organizations.Get(ctx, orgID)
	if err != nil {
		return "", err
	}
	p.units[orgID] = o.Name
	return o.Name, nil
}

// batches reads the mechanism's batches fixed at a meeting, each with its
// meeting, and keeps those fixed in the window; standing keeps those fixed
// by the window's end.
func (p *Pack) batches(ctx context.Context, s *store.Store, all []*domain.Mechanism, dayInWindow func(domain.Date) bool) error {
	bs, err := store.All(ctx, s.Batches, map[string]string{"mechanism": id(p.Mechanism.ID)}, false)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.MeetingID == 0 {
			continue
		}
		mt, err := s.Meetings.Get(ctx, b.MeetingID)
		if err != nil {
			return err
		}
		row := BatchRow{Batch: b, Meeting: mt, Fixer: p.mechs[mt.MechanismID]}
		p.fixed = append(p.fixed, row)
		if dayInWindow(mt.HeldOn) {
			p.Batches = append(p.Batches, row)
		}
	}
	return nil
}

func (p *Pack) problems(ctx context.Context, s *store.Store, subtree map[int64]bool, dayInWindow func(domain.Date) bool) error {
	loc := p.Mechanism.Location()
	ids := make([]int64, 0, len(subtree))
	for id := range subtree {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, mid := range ids {
		ps, err := store.All(ctx, s.Problems, map[string]string{"mechanism": id(mid)}, false)
		if err != nil {
			return err
		}
		trail, err := s.Trail(ctx, "problems", store.RecordIDs(ps), loc)
		if err != nil {
			return err
		}
		for _, cur := range ps {
			// Shown as it stood at the window's end; its escalations and
			// resolution are dated by the days they happened.
			pr := cur
			var then domain.Problem
			if ok, err := trail.StateAt(cur.ID, p.To, &then); err != nil {
				return err
			} else if !ok {
				continue
			} else {
				pr = &then
			}
			row := ProblemRow{Problem: pr, Mechanism: p.mechs[pr.MechanismID]}
			if raised, _, ok := trail.Occurred(cur.ID); ok && mid == p.Mechanism.ID && dayInWindow(raised) {
				p.New = append(p.New, row)
			}
			if solved, ok := trail.Since(cur.ID, p.To, isResolved); ok && mid == p.Mechanism.ID && dayInWindow(solved) {
				p.Resolved = append(p.Resolved, row)
			}
			for _, e := range pr.Escalations {
				if e.ToTier == p.Mechanism.Tier && dayInWindow(escalatedOn(e, loc)) {
					r := row
					r.Note = e.Note
					p.Escalated = append(p.Escalated, r)
					break
				}
			}
			if pr.Status == domain.ProblemOpen && pr.Tier == p.Mechanism.Tier && !pr.DueOn.IsZero() && pr.DueOn.Before(p.To) {
				r := row
				r.Note = strconv.Itoa(days(pr.DueOn, p.To))
				p.Overdue = append(p.Overdue, r)
			}
		}
	}
	return nil
}

func (p *Pack) decisions(ctx context.Context, s *store.Store) error {
	if p.Previous == nil || len(p.Previous.Decisions) == 0 {
		return nil
	}
	for _, d := range p.Previous.Decisions {
		row := DecisionRow{Decision: d}
		// What came of a decision is told as it stood at the window's end:
		// the items linked to it now, as they were then, if linked then.
		items, err := store.All(ctx, s.Items, map[string]string{"decision": id(d.ID)}, false)
		if err != nil {
			return err
		}
		itemTrail, err := s.Trail(ctx, "items", store.RecordIDs(items), p.Mechanism.Location())
		if err != nil {
			return err
		}
		for _, cur := range items {
			var then domain.Item
			if ok, err := itemTrail.StateAt(cur.ID, p.To, &then); err != nil {
				return err
			} else if ok && then.DecisionID == d.ID {
				row.Items = append(row.Items, &then)
			}
		}
		tasks, err := store.All(ctx, s.Tasks, map[string]string{"decision": id(d.ID)}, false)
		if err != nil {
			return err
		}
		taskTrail, err := s.Trail(ctx, "tasks", store.RecordIDs(tasks), p.Mechanism.Location())
		if err != nil {
			return err
		}
		for _, cur := range tasks {
			var then domain.Task
			if ok, err := taskTrail.StateAt(cur.ID, p.To, &then); err != nil {
				return err
			} else if ok {
				row.Tasks = append(row.Tasks, &then)
			}
		}
		p.Decisions = append(p.Decisions, row)
	}
	return nil
}

func (p *Pack) indicators(ctx context.Context, s *store.Store, dayInWindow func(domain.Date) bool) error {
	ins, err := store.All(ctx, s.Indicators, map[string]string{"mechanism": id(p.Mechanism.ID)}, false)
	if err != nil {
		return err
	}
	for _, in := range ins {
		row := IndicatorRow{Indicator: in}
		for i := range in.Values {
			v := &in.Values[i]
			switch {
			case dayInWindow(v.ObservedOn):
				if row.Latest == nil || row.Latest.ObservedOn.Before(v.ObservedOn) {
					row.Latest = v
				}
			case v.ObservedOn.Before(p.From):
				if row.Before == nil || row.Before.ObservedOn.Before(v.ObservedOn) {
					row.Before = v
				}
			}
		}
		if row.Latest != nil {
			p.Indicators = append(p.Indicators, row)
		}
	}
	return nil
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func next(d domain.Date) domain.Date { return domain.Date{Time: d.AddDate(0, 0, 1)} }

// instant is the first moment of day d in loc.
func instant(d domain.Date, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// isResolved reports whether a problem's recorded state is resolved.
func isResolved(state []byte) bool {
	var pr struct {
		Status domain.ProblemStatus `json:"status"`
	}
	return json.Unmarshal(state, &pr) == nil && pr.Status == domain.ProblemResolved
}

// escalatedOn is the day an escalation was taken: the day its writer
// stated, else the day it was recorded in loc.
func escalatedOn(e domain.Escalation, loc *time.Location) domain.Date {
	if !e.OccurredOn.IsZero() {
		return e.OccurredOn
	}
	return dateIn(e.At, loc)
}

func dateIn(t time.Time, loc *time.Location) domain.Date {
	t = t.In(loc)
	return domain.NewDate(t.Year(), t.Month(), t.Day())
}

func days(a, b domain.Date) int { return int(b.Sub(a.Time).Hours() / 24) }
