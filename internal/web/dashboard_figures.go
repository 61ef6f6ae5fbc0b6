package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
)

// The dashboard's opening: the figures a leader reads in two minutes, the
// few things that need a decision, and what changed since the last meeting.
// Every record here is read through the store with the viewer, as the rest
// of the page is.

// maxDecisions is how many things needing a decision the dashboard shows.
const maxDecisions = 5

// needKind says why an entry needs a decision; the template names it.
type needKind string

const (
	decideProblem   needKind = "problem"   // an open problem at the decision tier
	decideItem      needKind = "item"      // an item whose light is red
	decideMilestone needKind = "milestone" // a milestone past its due date
)

// needRow is one thing that needs a decision, with the record it links to.
type needRow struct {
	Kind     needKind
	Title    string
	Link     string
	Detail   string      // the milestone's title, or the light's reason
	Due      domain.Date // the problem's time limit or the milestone's due date
	DaysLate int         // past the time limit (cycle.Overdue), or past the due date
}

// needingDecision ranks what needs the leaders' decision, at most
// maxDecisions of it: the open problems at the decision tier, those past
// their time limit first (cycle.Overdue, the most late first); then the
// items whose light is red; then the overdue milestones of milestones (the
// dashboard's list, most overdue first). Problems and items are those the
// viewer may read.
func (h *Handler) needingDecision(ctx context.Context, viewer *domain.User, m *domain.Mechanism, now time.Time, day domain.Date, milestones []milestoneRow) ([]needRow, error) {
	problems, red, err := cycle.AwaitingDecision(ctx, h.store, viewer, m.ID)
	if err != nil {
		return nil, err
	}
	late, err := cycle.Overdue(ctx, h.store, m.ID, now)
	if err != nil {
		return nil, err
	}
	var overdue, onTime []needRow
	for _, p := range problems {
		row := needRow{Kind: decideProblem, Title: p.Title, Link: fmt.Sprintf("/problems/%d", p.ID), Due: p.DueOn}
		if i := slices.IndexFunc(late, func(o cycle.OverdueProblem) bool { return o.Problem.ID == p.ID }); i >= 0 {
			row.DaysLate = late[i].DaysLate
			overdue = append(overdue, row)
		} else {
			onTime = append(onTime, row)
		}
	}
	slices.SortStableFunc(overdue, func(a, b needRow) int { return b.DaysLate - a.DaysLate })
	out := append(overdue, onTime...)
	for _, it := range red {
		out = append(out, needRow{Kind: decideItem, Title: it.Title, Link: fmt.Sprintf("/items/%d", it.ID), Detail: it.LightReason})
	}
	for _, ms := range milestones {
		if ms.Overdue {
			out = append(out, needRow{Kind: decideMilestone, Title: ms.Item.Title, Link: fmt.Sprintf("/items/%d", ms.Item.ID),
				Detail: ms.Milestone.Title, Due: ms.Milestone.DueOn, DaysLate: int(day.Sub(ms.Milestone.DueOn.Time).Hours() / 24)})
		}
	}
	if len(out) > maxDecisions {
		out = out[:maxDecisions]
	}
	return out, nil
}

// changeLink is a record that changed since the last meeting, as a link.
type changeLink struct {
	Link  string
	Title string
	Note  string // for an item, how its status or light moved
}

// sinceMeeting is what changed after the mechanism's last held meeting, up
// to today: the items whose status or light changed or that came to be
// (pack.Compare, as the meeting pack counts them), the problems raised and
// the reports submitted.
type sinceMeeting struct {
	Meeting *domain.Meeting
	// Groups are the items, the problems and the reports, in that order.
	Groups []changeGroup
}

// changeGroup is one kind of change since the last meeting: Kind names it
// in the template ("items", "problems", "reports").
type changeGroup struct {
	Kind string
	Rows []changeLink
}

// sinceLastMeeting reads what changed since the mechanism's last meeting
// held before today, or nil when it has held none.
func (h *Handler) sinceLastMeeting(ctx context.Context, t tr, viewer *domain.User, m *domain.Mechanism, day domain.Date) (*sinceMeeting, error) {
	mid := strconv.FormatInt(m.ID, 10)
	meetings, err := store.AllAs(ctx, h.store.Meetings, domain.ListQuery{Viewer: viewer,
		Filters: map[string]string{"mechanism": mid, "held_before": day.String()}})
	if err != nil {
		return nil, err
	}
	last := domain.LastHeld(meetings, day)
	if last == nil {
		return nil, nil
	}
	from := domain.Date{Time: last.HeldOn.AddDate(0, 0, 1)}
	inWindow := func(d domain.Date) bool { return !d.IsZero() && !d.Before(from) && !day.Before(d) }
	var changedItems, newProblems, submitted []changeLink
	loc := m.Location()

	items, err := store.AllAs(ctx, h.store.Items, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid}})
	if err != nil {
		return nil, err
	}
	trail, err := h.store.Trail(ctx, "items", store.RecordIDs(items), loc)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		c, changed, err := pack.Compare(trail, it.ID, it, from, inWindow)
		if err != nil {
			return nil, err
		}
		if !changed {
			continue
		}
		note := t.T("dashboard.since_new")
		if !c.New {
			note = changeNote(t, c)
		}
		changedItems = append(changedItems, changeLink{Link: fmt.Sprintf("/items/%d", it.ID), Title: it.Title, Note: note})
	}

	problems, err := store.AllAs(ctx, h.store.Problems, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid}})
	if err != nil {
		return nil, err
	}
	ptrail, err := h.store.Trail(ctx, "problems", store.RecordIDs(problems), loc)
	if err != nil {
		return nil, err
	}
	for _, p := range problems {
		if raised, _, ok := ptrail.Occurred(p.ID); ok && inWindow(raised) {
			newProblems = append(newProblems, changeLink{Link: fmt.Sprintf("/problems/%d", p.ID), Title: p.Title})
		}
	}

	// The reports of the periods the window overlaps, and of the period
	// before it, whose late reports come in after the meeting: not every
	// report the mechanism ever had.
	var reports []*domain.Report
	first := cycle.Of(m.Cadence, from)
	for p := cycle.Of(m.Cadence, domain.Date{Time: first.Start.AddDate(0, 0, -1)}); !day.Before(p.Start); p = p.Next() {
		rs, err := store.AllAs(ctx, h.store.Reports, domain.ListQuery{Viewer: viewer,
			Filters: map[string]string{"mechanism": mid, "period": p.Key, "status": cycle.InFilter()}})
		if err != nil {
			return nil, err
		}
		reports = append(reports, rs...)
	}
	titles := map[int64]string{}
	for _, it := range items {
		titles[it.ID] = it.Title
	}
	for _, r := range reports {
		if r.SubmittedAt == nil || !inWindow(m.Today(*r.SubmittedAt)) {
			continue
		}
		title, ok := titles[r.ItemID]
		if !ok {
			continue // an item the viewer may not read, or not of this mechanism any more
		}
		submitted = append(submitted, changeLink{Link: fmt.Sprintf("/items/%d", r.ItemID), Title: title, Note: r.Period})
	}
	return &sinceMeeting{Meeting: last, Groups: []changeGroup{{"items", changedItems}, {"problems", newProblems}, {"reports", submitted}}}, nil
}

// changeNote says how an item's status and light moved.
func changeNote(t tr, c pack.ItemChange) string {
	light := func(l domain.Light) string {
		if l == domain.NoLight {
			return t.T("light.none")
		}
		return t.T("light." + string(l))
	}
	var note string
	if c.FromStatus != c.ToStatus {
		note = t.T("status."+string(c.FromStatus)) + " → " + t.T("status."+string(c.ToStatus))
	}
	if c.FromLight != c.ToLight {
		if note != "" {
			note += t.T("list.sep")
		}
		note += light(c.FromLight) + " → " + light(c.ToLight)
	}
	return note
}

// statusColours and lightColours draw the count charts: the lights in
// their own colours, the statuses in shades apart from them.
var (
	statusColours = map[domain.ItemStatus]string{domain.NotStarted: "#8a9099", domain.Advancing: "#0b57d0",
		domain.Completed: "#0b2a4a", domain.Rescoped: "#7c5800", domain.Paused: "#6e4fa3"}
	lightColours = map[domain.Light]string{domain.NoLight: "#c4c7c5", domain.Blue: "#7cacf8",
		domain.Green: "#1e8e3e", domain.Yellow: "#f9ab00", domain.Red: "#d93025"}
)

// countChart draws rows (per side or per track) as two stacked bars each:
// the items by status, and by light. Series with no item are left out.
// The table under the chart holds the same figures as text.
func countChart(t tr, rows []countRow) any {
	if len(rows) == 0 {
		return nil
	}
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r.Label
	}
	var series []map[string]any
	add := func(name, stack, colour string, pick func(countRow) int) {
		data, sum := make([]int, len(rows)), 0
		for i, r := range rows {
			data[i] = pick(r)
			sum += data[i]
		}
		if sum == 0 {
			return
		}
		series = append(series, map[string]any{"type": "bar", "name": name, "stack": stack, "data": data,
			"barMaxWidth": 22, "itemStyle": map[string]any{"color": colour}})
	}
	for i, s := range domain.ItemStatuses {
		add(t.T("status."+string(s)), "status", statusColours[s], func(r countRow) int { return r.Statuses[i] })
	}
	for i, l := range domain.Lights {
		name := t.T("light.none")
		if l != domain.NoLight {
			name = t.T("light." + string(l))
		}
		add(name, "light", lightColours[l], func(r countRow) int { return r.Lights[i] })
	}
	return map[string]any{
		"aria":      map[string]any{"enabled": true},
		"animation": false,
		"tooltip":   map[string]any{"trigger": "axis", "axisPointer": map[string]any{"type": "shadow"}},
		"legend":    map[string]any{"type": "scroll", "top": 0},
		"grid":      map[string]any{"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": true},
		"xAxis":     map[string]any{"type": "value", "minInterval": 1},
		"yAxis": map[string]any{"type": "category", "data": labels, "inverse": true,
			"axisLabel": map[string]any{"width": 110, "overflow": "break"}},
		"series": series,
	}
}
