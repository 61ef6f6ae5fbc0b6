package web

import (
	"context"
	"slices"
	"strconv"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// A dashboard "as of" a past day shows the mechanism as it stood at the end
// of that day, by the days things happened (store.Trail): the items, their
// status and light, the problems open, the milestones due, the reports of
// that day's period, the indicators' values and the agreements in force.
// It reads the same records, through the same policy, as today's.

// asOfDay reads ?as_of=YYYY-MM-DD. A day before today is a past state; an
// empty, malformed or later day is today, and the page shows that.
func asOfDay(raw string, today domain.Date) (domain.Date, bool) {
	d, err := domain.ParseDate(raw)
	if err != nil || !d.Before(today) {
		return domain.Date{}, false
	}
	return d, true
}

// pastState is what the dashboard counts as of a past day.
type pastState struct {
	items    []*domain.Item
	problems []*domain.Problem
	reports  []*domain.Report
}

// stateAt reads, within what viewer may read, the mechanism's items and open
// problems as they stood at the end of day, and the submitted reports of
// day's period.
func (h *Handler) stateAt(ctx context.Context, viewer *domain.User, m *domain.Mechanism, day domain.Date, period cycle.Period) (*pastState, error) {
	mid := strconv.FormatInt(m.ID, 10)
	ps := &pastState{}
	items, err := store.AllAs(ctx, h.store.Items, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid}, Archived: true})
	if err != nil {
		return nil, err
	}
	trail, err := h.store.Trail(ctx, "items", store.RecordIDs(items), m.Location())
	if err != nil {
		return nil, err
	}
	for _, cur := range items {
		var then domain.Item
		if ok, err := trail.StateAt(cur.ID, day, &then); err != nil {
			return nil, err
		} else if ok && then.ArchivedAt == nil && then.MechanismID == m.ID {
			ps.items = append(ps.items, &then)
		}
	}
	problems, err := store.AllAs(ctx, h.store.Problems, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mid}, Archived: true})
	if err != nil {
		return nil, err
	}
	ptrail, err := h.store.Trail(ctx, "problems", store.RecordIDs(problems), m.Location())
	if err != nil {
		return nil, err
	}
	for _, cur := range problems {
		var then domain.Problem
		if ok, err := ptrail.StateAt(cur.ID, day, &then); err != nil {
			return nil, err
		} else if ok && then.ArchivedAt == nil && then.Status == domain.ProblemOpen {
			ps.problems = append(ps.problems, &then)
		}
	}
	ps.reports, err = store.AllAs(ctx, h.store.Reports, domain.ListQuery{Viewer: viewer,
		Filters: map[string]string{"mechanism": mid, "period": period.Key, "status": string(domain.Submitted)}})
	return ps, err
}

// tally counts the items by the groups the live dashboard asks the
// database for: track, status and light; and per side, status and light.
func (ps *pastState) tally(m *domain.Mechanism) (byTrack []store.Count, bySide map[string][]store.Count) {
	add := func(counts []store.Count, keys ...string) []store.Count {
		for i := range counts {
			if slices.Equal(counts[i].Keys, keys) {
				counts[i].Count++
				return counts
			}
		}
		return append(counts, store.Count{Keys: keys, Count: 1})
	}
	bySide = map[string][]store.Count{}
	for _, it := range ps.items {
		byTrack = add(byTrack, it.Track, string(it.Status), string(it.Light))
		for _, s := range m.Sides {
			if slices.ContainsFunc(it.Parties, func(p domain.Party) bool { return p.Side == s.Key }) {
				bySide[s.Key] = add(bySide[s.Key], string(it.Status), string(it.Light))
			}
		}
	}
	return byTrack, bySide
}

// openByTier counts the open problems by tier.
func (ps *pastState) openByTier() []store.Count {
	var out []store.Count
	for _, tier := range domain.Tiers {
		n := 0
		for _, p := range ps.problems {
			if p.Tier == tier {
				n++
			}
		}
		if n > 0 {
			out = append(out, store.Count{Keys: []string{string(tier)}, Count: n})
		}
	}
	return out
}

// valueAsOf is an indicator's last value observed on or before day.
func valueAsOf(in *domain.Indicator, day domain.Date) *domain.IndicatorValue {
	var last *domain.IndicatorValue
	for i, v := range in.Values {
		if !day.Before(v.ObservedOn) && (last == nil || !v.ObservedOn.Before(last.ObservedOn)) {
			last = &in.Values[i]
		}
	}
	return last
}

// observedBy is the indicator with only its values observed on or before
// day: a value dated later is not yet a fact of the page's day.
func observedBy(in *domain.Indicator, day domain.Date) *domain.Indicator {
	seen := *in
	seen.Values = nil
	for _, v := range in.Values {
		if !day.Before(v.ObservedOn) {
			seen.Values = append(seen.Values, v)
		}
	}
	return &seen
}
