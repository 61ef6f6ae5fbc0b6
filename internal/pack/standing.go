package pack

import (
	"context"
	"slices"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// What stands at the meeting, beside what changed in its window: the
// batches fixed by then and where their items are, the member units of each
// side, the agreements in force and the reports heard at the meeting. A
// pack for a past meeting states these from the data, so that one made
// years later tells the meeting's truth, not the day it was made.

// BatchStanding is a batch fixed at a meeting held by the pack's day, with
// its items as they stood at the window's end.
type BatchStanding struct {
	Batch    *domain.Batch
	Meeting  *domain.Meeting
	Recorded int
	Status   map[domain.ItemStatus]int
}

// SideUnits are the member units of one side, in the mechanism's order.
type SideUnits struct {
	Side  domain.Side
	Units []string
}

// Heard is a unit that reported at the meeting. Who did not is not said:
// a record that names who reported does not say who stayed silent.
type Heard struct {
	Side   string
	Unit   string
	Report string
}

func (p *Pack) standing(ctx context.Context, s *store.Store) error {
	for _, fb := range p.fixed {
		b, mt := fb.Batch, fb.Meeting
		if p.To.Before(mt.HeldOn) {
			continue
		}
		row := BatchStanding{Batch: b, Meeting: mt, Status: map[domain.ItemStatus]int{}}
		for _, r := range p.Items {
			if r.Item.BatchID == b.ID {
				row.Recorded++
				row.Status[r.Item.Status]++
			}
		}
		p.Standing = append(p.Standing, row)
	}
	slices.SortStableFunc(p.Standing, func(a, b BatchStanding) int { return a.Meeting.HeldOn.Compare(b.Meeting.HeldOn.Time) })

	side := map[int64]string{}
	for _, sd := range p.Mechanism.Sides {
		su := SideUnits{Side: sd}
		for _, m := range p.Mechanism.Members {
			if m.Side != sd.Key {
				continue
			}
			name, err := p.unit(ctx, s, m.OrganizationID)
			if err != nil {
				return err
			}
			su.Units = append(su.Units, name)
			side[m.OrganizationID] = sd.Key
		}
		p.Members = append(p.Members, su)
	}

	agreements, err := store.All(ctx, s.Agreements, map[string]string{"mechanism": id(p.Mechanism.ID)}, false)
	if err != nil {
		return err
	}
	if p.InForce, err = s.InForce(ctx, agreements, p.To, p.Mechanism.Location()); err != nil {
		return err
	}

	for _, a := range p.Meeting.Attendees {
		if !a.Reported {
			continue
		}
		name, err := p.unit(ctx, s, a.OrganizationID)
		if err != nil {
			return err
		}
		p.Heard = append(p.Heard, Heard{Side: side[a.OrganizationID], Unit: name, Report: a.Report})
	}
	return nil
}
