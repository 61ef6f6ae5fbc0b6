package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// dueSoon is how far ahead the dashboard looks for milestones.
const dueSoon = 30 * 24 * time.Hour

// screenRefresh is how often, in seconds, the meeting room's full-screen
// dashboard reloads itself.
const screenRefresh = 60

type countRow struct {
	Label    string
	Link     string
	Statuses []int // in the order of domain.ItemStatuses
	Lights   []int // in the order of domain.Lights
	Total    int
}

type milestoneRow struct {
	Item      *domain.Item
	Milestone domain.Milestone
	Overdue   bool
}

type missingRow struct {
	ItemID    int64
	ItemTitle string
	Side      string
	Unit      string
	// UnitID links to the unit's report form.
	UnitID int64
	Late   bool
}

type indicatorRow struct {
	Indicator *domain.Indicator
	Latest    *domain.IndicatorValue
	// Chart is the indicator's values up to the day shown, as a line with
	// its target, when it has more than one; one value is shown as a figure.
	Chart any
}

type pairingRow struct {
	ID    int64 // the agreement, whose page the row links to
	Title string
	Kind  domain.AgreementKind
	Date  domain.Date
	A, B  string
}

type dashboardData struct {
	Mechanism      *domain.Mechanism
	Batches        []*domain.Batch
	Period         string
	Statuses       []domain.ItemStatus
	Lights         []domain.Light
	ByTrack        []countRow
	BySide         []countRow
	Total          countRow
	Milestones     []milestoneRow
	ProblemsByTier []tierCount
	Missing        []missingRow
	Expected       int
	Submitted      int
	Indicators     []indicatorRow
	Pairings       []pairingRow
	PairingChart   any
	PairingMap     any
	// AsOf is the past day the page shows, zero for today.
	AsOf domain.Date
	// The opening figures: items on plan (green) and red, and the open
	// problems at the decision tier.
	Green, Red, DecisionOpen int
	SideChart, TrackChart    any
	// Decisions and Since are today's only: nil on a past day.
	Decisions []needRow
	Since     *sinceMeeting
	// Screen is the meeting room's full-screen mode (?screen=1).
	Screen bool
}

type tierCount struct {
	Tier  domain.Tier
	Count int
}

func newCountRow(label, link string) countRow {
	return countRow{Label: label, Link: link, Statuses: make([]int, len(domain.ItemStatuses)), Lights: make([]int, len(domain.Lights))}
}

// add counts n items of one status and light.
func (c *countRow) add(status, light string, n int) {
	c.Total += n
	if i := slices.Index(domain.ItemStatuses, domain.ItemStatus(status)); i >= 0 {
		c.Statuses[i] += n
	}
	if i := slices.Index(domain.Lights, domain.Light(light)); i >= 0 {
		c.Lights[i] += n
	}
}

// dashboard answers GET /mechanisms/{id}: the state of a mechanism's work
// on one page, for leaders before a meeting and for the secretariat daily.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := pathRecord(r, h.store.Mechanisms)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mid := strconv.FormatInt(m.ID, 10)
	viewer := currentUser(r)
	now := h.now()
	day := cycle.Today(m, now)
	asOf, past := asOfDay(r.URL.Query().Get("as_of"), day)
	if past {
		// The state at the end of that day, in the mechanism's zone.
		day = asOf
		now = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 23, 59, 59, 0, m.Location())
	}
	period := cycle.Current(m, now)
	d := dashboardData{Mechanism: m, Period: period.Key, Statuses: domain.ItemStatuses, Lights: domain.Lights, AsOf: asOf}
	var then *pastState
	if past {
		var err error
		if then, err = h.stateAt(ctx, viewer, m, asOf, period); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for _, b := range rf.batchList {
		if b.MechanismID == m.ID {
			d.Batches = append(d.Batches, b)
		}
	}

	// Items by status and light, per track and per side, counted by the
	// database within what the viewer may read.
	var byTrack []store.Count
	var bySide map[string][]store.Count
	if past {
		byTrack, bySide = then.tally(m)
	} else if byTrack, err = h.store.Items.Tally(ctx, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid}}, "track", "status", "light"); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Total = newCountRow(t.T("dashboard.all_items"), "/items?mechanism="+mid)
	tracks := map[string]*countRow{}
	var trackOrder []string
	for _, term := range m.Tracks {
		row := newCountRow(t.Name(term.Name, term.NameEN), "/items?mechanism="+mid+"&track="+term.Key)
		tracks[term.Key] = &row
		trackOrder = append(trackOrder, term.Key)
	}
	noTrack := newCountRow(t.T("dashboard.no_track"), "")
	for _, c := range byTrack {
		track, status, light := c.Keys[0], c.Keys[1], c.Keys[2]
		d.Total.add(status, light, c.Count)
		if row, ok := tracks[track]; ok {
			row.add(status, light, c.Count)
		} else {
			noTrack.add(status, light, c.Count)
		}
	}
	for _, k := range trackOrder {
		if tracks[k].Total > 0 {
			d.ByTrack = append(d.ByTrack, *tracks[k])
		}
	}
	if noTrack.Total > 0 {
		d.ByTrack = append(d.ByTrack, noTrack)
	}
	for _, s := range m.Sides {
		row := newCountRow(t.Name(s.Name, s.NameEN), "/items?mechanism="+mid+"&side="+s.Key)
		counts := bySide[s.Key]
		if !past {
			if counts, err = h.store.Items.Tally(ctx, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid, "side": s.Key}}, "status", "light"); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		for _, c := range counts {
			row.add(c.Keys[0], c.Keys[1], c.Count)
		}
		d.BySide = append(d.BySide, row)
	}

	// Milestones overdue or due within dueSoon, most overdue first, from
	// the items that have one.
	horizon := domain.Date{Time: day.Add(dueSoon)}
	var due []*domain.Item
	if past {
		due = then.items
	} else if due, err = listAll(ctx, viewer, h.store.Items, map[string]string{"mechanism": mid, "due_before": horizon.String()}); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, it := range due {
		for _, ms := range it.Milestones {
			if (ms.DoneOn.IsZero() || day.Before(ms.DoneOn)) && !horizon.Before(ms.DueOn) {
				d.Milestones = append(d.Milestones, milestoneRow{Item: it, Milestone: ms, Overdue: ms.DueOn.Before(day)})
			}
		}
	}
	slices.SortFunc(d.Milestones, func(a, b milestoneRow) int { return a.Milestone.DueOn.Compare(b.Milestone.DueOn.Time) })

	// Open problems by tier.
	var byTier []store.Count
	if past {
		byTier = then.openByTier()
	} else if byTier, err = h.store.Problems.Tally(ctx, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid, "status": string(domain.ProblemOpen)}}, "tier"); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, tier := range domain.Tiers {
		tc := tierCount{Tier: tier}
		for _, c := range byTier {
			if c.Keys[0] == string(tier) {
				tc.Count = c.Count
			}
		}
		d.ProblemsByTier = append(d.ProblemsByTier, tc)
	}

	// Reports owed this period, by the cycle's one rule, within what the
	// viewer may read.
	var owed cycle.PeriodStatus
	if past {
		owed = cycle.Expect(m, then.items, then.reports, period, day)
	} else if owed, err = cycle.Status(ctx, h.store, viewer, m, period, day); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Expected, d.Submitted = owed.Expected, owed.In
	for _, e := range owed.Expectations {
		if e.State == cycle.In {
			continue
		}
		side := e.Side
		if s := m.Side(e.Side); s != nil {
			side = t.Name(s.Name, s.NameEN)
		}
		d.Missing = append(d.Missing, missingRow{ItemID: e.ItemID, ItemTitle: e.ItemTitle, Side: side,
			Unit: rf.orgName(t, e.OrganizationID), UnitID: e.OrganizationID, Late: e.State == cycle.Late})
	}

	// Indicators of this mechanism and of the mechanisms above it, whose
	// targets the working group works toward.
	for mm, n := m, 0; mm != nil && n < 10; n++ {
		ins, err := listAll(ctx, viewer, h.store.Indicators, map[string]string{"mechanism": strconv.FormatInt(mm.ID, 10)})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, in := range ins {
			// The last value observed by the day shown, as the chart
			// draws them.
			row := indicatorRow{Indicator: in, Latest: valueAsOf(in, day)}
			row.Chart = indicatorChartOf(t, observedBy(in, day))
			d.Indicators = append(d.Indicators, row)
		}
		mm = rf.mechanisms[mm.ParentID]
	}

	agreements, err := listAll(ctx, viewer, h.store.Agreements, map[string]string{"mechanism": mid})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if past {
		if agreements, err = h.store.InForce(ctx, agreements, day, m.Location()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.Pairings, d.PairingChart = pairingFigure(t, rf, m, agreements)
	d.PairingMap = pairingMap(t, rf, m, agreements)

	d.Green = d.Total.Lights[slices.Index(domain.Lights, domain.Green)]
	d.Red = d.Total.Lights[slices.Index(domain.Lights, domain.Red)]
	d.DecisionOpen = d.ProblemsByTier[slices.Index(domain.Tiers, domain.Decision)].Count
	d.SideChart, d.TrackChart = countChart(t, d.BySide), countChart(t, d.ByTrack)
	if !past {
		if d.Decisions, err = h.needingDecision(ctx, viewer, m, now, day, d.Milestones); err != nil {
			h.fail(w, r, err)
			return
		}
		if d.Since, err = h.sinceLastMeeting(ctx, t, viewer, m, day); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.Screen = r.URL.Query().Get("screen") == "1"

	v := h.newView(r, t.Name(m.Name, m.NameEN), "dashboard")
	v.Charts = true
	v.Maps = d.PairingMap != nil
	if d.Screen {
		v.Screen = screenRefresh
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "dashboard", v)
}

// pairingFigure draws the agreements between the two sides as a bipartite
// graph: one side's parties in the left column, the other's in the right,
// an agreement as the link between them. Positions are computed here so
// the figure is the same on every load.
func pairingFigure(t tr, rf *refs, m *domain.Mechanism, agreements []*domain.Agreement) ([]pairingRow, any) {
	type node struct {
		Name     string         `json:"name"`
		X        float64        `json:"x"`
		Y        float64        `json:"y"`
		Category int            `json:"category"`
		Label    map[string]any `json:"label"`
	}
	type link struct {
		Source int    `json:"source"`
		Target int    `json:"target"`
		Name   string `json:"name"`
	}
	var rows []pairingRow
	var nodes []node
	var links []link
	index := map[string]int{}
	perSide := make([]int, len(m.Sides))
	partyNode := func(p domain.AgreementParty) (int, string) {
		key, name, jid := "", "", p.JurisdictionID
		if p.OrganizationID != 0 {
			key, name = fmt.Sprintf("o%d", p.OrganizationID), rf.orgName(t, p.OrganizationID)
			if o, ok := rf.orgs[p.OrganizationID]; ok {
				jid = o.JurisdictionID
			}
		} else if j, ok := rf.jurisdictions[p.JurisdictionID]; ok {
			key, name = fmt.Sprintf("j%d", j.ID), t.Name(j.Name, j.NameEN)
		}
		if i, ok := index[key]; ok {
			return i, name
		}
		side := 0
		for i, s := range m.Sides {
			if rf.within(jid, s.JurisdictionID) {
				side = i
			}
		}
		pos := "right"
		if side == 0 {
			pos = "left"
		}
		nodes = append(nodes, node{Name: name, X: float64(side) * 100, Y: float64(perSide[side]) * 10, Category: side,
			Label: map[string]any{"show": true, "position": pos}})
		perSide[side]++
		index[key] = len(nodes) - 1
		return len(nodes) - 1, name
	}
	for _, a := range agreements {
		if len(a.Parties) < 2 {
			continue
		}
		i, an := partyNode(a.Parties[0])
		j, bn := partyNode(a.Parties[1])
		rows = append(rows, pairingRow{ID: a.ID, Title: a.Title, Kind: a.Kind, Date: a.SignedOn, A: an, B: bn})
		links = append(links, link{Source: i, Target: j, Name: a.Title})
	}
	if len(links) == 0 {
		return rows, nil
	}
	categories := make([]map[string]string, len(m.Sides))
	names := make([]string, len(m.Sides))
	for i, s := range m.Sides {
		names[i] = t.Name(s.Name, s.NameEN)
		categories[i] = map[string]string{"name": names[i]}
	}
	return rows, map[string]any{
		"aria":      map[string]any{"enabled": true},
		"animation": false,
		"color":     []string{"#0b57d0", "#b3261e", "#146c2e"},
		"tooltip":   map[string]any{},
		"legend":    []map[string]any{{"data": names, "top": 0}},
		"series": []map[string]any{{
			"type": "graph", "layout": "none", "roam": false,
			"left": "28%", "right": "28%", "top": 40, "bottom": 20,
			"symbolSize": 12, "categories": categories, "data": nodes, "links": links,
			"lineStyle": map[string]any{"color": "source", "width": 2, "opacity": 0.7},
			"emphasis":  map[string]any{"focus": "adjacency"},
			"label":     map[string]any{"fontSize": 13, "color": "#1f1f1f"},
		}},
	}
}

// mapRegions are the outlines vendored with the maps (assets/vendor): the
// name each file registers with ECharts, by the Chinese name of the
// jurisdiction it covers.
var mapRegions = map[string]string{"成都市": "成都", "重庆市": "重庆"}

// pairingMap is the pairings on a map of the two cities' districts, for the
// pairings whose parties have an outline: app.js merges the registered
// maps and places each party at its district's centre by Chinese name.
// It returns nil when a side has no outline.
func pairingMap(t tr, rf *refs, m *domain.Mechanism, agreements []*domain.Agreement) any {
	type pair struct {
		A      string `json:"a"`
		B      string `json:"b"`
		ALabel string `json:"a_label"`
		BLabel string `json:"b_label"`
		Title  string `json:"title"`
	}
	var regions []string
	for _, s := range m.Sides {
		j, ok := rf.jurisdictions[s.JurisdictionID]
		if !ok || mapRegions[j.Name] == "" {
			return nil
		}
		regions = append(regions, mapRegions[j.Name])
	}
	place := func(p domain.AgreementParty) *domain.Jurisdiction {
		id := p.JurisdictionID
		if o, ok := rf.orgs[p.OrganizationID]; ok {
			id = o.JurisdictionID
		}
		return rf.jurisdictions[id]
	}
	var pairs []pair
	for _, a := range agreements {
		if len(a.Parties) < 2 {
			continue
		}
		ja, jb := place(a.Parties[0]), place(a.Parties[1])
		if ja == nil || jb == nil {
			continue
		}
		pairs = append(pairs, pair{A: ja.Name, B: jb.Name, ALabel: t.Name(ja.Name, ja.NameEN), BLabel: t.Name(jb.Name, jb.NameEN), Title: a.Title})
	}
	if len(pairs) == 0 {
		return nil
	}
	return map[string]any{"liandongMap": map[string]any{"regions": regions, "pairs": pairs}}
}
