package store

import (
	"context"
	"database/sql"
	"slices"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// proposal is what an item change would set, as item_changes keeps it.
type proposal struct {
	Status      domain.ItemStatus  `json:"status,omitempty"`
	Parties     []domain.Party     `json:"parties,omitempty"`
	Milestones  []domain.Milestone `json:"milestones,omitempty"`
	MechanismID int64              `json:"mechanism_id,omitempty"`
	BatchID     int64              `json:"batch_id,omitempty"`
	Archived    bool               `json:"archived,omitempty"`
}

func init() {
	items.hold = holdForBothSides
	items.load = withPending(items.load)
	items.derived = []string{"pending"}
}

// holdForBothSides applies the two-side rule (domain.TwoSide) to whatever a
// user (not the system) does to an item: create, update, archive, restore
// or move it. The parts that need a side the user does not act for are set
// aside and wait in item_changes, confirmed already for the user's sides;
// the rest goes through.
//
// At creation the safe part is created — not started, no milestone done,
// only the parties of the proposer's own sides — and the rest waits as a
// change on it, rather than refusing the whole item: the proposer's side
// can start reporting on it at once, and the other side sees exactly what
// it is asked to agree to. When not even that part is the proposer's (it
// leads no side), nothing safe remains and creation is refused.
func holdForBothSides(ctx context.Context, t *Tx, before, v *domain.Item) (func(int64) error, error) {
	if t.actor.User == nil || t.confirmed {
		return nil, nil
	}
	c, err := t.sidesActedFor(ctx, before, v)
	if err != nil || !c.Held() {
		return nil, err
	}
	ch := c.Withhold(before, v)
	creating := before == nil
	if creating {
		if err := items.records(t.s).mayWrite(ctx, t, v); err != nil {
			var p domain.Problems
			p.Add("parties", "name your own unit as the lead of its side: an item is created with its proposer's side, and the other sides are asked to confirm theirs")
			return nil, p.Err()
		}
	}
	return func(version int64) error {
		if creating && len(ch.Milestones) == len(v.Milestones) {
			// The milestones were created without their done dates; the
			// change keeps their ids, so that confirming it marks them
			// done rather than replacing them.
			for i := range ch.Milestones {
				ch.Milestones[i].ID = v.Milestones[i].ID
			}
		}
		return t.propose(ctx, v.ID, version, ch)
	}, nil
}

// propose records a held change to an item at version.
func (t *Tx) propose(ctx context.Context, itemID, version int64, ch domain.ItemChange) error {
	ch.ItemID, ch.BaseVersion, ch.ProposedBy, ch.ProposedAt = itemID, version, t.actor.UserID, t.now
	p := proposal{Status: ch.Status, Parties: ch.Parties, Milestones: ch.Milestones, MechanismID: ch.MechanismID, BatchID: ch.BatchID, Archived: ch.Archived}
	err := t.reader().queryRow(ctx, "INSERT INTO item_changes (item_id, base_version, fields, proposal, proposed_by, proposed_at, confirmed, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		ch.ItemID, ch.BaseVersion, jsonCol{ch.Fields}, jsonCol{p}, optID(ch.ProposedBy), ch.ProposedAt, jsonCol{emptyIfNil(ch.Confirmed)}, string(ch.State)).Scan(&ch.ID)
	if err != nil {
		return domain.Internalf(err, "hold item change")
	}
	t.held = append(t.held, ch)
	return t.audit(ctx, "propose", "items", itemID, nil, ch)
}

// Held lists the item changes this transaction set aside for other sides
// to confirm, so that a page can say what waits and for whom.
func (t *Tx) Held() []domain.ItemChange { return t.held }

// sidesActedFor applies the two-side rule to changing before (nil at
// creation) into want, as the transaction's actor proposes it.
func (t *Tx) sidesActedFor(ctx context.Context, before, want *domain.Item) (domain.Confirmation, error) {
	return t.reader().twoSide(ctx, t.actor.User, before, want)
}

// TwoSide asks the two-side rule what changing before (nil at creation)
// into want would hold, and for whom, were actor to propose it; it changes
// nothing. Previews and pages ask it to say what will wait.
func (s *Store) TwoSide(ctx context.Context, actor domain.Actor, before, want *domain.Item) (domain.Confirmation, error) {
	return s.reader().twoSide(ctx, actor.User, before, want)
}

// twoSide is domain.TwoSide with the proposer resolved from user's grants:
// the units it acts for in the item's mechanism, and whether it runs that
// mechanism; the system acts for every side.
func (r reader) twoSide(ctx context.Context, user *domain.User, before, want *domain.Item) (domain.Confirmation, error) {
	pr, err := r.principal(ctx, user)
	if err != nil {
		return domain.Confirmation{}, err
	}
	mechanism := want.MechanismID
	if before != nil {
		mechanism = before.MechanismID
	}
	c := domain.TwoSide(before, want, domain.Proposer{Units: pr.UnitsIn(mechanism), Secretariat: pr.Admin || slices.Contains(pr.Secretariat, mechanism)})
	if pr.System() {
		c.Acting = c.Sides
	}
	return c, nil
}

const changeColumns = "id, item_id, base_version, fields, proposal, proposed_by, proposed_at, confirmed, state"

func withPending(load func(context.Context, reader, []*domain.Item) error) func(context.Context, reader, []*domain.Item) error {
	return func(ctx context.Context, r reader, page []*domain.Item) error {
		if err := load(ctx, r, page); err != nil {
			return err
		}
		args, byID := ids(page)
		for _, it := range page {
			it.Pending = []domain.ItemChange{}
		}
		return loadRows(ctx, r, "SELECT "+changeColumns+" FROM item_changes WHERE state = 'pending' AND item_id IN (?) ORDER BY id", args, func(rows *sql.Rows) error {
			ch, err := scanChange(rows)
			if err != nil {
				return err
			}
			it := byID[ch.ItemID]
			ch.Awaiting = awaiting(it, ch)
			it.Pending = append(it.Pending, ch)
			return nil
		})
	}
}

func scanChange(sc interface{ Scan(...any) error }) (domain.ItemChange, error) {
	var ch domain.ItemChange
	var p proposal
	err := sc.Scan(&ch.ID, &ch.ItemID, &ch.BaseVersion, jsonCol{&ch.Fields}, jsonCol{&p}, idCol{&ch.ProposedBy}, timeCol{&ch.ProposedAt}, jsonCol{&ch.Confirmed}, &ch.State)
	ch.Status, ch.Parties, ch.Milestones, ch.MechanismID, ch.BatchID, ch.Archived = p.Status, p.Parties, p.Milestones, p.MechanismID, p.BatchID, p.Archived
	ch.Confirmed = emptyIfNil(ch.Confirmed)
	return ch, err
}

// awaiting lists the sides that must still confirm ch on it.
func awaiting(it *domain.Item, ch domain.ItemChange) []string {
	return domain.TwoSide(it, ch.Proposed(it, ch.ProposedAt), domain.Proposer{}).Awaiting(ch.Confirmed)
}

// ConfirmItemChange records that the actor's sides agree to a pending
// change; when every side that must agree has, the change is applied to
// the item. A change proposed on an older version of the item than the
// stored one is not applied over the newer data: it is marked stale and
// refused. It returns the item as it now stands. Errors: NotFound;
// Forbidden when the actor acts for no side still awaited; Conflict when
// the change is stale.
func (s *Store) ConfirmItemChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, error) {
	var out *domain.Item
	var stale error
	err := s.Write(ctx, actor, func(t *Tx) error {
		it, ch, err := t.pendingChange(ctx, actor, itemID, changeID)
		if err != nil {
			return err
		}
		want := ch.Proposed(it, t.now)
		c, err := t.sidesActedFor(ctx, it, want)
		if err != nil {
			return err
		}
		added := false
		for _, side := range c.Acting {
			if !slices.Contains(ch.Confirmed, side) {
				ch.Confirmed, added = append(ch.Confirmed, side), true
			}
		}
		if !added {
			return domain.Errorf(domain.Forbidden, "only the lead unit of a side still awaited (%v) can confirm this change", c.Awaiting(ch.Confirmed))
		}
		state := domain.ChangePending
		switch {
		case ch.BaseVersion != it.Version:
			state = domain.ChangeStale
			stale = domain.Errorf(domain.Conflict, "item %d has changed since change %d was proposed on its version %d; the stored version is %d, so the change is not applied: propose it again if it still holds", itemID, ch.ID, ch.BaseVersion, it.Version).
				With(domain.FieldErrorf("base_version", "is %d, the stored version is %d", ch.BaseVersion, it.Version))
		case len(c.Awaiting(ch.Confirmed)) == 0:
			state = domain.ChangeApplied
			rs := items.records(s)
			t.confirmed = true
			if slices.Contains(ch.Fields, domain.FieldArchived) {
				_, err = rs.archiveTx(ctx, t, it, ch.Archived)
			} else {
				err = rs.UpdateTxFrom(ctx, t, it, want)
			}
			t.confirmed = false
			if err != nil {
				return err
			}
		}
		res, err := t.reader().exec(ctx, "UPDATE item_changes SET confirmed = ?, state = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
			jsonCol{ch.Confirmed}, string(state), decidedAt(state, t), ch.ID)
		if err != nil {
			return domain.Internalf(err, "record confirmation")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return domain.Errorf(domain.Conflict, "change %d was decided meanwhile; reload the item", ch.ID)
		}
		ch.State = state
		action := "confirm"
		if state == domain.ChangeStale {
			action = "stale"
		}
		if err := t.audit(ctx, action, "items", itemID, nil, ch); err != nil {
			return err
		}
		out, err = items.records(s).get(ctx, t.reader(), itemID)
		return err
	})
	if err == nil && stale != nil {
		return out, stale
	}
	return out, err
}

// RejectItemChange withdraws a pending change; the lead unit of any side it
// concerns (a side whose unit it would name as lead included), the
// mechanism's secretariat or an administrator may reject it. Errors:
// NotFound, Forbidden.
func (s *Store) RejectItemChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, error) {
	var out *domain.Item
	err := s.Write(ctx, actor, func(t *Tx) error {
		it, ch, err := t.pendingChange(ctx, actor, itemID, changeID)
		if err != nil {
			return err
		}
		c, err := t.sidesActedFor(ctx, it, ch.Proposed(it, t.now))
		if err != nil {
			return err
		}
		if len(c.Acting) == 0 && !t.mayOversee(ctx, it.MechanismID) {
			return domain.Errorf(domain.Forbidden, "only a side's lead unit or the secretariat can reject this change")
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

// mayOversee reports whether the actor is an administrator or the
// mechanism's secretariat.
func (t *Tx) mayOversee(ctx context.Context, mechanism int64) bool {
	pr, err := t.reader().principal(ctx, t.actor.User)
	return err == nil && (pr.Admin || slices.Contains(pr.Secretariat, mechanism))
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
	row := r.queryRow(ctx, "SELECT "+changeColumns+" FROM item_changes WHERE id = ? AND item_id = ? AND state = 'pending'", changeID, itemID)
	ch, err := scanChange(row)
	if isNoRows(err) {
		err = domain.Errorf(domain.NotFound, "item %d has no pending change %d", itemID, changeID)
	} else if err != nil {
		err = domain.Internalf(err, "read change")
	}
	// A unit the change would name as a side's lead is not yet a party,
	// yet it is the one asked: the policy lets it read the item
	// (policy.Object.Invited), so it sees the change it is to confirm.
	if items.decide(ctx, r, pr, policy.Read, it) != nil {
		return nil, domain.ItemChange{}, notVisible("items", itemID)
	}
	if err != nil {
		return nil, ch, err
	}
	return it, ch, nil
}

// invitedLeads lists the units that the item's pending changes would name
// as a side's lead and that are not parties yet.
func invitedLeads(it *domain.Item) []int64 {
	var out []int64
	for _, ch := range it.Pending {
		for _, pt := range ch.Parties {
			if pt.Role == domain.LeadUnit && !slices.ContainsFunc(it.Parties, func(p domain.Party) bool { return p.OrganizationID == pt.OrganizationID }) {
				out = append(out, pt.OrganizationID)
			}
		}
	}
	return out
}

// MayConfirm reports whether actor acts, by the two-side rule, for a side
// that the pending change ch of it still awaits: a page offers the
// confirmation only to who can give it (the proposer's own side has given
// it already).
func (s *Store) MayConfirm(ctx context.Context, actor domain.Actor, it *domain.Item, ch domain.ItemChange) bool {
	c, err := s.TwoSide(ctx, actor, it, ch.Proposed(it, s.Now()))
	return err == nil && slices.ContainsFunc(ch.Awaiting, func(side string) bool { return slices.Contains(c.Acting, side) })
}
