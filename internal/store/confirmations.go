package store

import (
	"context"
	"database/sql"
	"reflect"
	"slices"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// proposal is what an item change would set.
type proposal struct {
	Status     domain.ItemStatus  `json:"status,omitempty"`
	Parties    []domain.Party     `json:"parties,omitempty"`
	Milestones []domain.Milestone `json:"milestones,omitempty"`
}

func init() {
	items.hold = holdForBothSides
	items.load = withPending(items.load)
	items.derived = []string{"pending"}
}

// holdForBothSides sets aside the parts of an item update that need both
// sides — completing it, changing its milestones or parties — when a user
// (not the system) makes them on an item with lead units on two or more
// sides. The rest of the update goes through; the held part waits in
// item_changes, confirmed already for the sides whose lead unit the user
// acts for.
func holdForBothSides(ctx context.Context, t *Tx, before, v *domain.Item) error {
	if t.actor.User == nil || t.confirmed {
		return nil
	}
	sides := before.LeadSides()
	if len(sides) < 2 {
		return nil
	}
	var fields []string
	var p proposal
	if v.Status == domain.Completed && before.Status != domain.Completed {
		fields, p.Status = append(fields, "status"), v.Status
		v.Status = before.Status
	}
	if !reflect.DeepEqual(emptyIfNil(v.Parties), emptyIfNil(before.Parties)) {
		fields, p.Parties = append(fields, "parties"), v.Parties
		v.Parties = before.Parties
	}
	if !reflect.DeepEqual(emptyIfNil(v.Milestones), emptyIfNil(before.Milestones)) {
		fields, p.Milestones = append(fields, "milestones"), emptyIfNil(v.Milestones)
		v.Milestones = before.Milestones
	}
	if len(fields) == 0 {
		return nil
	}
	confirmed, err := t.sidesActedFor(ctx, before)
	if err != nil {
		return err
	}
	ch := domain.ItemChange{ItemID: before.ID, Fields: fields, Status: p.Status, Parties: p.Parties, Milestones: p.Milestones,
		ProposedBy: t.actor.UserID, ProposedAt: t.now, Confirmed: confirmed, State: domain.ChangePending}
	r := t.reader()
	err = r.queryRow(ctx, "INSERT INTO item_changes (item_id, fields, proposal, proposed_by, proposed_at, confirmed, state) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		ch.ItemID, jsonCol{fields}, jsonCol{p}, optID(ch.ProposedBy), ch.ProposedAt, jsonCol{emptyIfNil(confirmed)}, string(ch.State)).Scan(&ch.ID)
	if err != nil {
		return domain.Internalf(err, "hold item change")
	}
	return t.audit(ctx, "propose", "items", before.ID, nil, ch)
}

// sidesActedFor lists the sides of it whose lead unit the actor acts for.
func (t *Tx) sidesActedFor(ctx context.Context, it *domain.Item) ([]string, error) {
	pr, err := t.reader().principal(ctx, t.actor.User)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, side := range it.LeadSides() {
		if slices.Contains(pr.LiaisonUnits, it.Lead(side)) {
			out = append(out, side)
		}
	}
	return out, nil
}

func withPending(load func(context.Context, reader, []*domain.Item) error) func(context.Context, reader, []*domain.Item) error {
	return func(ctx context.Context, r reader, page []*domain.Item) error {
		if err := load(ctx, r, page); err != nil {
			return err
		}
		args, byID := ids(page)
		for _, it := range page {
			it.Pending = []domain.ItemChange{}
		}
		return loadRows(ctx, r, "SELECT id, item_id, fields, proposal, proposed_by, proposed_at, confirmed, state FROM item_changes WHERE state = 'pending' AND item_id IN (?) ORDER BY id", args, func(rows *sql.Rows) error {
			ch, err := scanChange(rows)
			if err != nil {
				return err
			}
			it := byID[ch.ItemID]
			ch.Awaiting = awaiting(it, ch.Confirmed)
			it.Pending = append(it.Pending, ch)
			return nil
		})
	}
}

func scanChange(sc interface{ Scan(...any) error }) (domain.ItemChange, error) {
	var ch domain.ItemChange
	var p proposal
	err := sc.Scan(&ch.ID, &ch.ItemID, jsonCol{&ch.Fields}, jsonCol{&p}, idCol{&ch.ProposedBy}, timeCol{&ch.ProposedAt}, jsonCol{&ch.Confirmed}, &ch.State)
	ch.Status, ch.Parties, ch.Milestones = p.Status, p.Parties, p.Milestones
	ch.Confirmed = emptyIfNil(ch.Confirmed)
	return ch, err
}

func awaiting(it *domain.Item, confirmed []string) []string {
	out := []string{}
	for _, side := range it.LeadSides() {
		if !slices.Contains(confirmed, side) {
			out = append(out, side)
		}
	}
	return out
}

// ConfirmItemChange records that the actor's side agrees to a pending
// change; when every side with a lead unit has agreed, the change is
// applied to the item. It returns the item as it now stands. Errors:
// NotFound; Forbidden when the actor acts for no lead unit still awaited.
func (s *Store) ConfirmItemChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, error) {
	var out *domain.Item
	err := s.Write(ctx, actor, func(t *Tx) error {
		it, ch, err := t.pendingChange(ctx, actor, itemID, changeID)
		if err != nil {
			return err
		}
		mine, err := t.sidesActedFor(ctx, it)
		if err != nil {
			return err
		}
		added := false
		for _, side := range mine {
			if !slices.Contains(ch.Confirmed, side) {
				ch.Confirmed, added = append(ch.Confirmed, side), true
			}
		}
		if !added && actor.User != nil {
			return domain.Errorf(domain.Forbidden, "only the lead unit of a side still awaited (%v) can confirm this change", awaiting(it, ch.Confirmed))
		}
		if actor.User == nil {
			ch.Confirmed = it.LeadSides() // the system confirms for everyone
		}
		state := domain.ChangePending
		if len(awaiting(it, ch.Confirmed)) == 0 {
			state = domain.ChangeApplied
			if ch.Status != "" {
				it.Status = ch.Status
			}
			if slices.Contains(ch.Fields, "parties") {
				it.Parties = ch.Parties
			}
			if slices.Contains(ch.Fields, "milestones") {
				it.Milestones = ch.Milestones
			}
			t.confirmed = true
			err := items.records(s).UpdateTx(ctx, t, it)
			t.confirmed = false
			if err != nil {
				return err
			}
		}
		if _, err := t.reader().exec(ctx, "UPDATE item_changes SET confirmed = ?, state = ?, decided_at = ? WHERE id = ?",
			jsonCol{ch.Confirmed}, string(state), decidedAt(state, t), ch.ID); err != nil {
			return domain.Internalf(err, "record confirmation")
		}
		ch.State = state
		if err := t.audit(ctx, "confirm", "items", itemID, nil, ch); err != nil {
			return err
		}
		out, err = items.records(s).get(ctx, t.reader(), itemID)
		return err
	})
	return out, err
}

// RejectItemChange withdraws a pending change; the lead unit of any side,
// or the mechanism's secretariat, may reject it. Errors: NotFound, Forbidden.
func (s *Store) RejectItemChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, error) {
	var out *domain.Item
	err := s.Write(ctx, actor, func(t *Tx) error {
		it, ch, err := t.pendingChange(ctx, actor, itemID, changeID)
		if err != nil {
			return err
		}
		mine, err := t.sidesActedFor(ctx, it)
		if err != nil {
			return err
		}
		if len(mine) == 0 {
			if err := items.records(s).mayWrite(ctx, t, it); err != nil || !t.isSecretariat(ctx, it.MechanismID) {
				return domain.Errorf(domain.Forbidden, "only a side's lead unit or the secretariat can reject this change")
			}
		}
		if _, err := t.reader().exec(ctx, "UPDATE item_changes SET state = ?, decided_at = ? WHERE id = ?", string(domain.ChangeRejected), t.now, ch.ID); err != nil {
			return domain.Internalf(err, "reject change")
		}
		ch.State = domain.ChangeRejected
		if err := t.audit(ctx, "reject", "items", itemID, nil, ch); err != nil {
			return err
		}
		out, err = items.records(s).get(ctx, t.reader(), itemID)
		return err
	})
	return out, err
}

func (t *Tx) isSecretariat(ctx context.Context, mechanism int64) bool {
	pr, err := t.reader().principal(ctx, t.actor.User)
	return err == nil && (pr.System() || pr.Admin || slices.Contains(pr.Secretariat, mechanism))
}

func decidedAt(state domain.ChangeState, t *Tx) any {
	if state == domain.ChangePending {
		return nil
	}
	return t.now
}

// pendingChange loads an item the actor may see and one of its pending changes.
func (t *Tx) pendingChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, domain.ItemChange, error) {
	rs := items.records(t.s)
	r := t.reader()
	it, err := rs.get(ctx, r, itemID)
	if err != nil {
		return nil, domain.ItemChange{}, err
	}
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return nil, domain.ItemChange{}, err
	}
	if items.decide(ctx, r, pr, policy.Read, it) != nil {
		return nil, domain.ItemChange{}, notVisible("items", itemID)
	}
	row := r.queryRow(ctx, "SELECT id, item_id, fields, proposal, proposed_by, proposed_at, confirmed, state FROM item_changes WHERE id = ? AND item_id = ? AND state = 'pending'", changeID, itemID)
	ch, err := scanChange(row)
	if isNoRows(err) {
		return nil, ch, domain.Errorf(domain.NotFound, "item %d has no pending change %d", itemID, changeID)
	}
	if err != nil {
		return nil, ch, domain.Internalf(err, "read change")
	}
	return it, ch, nil
}
