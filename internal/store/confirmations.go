package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// proposal is what an item change would set, as item_changes keeps it.
type proposal struct {
	Title             string             `json:"title,omitempty"`
	StartOn           domain.Date        `json:"start_on,omitzero"`
	EndOn             domain.Date        `json:"end_on,omitzero"`
	Schedule          domain.Schedule    `json:"schedule,omitzero"`
	InvestmentTotal   float64            `json:"investment_total,omitempty"`
	InvestmentPlanned float64            `json:"investment_planned_this_year,omitempty"`
	Status            domain.ItemStatus  `json:"status,omitempty"`
	Parties           []domain.Party     `json:"parties,omitempty"`
	PartySides        []string           `json:"party_sides,omitempty"`
	Milestones        []domain.Milestone `json:"milestones,omitempty"`
	MechanismID       int64              `json:"mechanism_id,omitempty"`
	BatchID           int64              `json:"batch_id,omitempty"`
	Archived          bool               `json:"archived,omitempty"`
	// The day the change happened, as its proposer stated it.
	OccurredOn        domain.Date          `json:"occurred_on,omitzero"`
	OccurredPrecision domain.DatePrecision `json:"occurred_precision,omitempty"`
}

// proposalOf is what item_changes keeps of ch.
func proposalOf(ch domain.ItemChange) proposal {
	return proposal{Title: ch.Title, StartOn: ch.StartOn, EndOn: ch.EndOn, Schedule: ch.Schedule, InvestmentTotal: ch.InvestmentTotal, InvestmentPlanned: ch.InvestmentPlanned,
		Status: ch.Status, Parties: ch.Parties, PartySides: ch.PartySides, Milestones: ch.Milestones, MechanismID: ch.MechanismID, BatchID: ch.BatchID, Archived: ch.Archived,
		OccurredOn: ch.OccurredOn, OccurredPrecision: ch.OccurredPrecision}
}

// setOn sets what p keeps on ch.
func (p proposal) setOn(ch *domain.ItemChange) {
	ch.Title, ch.StartOn, ch.EndOn, ch.Schedule, ch.InvestmentTotal, ch.InvestmentPlanned = p.Title, p.StartOn, p.EndOn, p.Schedule, p.InvestmentTotal, p.InvestmentPlanned
	ch.Status, ch.Parties, ch.PartySides, ch.Milestones, ch.MechanismID, ch.BatchID, ch.Archived = p.Status, p.Parties, p.PartySides, p.Milestones, p.MechanismID, p.BatchID, p.Archived
	ch.OccurredOn, ch.OccurredPrecision = p.OccurredOn, p.OccurredPrecision
}

func init() {
	items.hold = holdForBothSides
	items.load = withPending(items.load)
	items.loadAfterText = withPending(items.loadAfterText)
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
	ch.OccurredOn, ch.OccurredPrecision, _ = Occurred(ctx)
	err := t.reader().queryRow(ctx, "INSERT INTO item_changes (item_id, base_version, fields, proposal, proposed_by, proposed_at, confirmed, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		ch.ItemID, ch.BaseVersion, jsonCol{ch.Fields}, jsonCol{proposalOf(ch)}, optID(ch.ProposedBy), ch.ProposedAt, jsonCol{emptyIfNil(ch.Confirmed)}, string(ch.State)).Scan(&ch.ID)
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
// mechanism; the system acts for every side. The item's mechanism (as
// stored, before a move) says who acts for a side without a lead.
func (r reader) twoSide(ctx context.Context, user *domain.User, before, want *domain.Item) (domain.Confirmation, error) {
	pr, err := r.principal(ctx, user)
	if err != nil {
		return domain.Confirmation{}, err
	}
	it := want
	if before != nil {
		it = before
	}
	m, err := r.itemMechanism(ctx, it)
	if err != nil {
		return domain.Confirmation{}, err
	}
	c := domain.TwoSide(before, want, m, domain.Proposer{Units: pr.UnitsIn(m.ID), Secretariat: pr.Admin || slices.Contains(pr.Secretariat, m.ID)})
	if pr.System() {
		c.Acting = c.Sides
	}
	return c, nil
}

// itemMechanism reads the mechanism of it with its members, which name who
// acts for a side without a lead.
func (r reader) itemMechanism(ctx context.Context, it *domain.Item) (*domain.Mechanism, error) {
	return r.s.Mechanisms.get(ctx, r, it.MechanismID)
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
		err := loadRows(ctx, r, "SELECT "+changeColumns+" FROM item_changes WHERE state = 'pending' AND item_id IN (?) ORDER BY id", args, func(rows *sql.Rows) error {
			ch, err := scanChange(rows)
			if err != nil {
				return err
			}
			it := byID[ch.ItemID]
			ch.Awaiting = awaiting(it, ch)
			it.Pending = append(it.Pending, ch)
			return nil
		})
		if err != nil {
			return err
		}
		// Who is asked to confirm for a side without a lead is the
		// mechanism's to say; read it only for the items that wait.
		mechs := map[int64]*domain.Mechanism{}
		for _, it := range page {
			if len(it.Pending) == 0 {
				continue
			}
			m, ok := mechs[it.MechanismID]
			if !ok {
				if m, err = r.itemMechanism(ctx, it); err != nil {
					return err
				}
				mechs[it.MechanismID] = m
			}
			for i, ch := range it.Pending {
				it.Pending[i].Confirmers = confirmers(it, ch, m)
			}
		}
		return nil
	}
}

// confirmers names, for each side ch still awaits on it, the units asked to
// confirm for that side (domain.SideConfirmers).
func confirmers(it *domain.Item, ch domain.ItemChange, m *domain.Mechanism) map[string][]int64 {
	out := map[string][]int64{}
	want := ch.Proposed(it, ch.ProposedAt)
	for _, side := range ch.Awaiting {
		out[side] = emptyIfNil(domain.SideConfirmers(it, want, m, side))
	}
	return out
}

func scanChange(sc interface{ Scan(...any) error }) (domain.ItemChange, error) {
	var ch domain.ItemChange
	var p proposal
	err := sc.Scan(&ch.ID, &ch.ItemID, &ch.BaseVersion, jsonCol{&ch.Fields}, jsonCol{&p}, idCol{&ch.ProposedBy}, timeCol{&ch.ProposedAt}, jsonCol{&ch.Confirmed}, &ch.State)
	p.setOn(&ch)
	ch.Confirmed = emptyIfNil(ch.Confirmed)
	return ch, err
}

// awaiting lists the sides that must still confirm ch on it; which sides
// must agree does not depend on the mechanism, only who acts for them.
func awaiting(it *domain.Item, ch domain.ItemChange) []string {
	return domain.TwoSide(it, ch.Proposed(it, ch.ProposedAt), nil, domain.Proposer{}).Awaiting(ch.Confirmed)
}

// ConfirmItemChange records that the actor's sides agree to a pending
// change; when every side that must agree has, the change's fields are
// applied over the item as it now stands. A change one of whose fields was
// changed since the version it was proposed on is not applied over the
// newer data: it is marked stale and refused. Writes to the item's other
// fields (its content, investment, light …) meanwhile do not stale it. It
// returns the item as it now stands. Errors: NotFound; Forbidden when the
// actor acts for no side still awaited; Conflict, naming the field, when
// the change is stale.
func (s *Store) ConfirmItemChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, error) {
	var out *domain.Item
	var stale error
	err := s.Write(ctx, actor, func(t *Tx) error {
		var err error
		out, stale, err = t.confirmChange(ctx, itemID, changeID)
		return err
	})
	if err == nil && stale != nil {
		return out, stale
	}
	return out, err
}

// confirmChange is ConfirmItemChange within t, for its actor; stale is the
// Conflict of a change found stale, which t keeps marked so. On a replica
// the confirmation goes to the item's keeper, which decides.
func (t *Tx) confirmChange(ctx context.Context, itemID, changeID int64) (out *domain.Item, stale error, err error) {
	it, ch, err := t.pendingChange(ctx, t.actor, itemID, changeID)
	if err != nil {
		return nil, nil, err
	}
	want := ch.Proposed(it, t.now)
	c, err := t.sidesActedFor(ctx, it, want)
	if err != nil {
		return nil, nil, err
	}
	added := false
	for _, side := range c.Acting {
		if !slices.Contains(ch.Confirmed, side) {
			ch.Confirmed, added = append(ch.Confirmed, side), true
		}
	}
	if !added {
		return nil, nil, domain.Errorf(domain.Forbidden, "only who confirms for a side still awaited (%v) can confirm this change: its lead unit, or for a side without one the unit the mechanism names (its secretariat on that side)", c.Awaiting(ch.Confirmed))
	}
	if sent, err := t.decideAtKeeper(ctx, it, ch, decisionConfirm); sent || err != nil {
		return it, nil, err
	}
	changed := ""
	if ch.BaseVersion != it.Version {
		if changed, err = t.heldFieldChanged(ctx, ch); err != nil {
			return nil, nil, err
		}
	}
	state := domain.ChangePending
	switch {
	case changed != "":
		state = domain.ChangeStale
		stale = domain.Errorf(domain.Conflict, "the %s of item %d changed after change %d was proposed on its version %d (the stored version is %d), so the change is not applied over it: propose it again if it still holds", changed, itemID, ch.ID, ch.BaseVersion, it.Version).
			With(domain.FieldErrorf(changed, "changed since version %d, which the change was proposed on; the stored version is %d", ch.BaseVersion, it.Version))
	case len(c.Awaiting(ch.Confirmed)) == 0:
		state = domain.ChangeApplied
		rs := items.records(t.s)
		// The change happened when its proposer said, unless the
		// confirmation states a day of its own.
		applying := ctx
		if _, _, stated := Occurred(ctx); !stated {
			applying = WithOccurred(ctx, ch.OccurredOn, ch.OccurredPrecision)
		}
		t.confirmed = true
		if slices.Contains(ch.Fields, domain.FieldArchived) {
			_, err = rs.archiveTx(applying, t, it, ch.Archived)
		} else {
			err = rs.UpdateTxFrom(applying, t, it, want)
		}
		t.confirmed = false
		if err != nil {
			return nil, nil, err
		}
	}
	res, err := t.reader().exec(ctx, "UPDATE item_changes SET confirmed = ?, state = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
		jsonCol{ch.Confirmed}, string(state), decidedAt(state, t), ch.ID)
	if err != nil {
		return nil, nil, domain.Internalf(err, "record confirmation")
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, nil, domain.Errorf(domain.Conflict, "change %d was decided meanwhile; reload the item", ch.ID)
	}
	ch.State = state
	action := "confirm"
	if state == domain.ChangeStale {
		action = "stale"
	}
	if err := t.audit(ctx, action, "items", itemID, nil, ch); err != nil {
		return nil, nil, err
	}
	out, err = items.records(t.s).get(ctx, t.reader(), itemID)
	return out, stale, err
}

// heldFieldChanged names the first field ch holds that some version of
// its item after ch.BaseVersion set differently from that version, as the
// item's audit events record its states, or returns "" when every write
// since left those fields alone. This is where a change is judged stale: a
// change to some sides' own units among the parties by those sides' units
// only, so that another side's own changes meanwhile stand. Without the
// state of the base version on record, every held field counts as changed.
func (t *Tx) heldFieldChanged(ctx context.Context, ch domain.ItemChange) (string, error) {
	states, err := t.itemStates(ctx, ch.ItemID)
	if err != nil {
		return "", err
	}
	for _, f := range ch.Fields {
		keys := domain.HeldPaths[f]
		if f == domain.FieldParties && len(ch.PartySides) > 0 {
			keys = nil
			for _, s := range ch.PartySides {
				keys = append(keys, "parties."+s)
			}
		}
		changed, _, ok := changedSince(states, ch.BaseVersion, keys)
		if changed != "" || !ok {
			return f, nil
		}
	}
	return "", nil
}

// partiesOf reads parties from an item's JSON state.
func partiesOf(v any) []domain.Party {
	var out []domain.Party
	if b, err := json.Marshal(v); err == nil {
		json.Unmarshal(b, &out)
	}
	return out
}

// fieldAt is the value at path in an item's JSON state: a key, a key of a
// nested object (investment.total), or one side's parties (parties.<side>).
func fieldAt(state map[string]any, path string) any {
	key, rest, nested := strings.Cut(path, ".")
	v := state[key]
	if !nested {
		return v
	}
	if key == "parties" {
		return domain.SideParties(partiesOf(v), rest)
	}
	if m, ok := v.(map[string]any); ok {
		return m[rest]
	}
	return nil
}

// itemStates are an item's states as its audit events record them, oldest
// first.
func (t *Tx) itemStates(ctx context.Context, id int64) ([]map[string]any, error) {
	rows, err := t.reader().query(ctx, `SELECT after_json FROM audit_events WHERE entity = 'items' AND entity_id = ?
		AND action IN ('create', 'update', 'archive', 'restore') ORDER BY id`, id)
	if err != nil {
		return nil, domain.Internalf(err, "read item states")
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, domain.Internalf(err, "read item states")
		}
		state, err := decodeObject([]byte(text))
		if err != nil {
			return nil, domain.Internalf(err, "read the state of item %d", id)
		}
		out = append(out, state)
	}
	return out, rows.Err()
}

// changedSince names the first of keys that a state after version base
// sets differently from the state of that version (sameField), or "" when
// none does; was is the state of version base, and ok is false when none
// is on record. This is the one judgement of staleness: of a change held
// here for a side, and of a change another installation proposes.
func changedSince(states []map[string]any, base int64, keys []string) (changed string, was map[string]any, ok bool) {
	for _, state := range states {
		version := idOf(state["version"])
		switch {
		case version == base:
			was = state
		case was != nil && version > base:
			for _, k := range keys {
				if !sameField(k, fieldAt(was, k), fieldAt(state, k)) {
					return k, was, true
				}
			}
		}
	}
	return "", was, was != nil
}

// sameField says whether two states of an item's field k say the same:
// zero and absent alike, times to the microsecond, milestones regardless
// of their ids (which differ between installations).
func sameField(k string, a, b any) bool {
	norm := func(v any) string {
		raw, _ := json.Marshal(v)
		var plain any
		json.Unmarshal(raw, &plain)
		if k == "milestones" {
			if list, ok := plain.([]any); ok {
				for _, m := range list {
					if m, ok := m.(map[string]any); ok {
						delete(m, "id")
					}
				}
			}
		}
		out, _ := json.Marshal(canonical(plain))
		return string(out)
	}
	return norm(a) == norm(b)
}

// RejectItemChange withdraws a pending change; who confirms for any side
// it concerns (domain.SideConfirmers: a side's lead, the unit it would name
// as lead, or for a side without one the unit the mechanism names), the
// mechanism's secretariat or an administrator may reject it. Errors:
// NotFound, Forbidden.
func (s *Store) RejectItemChange(ctx context.Context, actor domain.Actor, itemID, changeID int64) (*domain.Item, error) {
	var out *domain.Item
	err := s.Write(ctx, actor, func(t *Tx) error {
		var err error
		out, err = t.rejectChange(ctx, itemID, changeID)
		return err
	})
	return out, err
}

// rejectChange is RejectItemChange within t, for its actor. On a replica
// the rejection goes to the item's keeper, which decides.
func (t *Tx) rejectChange(ctx context.Context, itemID, changeID int64) (*domain.Item, error) {
	it, ch, err := t.pendingChange(ctx, t.actor, itemID, changeID)
	if err != nil {
		return nil, err
	}
	c, err := t.sidesActedFor(ctx, it, ch.Proposed(it, t.now))
	if err != nil {
		return nil, err
	}
	if len(c.Acting) == 0 && !t.mayOversee(ctx, it.MechanismID) {
		return nil, domain.Errorf(domain.Forbidden, "only who confirms for a side (its lead unit, or for a side without one the unit the mechanism names) or the secretariat can reject this change")
	}
	if sent, err := t.decideAtKeeper(ctx, it, ch, decisionReject); sent || err != nil {
		return it, err
	}
	if _, err := t.reader().exec(ctx, "UPDATE item_changes SET state = ?, decided_at = ? WHERE id = ?", string(domain.ChangeRejected), t.now, ch.ID); err != nil {
		return nil, domain.Internalf(err, "reject change")
	}
	ch.State = domain.ChangeRejected
	if err := t.audit(ctx, "reject", "items", itemID, nil, ch); err != nil {
		return nil, err
	}
	return items.records(t.s).get(ctx, t.reader(), itemID)
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
	// A unit the change would name as a side's lead, or the secretariat
	// unit of a side without a lead, may not be a party, yet it is the one
	// asked: the policy lets it read the item (policy.Object.Invited), so
	// it sees the change it is to confirm.
	if items.decide(ctx, r, pr, policy.Read, it) != nil {
		return nil, domain.ItemChange{}, notVisible("items", itemID)
	}
	if err != nil {
		return nil, ch, err
	}
	return it, ch, nil
}

// invitedUnits lists the units the item's pending changes ask to confirm
// that are not parties: a unit a change would name as a side's lead, and
// the unit that confirms for a side without a lead (its secretariat).
func invitedUnits(it *domain.Item) []int64 {
	var out []int64
	add := func(u int64) {
		if !slices.ContainsFunc(it.Parties, func(p domain.Party) bool { return p.OrganizationID == u }) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, ch := range it.Pending {
		for _, pt := range ch.Parties {
			if pt.Role == domain.LeadUnit {
				add(pt.OrganizationID)
			}
		}
		for _, units := range ch.Confirmers {
			for _, u := range units {
				add(u)
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
