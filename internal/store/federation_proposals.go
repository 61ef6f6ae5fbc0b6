package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation/wire"
)

// Changes proposed across installations (issue 14, point 4). A record
// changes only where it is kept; what a reader of its replica would change
// is recorded here as a proposal, crosses to the keeper as an
// "item.proposed" event against the version the keeper last sent, and is
// answered by a "proposal.answered" event. The keeper applies it as the
// proposer's unit would on its own pages, through its two-side rule: the
// parts the keeper's side must confirm wait for it there, the rest is
// applied, and either way the change comes back as the keeper's event.
// A proposal against a version the keeper has since changed is refused as
// stale: the proposer sees the new state and proposes again.

// The audit entities whose events carry proposals and answers to the peers.
const (
	proposalsEntity = "federation_proposals"
	answersEntity   = "federation_answers"
	proposedType    = "item.proposed"
	answeredType    = "proposal.answered"
)

// The states of a proposal made here.
const (
	ProposalSent    = "sent"    // waiting for the keeper
	ProposalApplied = "applied" // the keeper made the change
	ProposalHeld    = "held"    // the keeper's side is asked to confirm it
	ProposalRefused = "refused" // the keeper refused it (the reason says why)
	// The change held for the keeper's side was rejected there (settled
	// by the change's state, not by an answer).
	ProposalRejected = "rejected"
)

// Proposal is a change proposed from here to the keeper of a record.
type Proposal struct {
	ID          int64      `json:"id"`
	Entity      string     `json:"entity"`
	LocalID     int64      `json:"local_id"`
	Keeper      string     `json:"keeper"`
	BaseVersion int64      `json:"base_version"` // the keeper's version it was made on
	Item        any        `json:"item"`         // the record as proposed, ids local
	ProposedBy  int64      `json:"proposed_by,omitempty"`
	ProposedAt  time.Time  `json:"proposed_at"`
	State       string     `json:"state"`
	Reason      string     `json:"reason,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	// ChangeID is the local copy of the two-side change it concerns: the
	// change it was held as, or the change it confirms or rejects.
	ChangeID int64 `json:"change_id,omitempty"`
	// Decision is "confirm" or "reject" for a decision on that change, ""
	// for a change to the record.
	Decision string `json:"decision,omitempty"`
	// OwnSides are the sides whose own units the proposal set here at
	// once (Records.proposeToKeeper); empty when it waits for the keeper.
	OwnSides []string `json:"own_sides,omitempty"`
}

// answer is the keeper's answer to a proposal, as its audit event and its
// event to the proposer state it.
type answer struct {
	Proposal string `json:"proposal"` // the proposal's event id
	Peer     string `json:"peer"`     // who proposed it
	Record   string `json:"record"`   // the record's global id
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
	Change   string `json:"change,omitempty"` // the global id of the change it was held as
}

// proposalEventID names a proposal across installations.
func proposalEventID(origin string, id int64) string {
	return origin + "#proposal-" + strconv.FormatInt(id, 10)
}

// proposeToKeeper records, in place of writing it, the change v to a
// record another installation keeps, once the policy allows the actor to
// make it: the page says it waits for the keeper (Tx.Held).
func (rs *Records[T, P]) proposeToKeeper(ctx context.Context, t *Tx, keeper string, before, v P) error {
	b := v.Base()
	if rs.t.name != "items" {
		return keptBy(rs.t.name, b.ID, keeper)
	}
	if before.Base().Version != b.Version {
		return staleError(rs.t.name, b.ID, b.Version, before.Base().Version)
	}
	if err := rs.mayDecide(ctx, t, before); err != nil {
		return err
	}
	if err := rs.checkAll(ctx, t, v); err != nil {
		return err
	}
	if err := rs.mayDecide(ctx, t, v); err != nil {
		return err
	}
	c, err := t.sidesActedFor(ctx, any(before).(*domain.Item), any(v).(*domain.Item))
	if err != nil {
		return err
	}
	if wrong := c.WrongSides(); len(wrong) > 0 {
		return wrongSide(wrong, keeper)
	}
	own := ownSidesOnly(c, any(before).(*domain.Item), any(v).(*domain.Item))
	if len(own) > 0 {
		// The proposer's side's own units: written here at once, so that
		// the side works on while its keeper is unreachable, and proposed
		// to the keeper, where no other side writes them.
		t.ownSides = true
		err := rs.updateTx(ctx, t, before, v, "update")
		t.ownSides = false
		if err != nil {
			return err
		}
		return t.recordProposal(ctx, rs.t.name, b.ID, keeper, v, 0, own...)
	}
	t.held = append(t.held, domain.ItemChange{ItemID: b.ID, BaseVersion: b.Version, ProposedBy: t.actor.UserID, ProposedAt: t.now,
		Awaiting: []string{keeper}, State: domain.ChangePending})
	return t.recordProposal(ctx, rs.t.name, b.ID, keeper, v, 0)
}

// ownSidesOnly returns the sides whose own units changing before into want
// changes, when that is all it changes and the two-side rule c leaves it
// to the proposer (nothing two-side remains): the proposer's own side's
// units. Nil for any other change.
func ownSidesOnly(c domain.Confirmation, before, want *domain.Item) []string {
	if len(c.Fields) > 0 || len(c.OwnSides()) == 0 {
		return nil
	}
	rest := *want
	rest.Parties = before.Parties
	if !items.sameState(before, &rest) {
		return nil
	}
	return c.OwnSides()
}

// wrongSide refuses a change across installations to the units of sides
// the proposer does not act for: each side changes its own (issue 14,
// point 4), on its own installation.
func wrongSide(sides []string, keeper string) error {
	return domain.Errorf(domain.Forbidden, "the units of side %s are that side's own: its lead changes them, on its own installation (the item is kept by %s)", strings.Join(sides, ", "), keeper).
		With(domain.FieldErrorf("parties", "names units of side %s, which you do not act for", strings.Join(sides, ", ")))
}

// recordProposal records what is proposed to the keeper of a record (the
// record as proposed, or a decision on one of its changes) against the
// version the keeper last sent; its audit event carries it to the keeper.
func (t *Tx) recordProposal(ctx context.Context, entity string, id int64, keeper string, proposed any, change int64, own ...string) error {
	r := t.reader()
	var base int64
	if err := r.queryRow(ctx, "SELECT origin_version FROM federation_records WHERE entity = ? AND local_id = ?", entity, id).Scan(&base); err != nil {
		return domain.Internalf(err, "read the keeper's version")
	}
	p := Proposal{Entity: entity, LocalID: id, Keeper: keeper, BaseVersion: base, Item: proposed, ProposedBy: t.actor.UserID, ProposedAt: t.now, State: ProposalSent, ChangeID: change,
		OwnSides: emptyIfNil(own)}
	if d, ok := proposed.(decision); ok {
		p.Decision = d.Decision
	}
	body, err := json.Marshal(proposed)
	if err != nil {
		return domain.Internalf(err, "encode proposal")
	}
	err = r.queryRow(ctx, `INSERT INTO federation_proposals (entity, local_id, keeper, base_version, proposal, proposed_by, proposed_at, state, change_id, decision, own_sides)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.Entity, p.LocalID, p.Keeper, p.BaseVersion, string(body), p.ProposedBy, p.ProposedAt, p.State, p.ChangeID, p.Decision, jsonCol{p.OwnSides}).Scan(&p.ID)
	if err != nil {
		return domain.Internalf(err, "record proposal")
	}
	return t.audit(ctx, "create", proposalsEntity, p.ID, nil, p)
}

// Proposals lists the proposals made here about a record, newest first.
func (s *Store) Proposals(ctx context.Context, entity string, id int64) ([]Proposal, error) {
	rows, err := s.reader().query(ctx, `SELECT id, entity, local_id, keeper, base_version, proposed_by, proposed_at, state, reason, answered_at, change_id, decision, own_sides
		FROM federation_proposals WHERE entity = ? AND local_id = ? ORDER BY id DESC`, entity, id)
	if err != nil {
		return nil, domain.Internalf(err, "read proposals")
	}
	defer rows.Close()
	var out []Proposal
	for rows.Next() {
		var p Proposal
		if err := rows.Scan(&p.ID, &p.Entity, &p.LocalID, &p.Keeper, &p.BaseVersion, &p.ProposedBy, timeCol{&p.ProposedAt}, &p.State, &p.Reason, nullTime{&p.AnsweredAt}, &p.ChangeID, &p.Decision, jsonCol{&p.OwnSides}); err != nil {
			return nil, domain.Internalf(err, "read proposals")
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// proposal exports a proposal made here to the peer that keeps its record.
func (x *exporter) proposal(ctx context.Context, ev domain.AuditEvent) error {
	var p struct {
		Proposal
		Item json.RawMessage `json:"item"`
	}
	if err := json.Unmarshal([]byte(ev.After), &p); err != nil {
		return domain.Internalf(err, "read proposal %d", ev.EntityID)
	}
	if p.Keeper != x.peer.Name {
		return nil
	}
	g, err := x.t.reader().globalID(ctx, x.self, p.Entity, p.LocalID)
	if err != nil {
		return err
	}
	if p.Decision != "" {
		return x.decision(ctx, ev, p.Proposal, g)
	}
	state, err := decodeObject(p.Item)
	if err != nil {
		return domain.Internalf(err, "read proposal %d", p.ID)
	}
	noun := federatedNouns[p.Entity]
	fe := FederatedEvent{ID: proposalEventID(x.self, p.ID), At: ev.At.UTC(), Type: proposedType, Record: g.String(), Base: p.BaseVersion}
	if err := x.actorOf(ctx, ev, &fe); err != nil {
		return err
	}
	if fe.Data, err = x.globalize(ctx, p.Entity, noun.refs, noun.local, state); err != nil {
		return err
	}
	x.out = append(x.out, fe)
	return nil
}

// answer exports the answer to a proposal to the peer that made it.
func (x *exporter) answer(ev domain.AuditEvent) error {
	var a answer
	if err := json.Unmarshal([]byte(ev.After), &a); err != nil {
		return domain.Internalf(err, "read answer")
	}
	if a.Peer != x.peer.Name {
		return nil
	}
	data, err := json.Marshal(map[string]string{"proposal": a.Proposal, "outcome": a.Outcome, "reason": a.Reason, "change": a.Change})
	if err != nil {
		return domain.Internalf(err, "encode answer")
	}
	x.out = append(x.out, FederatedEvent{ID: x.self + "#audit-" + strconv.FormatInt(ev.ID, 10), At: ev.At.UTC(), ActorName: "liandong", ActorRole: "system",
		Type: answeredType, Record: a.Record, Data: data})
	return nil
}

// receiveProposal applies, on the keeper, a change the peer proposed to a
// record kept here, as the proposer's unit would make it here, and
// answers it. It is refused when the record is not kept here, the base is
// stale, the proposer names no unit of its own, or the rules here refuse
// the change.
func (t *Tx) receiveProposal(ctx context.Context, peer *domain.Peer, shared map[string]bool, ev FederatedEvent, g domain.GlobalID) (string, string, error) {
	self := t.s.Origin()
	refuse := func(reason string) (string, string, error) {
		return Refused, reason, t.answer(ctx, peer, ev, g, ProposalRefused, reason)
	}
	if g.Origin != self || g.Entity != "items" {
		return Refused, fmt.Sprintf("a proposal goes to the installation that keeps the record: %s is not an item kept here", g), nil
	}
	state, err := decodeObject(ev.Data)
	if err != nil {
		return refuse("its data is not a JSON object")
	}
	if m, _ := state["mechanism_id"].(string); !shared[m] {
		return refuse(fmt.Sprintf("mechanism %q is not shared with %s here", m, peer.Name))
	}
	delete(state, "archived")
	if reason, err := t.localize(ctx, federatedNouns[g.Entity].refs, state); err != nil || reason != "" {
		if err != nil {
			return "", "", err
		}
		return refuse(reason)
	}
	proposer, why, err := t.proposer(ctx, peer, ev)
	if err != nil || why != "" {
		if err != nil {
			return "", "", err
		}
		return refuse(why)
	}
	before, err := t.s.Items.get(ctx, t.reader(), g.ID)
	if err != nil {
		return refuse(err.Error())
	}
	if before.Version != ev.Base {
		merged, why, err := t.rebase(ctx, before, ev.Base, state, proposer)
		if err != nil {
			return "", "", err
		}
		if why != "" {
			return refuse(why)
		}
		state = merged
	}
	data, err := json.Marshal(state)
	if err != nil {
		return "", "", domain.Internalf(err, "encode proposal")
	}
	want := &domain.Item{}
	if err := json.Unmarshal(data, want); err != nil {
		return refuse("the item proposed cannot be read: " + err.Error())
	}
	// The record's kit (its source, times and version) is the keeper's:
	// the replica holds none of it, and a proposal does not change it.
	want.Record = before.Record
	saved, held := t.actor, len(t.held)
	t.actor, t.federated = domain.ActorFor(proposer), false
	c, err := t.sidesActedFor(ctx, before, want)
	if wrong := c.WrongSides(); err == nil && len(wrong) > 0 {
		t.actor, t.federated = saved, true
		return refuse("wrong side: " + domain.ErrorText(wrongSide(wrong, self)).String())
	}
	if err != nil {
		t.actor, t.federated = saved, true
		return "", "", err
	}
	outcome, reason, err := t.inSavepoint(ctx, func() error { return items.records(t.s).UpdateTxFrom(ctx, t, before, want) })
	t.actor, t.federated = saved, true
	if err != nil {
		return "", "", err
	}
	a := answer{Outcome: ProposalApplied, Reason: reason}
	switch {
	case outcome == Refused:
		a.Outcome = ProposalRefused
	case len(t.held) > held:
		a.Outcome = ProposalHeld
		a.Change = domain.GlobalID{Origin: self, Entity: changesEntity, ID: t.held[len(t.held)-1].ID}.String()
	}
	return outcome, reason, t.answerWith(ctx, peer, ev, g, a)
}

// rebase carries a proposal made on an older version of an item over the
// item as it now stands, judged as a local two-side change is
// (changedSince): the fields the proposal changes from that version are
// set on the current state, and writes meanwhile to other fields do not
// stale it; a field the item holds as proposed already is left alone. Its
// parties are judged side by side: a change to the proposer's side's own
// units stands over the other side's own changes meanwhile, and replaces
// only that side's units. why says why it is
// stale: a field it changes was changed since, or the version it was made
// on is not on record.
func (t *Tx) rebase(ctx context.Context, now *domain.Item, base int64, proposed map[string]any, proposer *domain.User) (map[string]any, string, error) {
	states, err := t.itemStates(ctx, now.ID)
	if err != nil {
		return nil, "", err
	}
	_, was, ok := changedSince(states, base, nil)
	if !ok {
		return nil, fmt.Sprintf("stale: proposed on version %d, which is not on record here (the item is at version %d); propose again on the new state", base, now.Version), nil
	}
	cur, err := itemState(now)
	if err != nil {
		return nil, "", err
	}
	// The fields the proposal changes from its base, unless the item holds
	// them so already (a change of this side's that reached the keeper
	// before, carried along): those are judged for staleness and set.
	var keys, judged []string
	parties := now.Parties
	for _, k := range sortedKeys(proposed) {
		if sameField(k, proposed[k], cur[k]) {
			continue
		}
		if sameField(k, proposed[k], was[k]) {
			if k == "parties" {
				// The proposer's own sides' units as proposed stand even
				// where they are the base version's: successive proposals
				// made on one version (the keeper unreachable meanwhile)
				// each carry the side's units as last set, and one taking
				// back what an earlier one added is a change too
				// (FuzzFederationConverges found such a removal lost).
				c, err := t.reader().twoSide(ctx, proposer, now, now)
				if err != nil {
					return nil, "", err
				}
				parties = ownSidesAsProposed(now.Parties, partiesOf(proposed[k]), c.ProposerSides())
			}
			continue
		}
		if k != "parties" {
			keys, judged = append(keys, k), append(judged, k)
			continue
		}
		want := partiesOf(proposed[k])
		own, whoTakesPart := domain.OwnParties(partiesOf(was[k]), want)
		if whoTakesPart {
			judged, parties = append(judged, k), want
			continue
		}
		for _, side := range own {
			if mine := domain.SideParties(want, side); !slices.Equal(mine, domain.SideParties(now.Parties, side)) {
				judged, parties = append(judged, "parties."+side), domain.WithSideParties(parties, side, mine)
			}
		}
	}
	if changed, _, _ := changedSince(states, base, judged); changed != "" {
		return nil, fmt.Sprintf("stale: the %s changed after version %d, which the proposal was made on (the item is at version %d); propose again on the new state", changed, base, now.Version), nil
	}
	current := *now
	current.Parties = parties
	state, err := itemState(&current)
	if err != nil {
		return nil, "", err
	}
	for _, k := range keys {
		state[k] = proposed[k]
	}
	return state, "", nil
}

// ownSidesAsProposed is parties with the units of each of sides as want
// holds them, where the two sides take part alike.
func ownSidesAsProposed(parties, want []domain.Party, sides []string) []domain.Party {
	if _, whoTakesPart := domain.OwnParties(parties, want); whoTakesPart {
		return parties // who takes part is two-side: not set this way
	}
	for _, side := range sides {
		parties = domain.WithSideParties(parties, side, domain.SideParties(want, side))
	}
	return parties
}

// itemState is an item as a JSON object, as its audit events record it.
func itemState(it *domain.Item) (map[string]any, error) {
	b, err := json.Marshal(it)
	if err != nil {
		return nil, domain.Internalf(err, "encode item")
	}
	state, err := decodeObject(b)
	if err != nil {
		return nil, domain.Internalf(err, "encode item")
	}
	return state, nil
}

// proposer is who made a proposal the peer sent, as they act here: a
// liaison for their unit, so that the policy and the two-side rule see them
// as they would see that unit's liaison here. why says why there is none.
func (t *Tx) proposer(ctx context.Context, peer *domain.Peer, ev FederatedEvent) (*domain.User, string, error) {
	unitID, err := domain.ParseGlobalID(ev.ActorUnit)
	if err != nil || unitID.Entity != "organizations" {
		return nil, "a proposal is made by a liaison acting for one unit; " + ev.ActorName + " names none", nil
	}
	unit, ok, err := t.reader().localID(ctx, t.s.Origin(), unitID)
	if err != nil || !ok {
		return nil, fmt.Sprintf("the proposer's unit %s is not held here", ev.ActorUnit), err
	}
	return &domain.User{Name: ev.ActorName + " (" + peer.Name + ")",
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: unit}}}, "", nil
}

// answer records the keeper's answer to a proposal; its event goes back to
// the proposer.
func (t *Tx) answer(ctx context.Context, peer *domain.Peer, ev FederatedEvent, g domain.GlobalID, outcome, reason string) error {
	return t.answerWith(ctx, peer, ev, g, answer{Outcome: outcome, Reason: reason})
}

func (t *Tx) answerWith(ctx context.Context, peer *domain.Peer, ev FederatedEvent, g domain.GlobalID, a answer) error {
	a.Proposal, a.Peer, a.Record = ev.ID, peer.Name, g.String()
	return t.audit(ctx, "create", answersEntity, g.ID, nil, a)
}

// receiveAnswer records, on the proposer, the keeper's answer to one of
// its proposals.
func (t *Tx) receiveAnswer(ctx context.Context, peer *domain.Peer, ev FederatedEvent, g domain.GlobalID) (string, string, error) {
	if g.Origin != peer.Name {
		return Refused, fmt.Sprintf("%s answered about %s, which it does not keep", peer.Name, g), nil
	}
	var a struct{ Proposal, Outcome, Reason, Change string }
	if err := json.Unmarshal(ev.Data, &a); err != nil {
		return Refused, "the answer cannot be read", nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(a.Proposal, t.s.Origin()+"#proposal-"), 10, 64)
	if err != nil || !strings.HasPrefix(a.Proposal, t.s.Origin()+"#proposal-") {
		return Refused, fmt.Sprintf("%q is not a proposal made here", a.Proposal), nil
	}
	switch a.Outcome {
	case ProposalApplied, ProposalHeld, ProposalRefused:
	default:
		return Refused, fmt.Sprintf("%q is not an answer", a.Outcome), nil
	}
	query := "UPDATE federation_proposals SET state = ?, reason = ?, answered_at = ? WHERE id = ? AND keeper = ?"
	args := []any{a.Outcome, a.Reason, t.now, id, peer.Name}
	if a.Outcome == ProposalHeld && a.Change != "" {
		// Held as a change, whose copy came just before: its decision
		// settles the proposal (receiveChange). Checked before anything
		// is written: a refused answer changes nothing.
		cg, err := domain.ParseGlobalID(a.Change)
		if err != nil || cg.Entity != changesEntity || cg.Origin != peer.Name {
			return Refused, fmt.Sprintf("%q is not a change %s keeps", a.Change, peer.Name), nil
		}
		change, ok, err := t.reader().localID(ctx, t.s.Origin(), cg)
		if err != nil || !ok {
			return Refused, fmt.Sprintf("the change %s was not received here", a.Change), err
		}
		query = "UPDATE federation_proposals SET state = ?, reason = ?, answered_at = ?, change_id = ? WHERE id = ? AND keeper = ?"
		args = []any{a.Outcome, a.Reason, t.now, change, id, peer.Name}
	}
	res, err := t.reader().exec(ctx, query, args...)
	if err != nil {
		return "", "", domain.Internalf(err, "record answer")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Refused, fmt.Sprintf("no proposal %d was made here to %s", id, peer.Name), nil
	}
	if a.Outcome != ProposalApplied {
		// Refused, or held for a side to confirm there: what was set here
		// at once is the keeper's again, and a held change shows pending.
		return Applied, "", t.setBackOwnSides(ctx, id)
	}
	return Applied, "", nil
}

// ownSidesOnTheirWay returns parties, an item's parties as its keeper
// sent them, with the units of each side this side changed here since
// (Proposal.OwnSides) and the keeper has not yet answered.
func (t *Tx) ownSidesOnTheirWay(ctx context.Context, item int64, parties []domain.Party) ([]domain.Party, error) {
	rows, err := t.reader().query(ctx, "SELECT proposal, own_sides FROM federation_proposals WHERE entity = 'items' AND local_id = ? AND state = ? AND own_sides <> '[]' ORDER BY id",
		item, ProposalSent)
	if err != nil {
		return nil, domain.Internalf(err, "read own changes on their way")
	}
	defer rows.Close()
	for rows.Next() {
		var proposed domain.Item
		var own []string
		if err := rows.Scan(jsonCol{&proposed}, jsonCol{&own}); err != nil {
			return nil, domain.Internalf(err, "read own changes on their way")
		}
		for _, s := range own {
			parties = domain.WithSideParties(parties, s, domain.SideParties(proposed.Parties, s))
		}
	}
	return parties, rows.Err()
}

// setBackOwnSides undoes, once the keeper refused or held it, what a proposal set
// here at once of this side's own units: those sides' units become the
// keeper's again, as its latest state received here held them
// (federation_records.kept_parties), save those of a later change still
// on its way.
func (t *Tx) setBackOwnSides(ctx context.Context, proposal int64) error {
	r := t.reader()
	var item int64
	var own []string
	err := r.queryRow(ctx, "SELECT local_id, own_sides FROM federation_proposals WHERE id = ? AND entity = 'items'", proposal).Scan(&item, jsonCol{&own})
	if err != nil && !isNoRows(err) {
		return domain.Internalf(err, "read a refused proposal")
	}
	if len(own) == 0 {
		return nil // nothing was set here at once
	}
	var kept string
	if err := r.queryRow(ctx, "SELECT kept_parties FROM federation_records WHERE entity = 'items' AND local_id = ?", item).Scan(&kept); err != nil {
		return domain.Internalf(err, "read the keeper's parties")
	}
	if kept == "" {
		return nil // no state of the keeper's on record to go back to
	}
	var keepers []domain.Party
	if err := json.Unmarshal([]byte(kept), &keepers); err != nil {
		return domain.Internalf(err, "read the keeper's parties")
	}
	now, err := t.s.Items.get(ctx, r, item)
	if err != nil {
		return err
	}
	want := *now
	for _, s := range own {
		want.Parties = domain.WithSideParties(want.Parties, s, domain.SideParties(keepers, s))
	}
	if want.Parties, err = t.ownSidesOnTheirWay(ctx, item, want.Parties); err != nil {
		return err
	}
	if items.sameState(now, &want) {
		return nil
	}
	return items.records(t.s).UpdateTxFrom(ctx, t, now, &want)
}

// localize replaces the global ids at the reference paths of state with
// the local ids they stand for here; reason says what cannot be resolved.
func (t *Tx) localize(ctx context.Context, refs map[string]string, state map[string]any) (string, error) {
	self := t.s.Origin()
	r := t.reader()
	for path, table := range refs {
		err := walkRefs(state, path, func(v any) (any, error) {
			s, _ := v.(string)
			if s == "" {
				return 0, nil
			}
			ref, err := domain.ParseGlobalID(s)
			if err != nil || ref.Entity != table {
				return nil, fmt.Errorf("%s is not the global id of one of %s", path, table)
			}
			id, ok, err := r.localID(ctx, self, ref)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%s names %s, which this installation does not hold", path, s)
			}
			return id, nil
		})
		if err != nil {
			if domain.ErrorCode(err) == domain.Internal {
				return "", err
			}
			return err.Error(), nil
		}
	}
	return "", nil
}

// keysEntity is the audit entity of the installation's key rotations; each
// event's state is the signed statement, sent to every peer.
const keysEntity = "federation_keys"

// RecordKeyRotation logs the statement by which this installation replaced
// its key (wire.SignRotation): it goes to every peer as the next entry of
// the log kept for it, and a peer that pinned the old key pins the new one
// once it has checked both signatures.
func (s *Store) RecordKeyRotation(ctx context.Context, statement []byte) error {
	return s.Write(ctx, domain.Actor{}, func(t *Tx) error {
		var n int64
		if err := t.reader().queryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE entity = ?", keysEntity).Scan(&n); err != nil {
			return domain.Internalf(err, "count key rotations")
		}
		return t.audit(ctx, "rotate", keysEntity, n+1, nil, map[string]string{"statement": string(statement)})
	})
}

// rotation exports a key rotation to the peer.
func (x *exporter) rotation(ev domain.AuditEvent) error {
	var data map[string]string
	if err := json.Unmarshal([]byte(ev.After), &data); err != nil || data["statement"] == "" {
		return domain.Internalf(fmt.Errorf("rotation event %d holds no statement", ev.ID), "export")
	}
	b, err := json.Marshal(data)
	if err != nil {
		return domain.Internalf(err, "encode rotation")
	}
	x.out = append(x.out, FederatedEvent{ID: x.self + "#audit-" + strconv.FormatInt(ev.ID, 10), At: ev.At.UTC(), ActorName: "liandong", ActorRole: "system",
		Type: wire.KeyRotatedType, Record: domain.GlobalID{Origin: x.self, Entity: keysEntity, ID: ev.EntityID}.String(), Data: b})
	return nil
}

// receiveRotation pins the peer's new key, once its statement is signed by
// the key pinned now and by the new one.
func (t *Tx) receiveRotation(ctx context.Context, peer *domain.Peer, ev FederatedEvent, g domain.GlobalID) (string, string, error) {
	if g.Origin != peer.Name {
		return Refused, fmt.Sprintf("%s sent a rotation of %s's key", peer.Name, g.Origin), nil
	}
	var data struct{ Statement string }
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		return Refused, "the rotation cannot be read", nil
	}
	next, err := wire.OpenRotation([]byte(data.Statement), peer.VerifierKey)
	if err != nil {
		return Refused, err.Error(), nil
	}
	if _, err := t.reader().exec(ctx, "UPDATE federation_peers SET verifier_key = ?, updated_at = ? WHERE id = ?", next, t.now, peer.ID); err != nil {
		return "", "", domain.Internalf(err, "pin the peer's new key")
	}
	peer.VerifierKey = next
	return Applied, "", t.audit(ctx, "rotate", "federation_peers", peer.ID, nil, map[string]string{"peer": peer.Name, "verifier_key": next})
}

// LatestRotation returns the statement of this installation's latest key
// rotation, or nil when its key never rotated.
func (s *Store) LatestRotation(ctx context.Context) ([]byte, error) {
	var after string
	err := s.reader().queryRow(ctx, "SELECT after_json FROM audit_events WHERE entity = ? ORDER BY id DESC LIMIT 1", keysEntity).Scan(&after)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, domain.Internalf(err, "read key rotations")
	}
	var data map[string]string
	if err := json.Unmarshal([]byte(after), &data); err != nil {
		return nil, domain.Internalf(err, "read key rotations")
	}
	return []byte(data["statement"]), nil
}
