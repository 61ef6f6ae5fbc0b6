package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
)

// Two-side changes across installations (issue 14, point 4). An item
// changes where it is kept, and there the two-side rule holds what one
// side changes until the other confirms (item_changes). Such a change
// crosses to the peer as the change itself, an "item.change" event each
// time its state moves (proposed, confirmed by one more side, applied,
// stale, rejected), and its copy there is an item change like any other:
// the item's page lists it, asks who confirms for the side awaited, and
// offers them to confirm or reject it. On the replica that decision is not
// applied: it goes to the keeper as a proposal ("item.change_confirmed",
// "item.change_rejected"), the keeper makes it as the deciding unit's
// liaison would there, through the same rule, and answers it; the change's
// next state comes back as the keeper's event. So both sides decide with
// one rule, and only the keeper's answer is the outcome.

const (
	changesEntity = "item_changes"
	changeType    = "item.change"

	decisionConfirm = "confirm"
	decisionReject  = "reject"
)

// decisionTypes are the events that carry a decision to the keeper.
var decisionTypes = map[string]string{decisionConfirm: "item.change_confirmed", decisionReject: "item.change_rejected"}

// changeActions are the audit actions that record a two-side change whole.
var changeActions = map[string]bool{"propose": true, "confirm": true, "stale": true, "reject": true}

// changeRefs are the fields of a change that name other records.
var changeRefs = map[string]string{"mechanism_id": "mechanisms", "batch_id": "batches", "parties[].organization_id": "organizations"}

// decision is the body of a proposal that decides a change.
type decision struct {
	Decision string `json:"decision"`
	Change   int64  `json:"change"` // the local copy of the change
}

// decideAtKeeper sends a decision on a change of a replica to the item's
// keeper and reports true, or reports false for an item kept here. The
// caller has checked that the actor may make it: the replica holds the
// same parties and members, so it asks the same rule the keeper will.
func (t *Tx) decideAtKeeper(ctx context.Context, it *domain.Item, ch domain.ItemChange, kind string) (bool, error) {
	keeper, err := t.reader().keeperOf(ctx, "items", it.ID)
	if err != nil || keeper == "" {
		return false, err
	}
	if sent, err := t.reader().decisionSent(ctx, ch.ID); err != nil || sent != "" {
		if err == nil {
			err = domain.Errorf(domain.Conflict, "a decision on change %d is on its way to %s, which keeps item %d; wait for its answer", ch.ID, keeper, it.ID)
		}
		return false, err
	}
	return true, t.recordProposal(ctx, "items", it.ID, keeper, decision{Decision: kind, Change: ch.ID}, ch.ID)
}

// DecisionSent names the keeper a decision on the change (the copy here of
// a change its keeper holds) is on its way to, or "" when none is: the
// page then says so in place of offering another.
func (s *Store) DecisionSent(ctx context.Context, change int64) (string, error) {
	return s.reader().decisionSent(ctx, change)
}

func (r reader) decisionSent(ctx context.Context, change int64) (string, error) {
	var keeper string
	err := r.queryRow(ctx, "SELECT keeper FROM federation_proposals WHERE change_id = ? AND decision <> '' AND state = ?", change, ProposalSent).Scan(&keeper)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", domain.Internalf(err, "read proposals")
	}
	return keeper, nil
}

// decision exports a decision made here on a change of a record the peer
// keeps; the change is named by the keeper's id.
func (x *exporter) decision(ctx context.Context, ev domain.AuditEvent, p Proposal, item domain.GlobalID) error {
	change, err := x.t.reader().globalID(ctx, x.self, changesEntity, p.ChangeID)
	if err != nil {
		return err
	}
	data, err := json.Marshal(map[string]string{"change": change.String()})
	if err != nil {
		return domain.Internalf(err, "encode decision")
	}
	fe := FederatedEvent{ID: proposalEventID(x.self, p.ID), At: ev.At.UTC(), Type: decisionTypes[p.Decision], Record: item.String(), Base: p.BaseVersion, Data: data}
	if err := x.actorOf(ctx, ev, &fe); err != nil {
		return err
	}
	x.out = append(x.out, fe)
	return nil
}

// change exports a two-side change of an item kept here, in a mechanism
// shared with the peer, as it stands after the audit event ev.
func (x *exporter) change(ctx context.Context, ev domain.AuditEvent) error {
	r := x.t.reader()
	item, err := r.globalID(ctx, x.self, "items", ev.EntityID)
	if err != nil || item.Origin != x.self {
		return err // the copy of a change the keeper sent
	}
	var mechanism int64
	if err := r.queryRow(ctx, "SELECT mechanism_id FROM items WHERE id = ?", ev.EntityID).Scan(&mechanism); err != nil {
		return domain.Internalf(err, "read an item's mechanism")
	}
	m, err := r.globalID(ctx, x.self, "mechanisms", mechanism)
	if err != nil || !x.shared[m.String()] {
		return err
	}
	state, err := decodeObject([]byte(ev.After))
	if err != nil {
		return domain.Internalf(err, "read audit event %d", ev.ID)
	}
	id, base := idOf(state["id"]), idOf(state["base_version"])
	for _, local := range []string{"id", "item_id", "base_version", "proposed_by", "awaiting", "confirmers", "milestones[].id"} {
		dropPath(state, local)
	}
	if err := x.globalRefs(ctx, changeRefs, state); err != nil {
		return err
	}
	state["change"] = domain.GlobalID{Origin: x.self, Entity: changesEntity, ID: id}.String()
	fe := FederatedEvent{ID: x.self + "#audit-" + strconv.FormatInt(ev.ID, 10), At: ev.At.UTC(), Type: changeType, Record: item.String(), Base: base}
	if err := x.actorOf(ctx, ev, &fe); err != nil {
		return err
	}
	if fe.Data, err = json.Marshal(state); err != nil {
		return domain.Internalf(err, "encode change")
	}
	x.out = append(x.out, fe)
	return nil
}

// receiveChange keeps here the copy of a change to an item the peer keeps,
// as it stands after the peer's event: new, or its confirmations and state
// updated. Its final state answers the proposal made here that it was held
// for.
func (t *Tx) receiveChange(ctx context.Context, peer *domain.Peer, shared map[string]bool, ev FederatedEvent, g domain.GlobalID) (string, string, error) {
	if g.Origin != peer.Name {
		return Refused, fmt.Sprintf("the item is kept by %s, not by %s, who sent the change", g.Origin, peer.Name), nil
	}
	r := t.reader()
	self := t.s.Origin()
	item, ok, err := r.localID(ctx, self, g)
	if err != nil || !ok {
		return Refused, fmt.Sprintf("%s is not held here", g), err
	}
	if reason, err := t.sharedItem(ctx, g.String(), shared, peer); err != nil || reason != "" {
		return Refused, reason, err
	}
	state, err := decodeObject(ev.Data)
	if err != nil {
		return Refused, "its data is not a JSON object", nil
	}
	cg, err := domain.ParseGlobalID(fmt.Sprint(state["change"]))
	if err != nil || cg.Entity != changesEntity || cg.Origin != peer.Name {
		return Refused, fmt.Sprintf("%v is not a change %s keeps", state["change"], peer.Name), nil
	}
	delete(state, "change")
	if reason, err := t.localize(ctx, changeRefs, state); err != nil || reason != "" {
		return Refused, reason, err
	}
	b, err := json.Marshal(state)
	if err != nil {
		return "", "", domain.Internalf(err, "encode change")
	}
	var ch domain.ItemChange
	if err := json.Unmarshal(b, &ch); err != nil {
		return Refused, "the change sent cannot be read: " + err.Error(), nil
	}
	switch ch.State {
	case domain.ChangePending, domain.ChangeApplied, domain.ChangeStale, domain.ChangeRejected:
	default:
		return Refused, fmt.Sprintf("%q is not the state of a change", ch.State), nil
	}
	// The base is the keeper's version: the keeper judges staleness.
	ch.ItemID, ch.BaseVersion, ch.ProposedBy, ch.Awaiting, ch.Confirmers = item, ev.Base, 0, nil, nil
	ch.Confirmed = emptyIfNil(ch.Confirmed)
	local, known, err := r.localID(ctx, self, cg)
	if err != nil {
		return "", "", err
	}
	return t.inSavepoint(ctx, func() error {
		if known {
			ch.ID = local
			_, err = r.exec(ctx, "UPDATE item_changes SET confirmed = ?, state = ?, decided_at = ? WHERE id = ? AND item_id = ?",
				jsonCol{ch.Confirmed}, string(ch.State), decidedAt(ch.State, t), ch.ID, item)
		} else {
			err = r.queryRow(ctx, `INSERT INTO item_changes (item_id, base_version, fields, proposal, proposed_by, proposed_at, confirmed, state, decided_at)
				VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?) RETURNING id`, ch.ItemID, ch.BaseVersion, jsonCol{ch.Fields}, jsonCol{proposalOf(ch)}, ch.ProposedAt,
				jsonCol{ch.Confirmed}, string(ch.State), decidedAt(ch.State, t)).Scan(&ch.ID)
			if err == nil {
				_, err = r.exec(ctx, "INSERT INTO federation_records (entity, local_id, origin, origin_id) VALUES (?, ?, ?, ?)", changesEntity, ch.ID, cg.Origin, cg.ID)
			}
		}
		if err != nil {
			return domain.Internalf(err, "keep the change %s", cg)
		}
		if err := t.answerHeld(ctx, ch); err != nil {
			return err
		}
		action := map[domain.ChangeState]string{domain.ChangePending: "confirm", domain.ChangeApplied: "confirm", domain.ChangeStale: "stale", domain.ChangeRejected: "reject"}[ch.State]
		if !known {
			action = "propose"
		}
		return t.audit(ctx, action, "items", item, nil, ch)
	})
}

// answerHeld settles, once the keeper decided the change ch, the proposal
// made here that the keeper held as ch.
func (t *Tx) answerHeld(ctx context.Context, ch domain.ItemChange) error {
	outcome, reason := "", ""
	switch ch.State {
	case domain.ChangeApplied:
		outcome = ProposalApplied
	case domain.ChangeRejected:
		outcome = ProposalRejected
	case domain.ChangeStale:
		outcome, reason = ProposalRefused, "stale: a field it changes was changed meanwhile; propose it again on the new state"
	default:
		return nil
	}
	_, err := t.reader().exec(ctx, "UPDATE federation_proposals SET state = ?, reason = ?, answered_at = ? WHERE change_id = ? AND state = ?",
		outcome, reason, t.now, ch.ID, ProposalHeld)
	if err != nil {
		return domain.Internalf(err, "answer proposal")
	}
	return nil
}

// receiveDecision makes, on the keeper, a decision the peer's side made on
// a change of an item kept here, as the deciding unit's liaison would make
// it here, and answers it: applied when it was made (the change may still
// await another side), refused with the reason otherwise (not theirs to
// make, decided meanwhile, stale).
func (t *Tx) receiveDecision(ctx context.Context, peer *domain.Peer, shared map[string]bool, ev FederatedEvent, g domain.GlobalID, kind string) (string, string, error) {
	self := t.s.Origin()
	if g.Origin != self || g.Entity != "items" {
		return Refused, fmt.Sprintf("a decision goes to the installation that keeps the item: %s is not an item kept here", g), nil
	}
	refuse := func(reason string) (string, string, error) {
		return Refused, reason, t.answer(ctx, peer, ev, g, ProposalRefused, reason)
	}
	if reason, err := t.sharedItem(ctx, g.String(), shared, peer); err != nil || reason != "" {
		if err != nil {
			return "", "", err
		}
		return refuse(reason)
	}
	var data struct{ Change string }
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		return refuse("the decision cannot be read")
	}
	cg, err := domain.ParseGlobalID(data.Change)
	if err != nil || cg.Origin != self || cg.Entity != changesEntity {
		return refuse(fmt.Sprintf("%q is not a change kept here", data.Change))
	}
	who, why, err := t.proposer(ctx, peer, ev)
	if err != nil || why != "" {
		if err != nil {
			return "", "", err
		}
		return refuse(why)
	}
	saved := t.actor
	t.actor, t.federated = domain.ActorFor(who), false
	var stale error
	outcome, reason, err := t.inSavepoint(ctx, func() error {
		var err error
		if kind == decisionConfirm {
			_, stale, err = t.confirmChange(ctx, g.ID, cg.ID)
		} else {
			_, err = t.rejectChange(ctx, g.ID, cg.ID)
		}
		return err
	})
	t.actor, t.federated = saved, true
	if err != nil {
		return "", "", err
	}
	switch {
	case outcome == Refused:
		return refuse(reason)
	case stale != nil:
		return Applied, "", t.answer(ctx, peer, ev, g, ProposalRefused, stale.Error())
	}
	return Applied, "", t.answer(ctx, peer, ev, g, ProposalApplied, "")
}
