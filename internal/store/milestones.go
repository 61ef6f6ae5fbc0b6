package store

import (
	"context"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// DeriveMilestones adds to item id, at version, a milestone per quarter of
// its schedule not yet derived (domain.Item.DeriveMilestones, on today in
// its mechanism's time zone). It is an update of the item's milestones by
// actor, so the policy and the two-side rule decide it as any: what needs
// another side waits for it. It returns the item as it now stands and the
// changes held. Errors: NotFound, Forbidden, Conflict (a stale version),
// Invalid (the schedule has nothing left to derive).
func (s *Store) DeriveMilestones(ctx context.Context, actor domain.Actor, id, version int64) (*domain.Item, []domain.ItemChange, error) {
	var out *domain.Item
	var held []domain.ItemChange
	err := s.Write(ctx, actor, func(t *Tx) error {
		rs := items.records(s)
		before, err := rs.get(ctx, t.reader(), id)
		if err != nil {
			return err
		}
		pr, err := t.reader().principal(ctx, actor.User)
		if err != nil {
			return err
		}
		if items.decide(ctx, t.reader(), pr, policy.Read, before) != nil {
			return notVisible("items", id)
		}
		m, err := t.mechanism(ctx, before.MechanismID)
		if err != nil {
			return err
		}
		added := before.DeriveMilestones(m.Today(t.now))
		if len(added) == 0 {
			var p domain.Problems
			p.Add("schedule", "has no quarter with a text that is not already a milestone")
			return p.Err()
		}
		want := *before
		want.Version = version
		want.Milestones = append(append([]domain.Milestone{}, before.Milestones...), added...)
		if err := rs.UpdateTxFrom(ctx, t, before, &want); err != nil {
			return err
		}
		held = t.Held()
		out, err = rs.get(ctx, t.reader(), id)
		return err
	})
	return out, held, err
}
