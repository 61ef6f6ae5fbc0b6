package cycle

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/light"
	"github.com/liandong/liandong/internal/store"
)

// LightChange is one item whose light was recomputed.
type LightChange struct {
	ItemID   int64        `json:"item_id"`
	Title    string       `json:"title"`
	From     domain.Light `json:"from"`
	To       domain.Light `json:"to"`
	Reason   string       `json:"reason"`
	ReasonEN string       `json:"reason_en"`
	Changed  bool         `json:"changed"` // light or reason differ from what was stored
}

// Recomputed is the outcome of RecomputeLights.
type Recomputed struct {
	MechanismID int64         `json:"mechanism_id"`
	On          domain.Date   `json:"on"`
	Updated     int           `json:"updated"`
	Items       []LightChange `json:"items"`
}

// RecomputeLights assesses every item of the mechanism that is not archived
// on today (at now, in its time zone) by its rules and stores each light and
// reason that changed, all in one transaction for actor: the system actor
// for a scheduled job, the user for a request. Errors: NotFound, Conflict
// (an item changed meanwhile; nothing is stored), Internal.
func RecomputeLights(ctx context.Context, s *store.Store, actor domain.Actor, mechanismID int64, now time.Time) (Recomputed, error) {
	m, err := s.Mechanisms.Get(ctx, mechanismID)
	if err != nil {
		return Recomputed{}, err
	}
	today := Today(m, now)
	out := Recomputed{MechanismID: m.ID, On: today, Items: []LightChange{}}
	items, err := store.All(ctx, s.Items, map[string]string{"mechanism": id(m.ID)}, false)
	if err != nil {
		return out, err
	}
	var changed []*domain.Item
	for _, it := range items {
		reports, err := store.All(ctx, s.Reports, map[string]string{"item": id(it.ID), "status": InFilter()}, false)
		if err != nil {
			return out, err
		}
		a := light.Assess(it, reports, today, m.Rules)
		c := LightChange{ItemID: it.ID, Title: it.Title, From: it.Light, To: a.Light, Reason: a.Reason, ReasonEN: a.ReasonEN}
		if it.Light != a.Light || it.LightReason != a.Stored() {
			c.Changed = true
			it.Light, it.LightReason = a.Light, a.Stored()
			changed = append(changed, it)
		}
		out.Items = append(out.Items, c)
	}
	if len(changed) == 0 {
		return out, nil
	}
	err = s.Write(ctx, actor, func(tx *store.Tx) error {
		for _, it := range changed {
			if err := s.Items.UpdateTx(ctx, tx, it); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		out.Updated = len(changed)
	}
	return out, err
}

// OverdueProblem is an open problem past its tier's time limit.
type OverdueProblem struct {
	Problem  *domain.Problem `json:"problem"`
	DaysLate int             `json:"days_late"`
}

// Overdue lists the open problems of the mechanism whose due date is before
// today (at now, in its time zone), the most late first. Errors: NotFound.
func Overdue(ctx context.Context, s *store.Store, mechanismID int64, now time.Time) ([]OverdueProblem, error) {
	m, err := s.Mechanisms.Get(ctx, mechanismID)
	if err != nil {
		return nil, err
	}
	today := Today(m, now)
	ps, err := store.All(ctx, s.Problems, map[string]string{"mechanism": id(m.ID), "status": string(domain.ProblemOpen),
		"due_before": today.AddDate(0, 0, -1).Format("2006-01-02")}, false)
	if err != nil {
		return nil, err
	}
	out := []OverdueProblem{}
	for _, p := range ps {
		if p.DueOn.IsZero() {
			continue
		}
		out = append(out, OverdueProblem{Problem: p, DaysLate: int(today.Sub(p.DueOn.Time).Hours() / 24)})
	}
	slices.SortStableFunc(out, func(a, b OverdueProblem) int { return b.DaysLate - a.DaysLate })
	return out, nil
}

// AwaitingDecision is what awaits the leaders' decision in a mechanism, as
// viewer may read it: its open problems at the decision tier, and its items
// whose light is red. A leader's inbox and the mechanism's dashboard both
// list it from here.
func AwaitingDecision(ctx context.Context, s *store.Store, viewer *domain.User, mechanismID int64) ([]*domain.Problem, []*domain.Item, error) {
	mechanism := strconv.FormatInt(mechanismID, 10)
	problems, err := store.AllAs(ctx, s.Problems, domain.ListQuery{Viewer: viewer,
		Filters: map[string]string{"mechanism": mechanism, "tier": string(domain.Decision), "status": string(domain.ProblemOpen)}})
	if err != nil {
		return nil, nil, err
	}
	red, err := store.AllAs(ctx, s.Items, domain.ListQuery{Viewer: viewer,
		Filters: map[string]string{"mechanism": mechanism, "light": string(domain.Red)}})
	if err != nil {
		return nil, nil, err
	}
	return problems, red, nil
}
