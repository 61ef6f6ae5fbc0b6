package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation/wire"
)

// Federation (issue 14, docs/FEDERATION.md): the records of a mechanism
// shared with a peer installation leave as signed events and the peer's
// arrive the same way. Each record is kept by the installation that
// created it: only its events change it, on both sides, and a local write
// to a record kept elsewhere is refused. The store owns what is SQL here:
// the agreement (peers and shares), the log of envelopes kept for each
// peer, the envelopes received, the checkpoints and receipts, and the
// translation between local ids and global ones (origin:entity:id);
// internal/federation signs, verifies and carries them.

// federatedNouns are the tables whose records cross to a peer, with the
// fields of their JSON that name other records (path → table) and those
// that stay at home (local ids with no meaning there, derived values).
var federatedNouns = map[string]struct {
	refs  map[string]string
	local []string
}{
	"jurisdictions": {local: []string{"parent_id", "overlaps"}},
	"organizations": {refs: map[string]string{"jurisdiction_id": "jurisdictions"}},
	"mechanisms": {refs: map[string]string{"sides[].jurisdiction_id": "jurisdictions", "members[].organization_id": "organizations"},
		local: []string{"parent_id"}},
	"batches": {refs: map[string]string{"mechanism_id": "mechanisms"}, local: []string{"meeting_id", "recorded_count"}},
	"items": {refs: map[string]string{"mechanism_id": "mechanisms", "batch_id": "batches", "parties[].organization_id": "organizations"},
		local: []string{"agreement_id", "decision_id", "pending", "milestones[].id"}},
	// A problem of a shared mechanism; its escalations' timeline stays
	// with its keeper for now (the replica has its tier and time limit).
	"problems": {refs: map[string]string{"mechanism_id": "mechanisms", "item_id": "items", "responsible[].organization_id": "organizations"},
		local: []string{"escalations"}},
	// A unit's report on a shared item, once handed in (a draft stays at
	// home); its files and its review stay where they were made for now.
	"reports": {refs: map[string]string{"item_id": "items", "organization_id": "organizations"},
		local: []string{"attachments", "corrections", "reviewed_at", "reviewed_by", "review_note"}},
}

// recordFields are the record kit's own fields, which each installation
// sets for itself.
var recordFields = []string{"id", "version", "source", "created_at", "updated_at", "archived_at"}

// FederatedEvent is a change to a shared record as it leaves: ids are
// global, the actor is named with their unit and role.
type FederatedEvent struct {
	ID        string          // stable, unique per origin: duplicates are dropped by it
	At        time.Time       // when the change was recorded
	ActorName string          // who made it
	ActorUnit string          // the global id of their unit, when they act for one
	ActorRole string          // their role
	Type      string          // item.created, item.updated, item.archived, item.restored, organization.stated …
	Record    string          // the record's global id
	Base      int64           // the version the change was made on; 0 for a creation
	Data      json.RawMessage // the record's state after the change, ids global
}

// Origin is this installation's name, its audit key's: a record created
// here has it as the origin of its global id.
func (s *Store) Origin() string {
	if s.AuditKey == nil {
		return ""
	}
	return s.AuditKey.Origin()
}

// SavePeer records the agreement with a peer installation, by its name:
// where it answers, its pinned key and the mechanisms shared with it.
// Configuring a peer is the operator's act (the command line and the
// admin's page). Errors: Invalid, Forbidden.
func (s *Store) SavePeer(ctx context.Context, actor domain.Actor, p *domain.Peer) error {
	if actor.User != nil && !actor.User.IsAdmin() {
		return domain.Errorf(domain.Forbidden, "only an administrator configures federation")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.Write(ctx, actor, func(t *Tx) error {
		r := t.reader()
		now := t.now
		err := r.queryRow(ctx, "SELECT id, created_at FROM federation_peers WHERE name = ?", p.Name).Scan(&p.ID, timeCol{&p.CreatedAt})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			p.CreatedAt = now
			err = r.queryRow(ctx, "INSERT INTO federation_peers (name, base_url, verifier_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
				p.Name, p.BaseURL, p.VerifierKey, now, now).Scan(&p.ID)
		case err == nil:
			_, err = r.exec(ctx, "UPDATE federation_peers SET base_url = ?, verifier_key = ?, updated_at = ? WHERE id = ?", p.BaseURL, p.VerifierKey, now, p.ID)
		}
		if err != nil {
			return domain.Internalf(err, "save peer %s", p.Name)
		}
		p.UpdatedAt = now
		if _, err := r.exec(ctx, "DELETE FROM federation_shares WHERE peer_id = ?", p.ID); err != nil {
			return domain.Internalf(err, "save shares")
		}
		for _, m := range p.Shares {
			if _, err := r.exec(ctx, "INSERT INTO federation_shares (peer_id, mechanism) VALUES (?, ?)", p.ID, m); err != nil {
				return t.s.dialect.normalize(domain.Internalf(err, "save shares"))
			}
		}
		return t.audit(ctx, "federate", "federation_peers", p.ID, nil, p)
	})
}

// Peers lists the configured peers, by name.
func (s *Store) Peers(ctx context.Context) ([]*domain.Peer, error) {
	return s.peers(ctx, s.reader(), "")
}

// Peer returns the peer of that name. Errors: NotFound.
func (s *Store) Peer(ctx context.Context, name string) (*domain.Peer, error) {
	ps, err := s.peers(ctx, s.reader(), name)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, domain.Errorf(domain.NotFound, "no peer named %q is configured", name)
	}
	return ps[0], nil
}

func (s *Store) peers(ctx context.Context, r reader, name string) ([]*domain.Peer, error) {
	q := "SELECT id, name, base_url, verifier_key, created_at, updated_at FROM federation_peers"
	var args []any
	if name != "" {
		q += " WHERE name = ?"
		args = append(args, name)
	}
	rows, err := r.query(ctx, q+" ORDER BY name", args...)
	if err != nil {
		return nil, domain.Internalf(err, "read peers")
	}
	var out []*domain.Peer
	for rows.Next() {
		p := &domain.Peer{Shares: []string{}}
		if err := rows.Scan(&p.ID, &p.Name, &p.BaseURL, &p.VerifierKey, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}); err != nil {
			rows.Close()
			return nil, domain.Internalf(err, "read peers")
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read peers")
	}
	for _, p := range out {
		srows, err := r.query(ctx, "SELECT mechanism FROM federation_shares WHERE peer_id = ? ORDER BY mechanism", p.ID)
		if err != nil {
			return nil, domain.Internalf(err, "read shares")
		}
		for srows.Next() {
			var m string
			if err := srows.Scan(&m); err != nil {
				srows.Close()
				return nil, domain.Internalf(err, "read shares")
			}
			p.Shares = append(p.Shares, m)
		}
		srows.Close()
		if err := srows.Err(); err != nil {
			return nil, domain.Internalf(err, "read shares")
		}
	}
	return out, nil
}

// GlobalID names a local record across installations: its origin's id if
// it is kept for another installation, this installation's otherwise.
func (s *Store) GlobalID(ctx context.Context, entity string, id int64) (domain.GlobalID, error) {
	return s.reader().globalID(ctx, s.Origin(), entity, id)
}

func (r reader) globalID(ctx context.Context, self, entity string, id int64) (domain.GlobalID, error) {
	g := domain.GlobalID{Origin: self, Entity: entity, ID: id}
	err := r.queryRow(ctx, "SELECT origin, origin_id FROM federation_records WHERE entity = ? AND local_id = ?", entity, id).Scan(&g.Origin, &g.ID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return g, domain.Internalf(err, "read global id")
	}
	return g, nil
}

// LocalID finds the local record a global id stands for: the record itself
// when this installation keeps it, its replica otherwise; ok is false when
// there is none here.
func (s *Store) LocalID(ctx context.Context, g domain.GlobalID) (int64, bool, error) {
	return s.reader().localID(ctx, s.Origin(), g)
}

func (r reader) localID(ctx context.Context, self string, g domain.GlobalID) (int64, bool, error) {
	if g.Origin == self {
		ok, err := r.exists(ctx, g.Entity, g.ID)
		return g.ID, ok, err
	}
	var id int64
	err := r.queryRow(ctx, "SELECT local_id FROM federation_records WHERE origin = ? AND entity = ? AND origin_id = ?", g.Origin, g.Entity, g.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, domain.Internalf(err, "read local id")
	}
	return id, true, nil
}

// keptElsewhere refuses a local write to a record another installation
// keeps: its changes arrive as that installation's events.
func (r reader) keptElsewhere(ctx context.Context, entity string, id int64) error {
	origin, err := r.keeperOf(ctx, entity, id)
	if err != nil || origin == "" {
		return err
	}
	return keptBy(entity, id, origin)
}

func keptBy(entity string, id int64, origin string) error {
	return domain.Errorf(domain.Forbidden, "%s %d is kept by the installation %s: it changes there, and its changes arrive here", singular(entity), id, origin)
}

// keeperOf names the installation that keeps a replica; "" for a record
// kept here.
func (r reader) keeperOf(ctx context.Context, entity string, id int64) (string, error) {
	if _, ok := federatedNouns[entity]; !ok || id == 0 {
		return "", nil
	}
	var origin string
	err := r.queryRow(ctx, "SELECT origin FROM federation_records WHERE entity = ? AND local_id = ?", entity, id).Scan(&origin)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", domain.Internalf(err, "read record's origin")
	}
	return origin, nil
}

// walkRefs calls fn with each value at path in v (a decoded JSON object);
// a path's [] steps into every element of a list. fn returns the value to
// put in its place.
func walkRefs(v map[string]any, path string, fn func(any) (any, error)) error {
	head, rest, nested := strings.Cut(path, "[].")
	if !nested {
		x, ok := v[path]
		if !ok {
			return nil
		}
		y, err := fn(x)
		if err != nil {
			return err
		}
		v[path] = y
		return nil
	}
	list, _ := v[head].([]any)
	for _, el := range list {
		if m, ok := el.(map[string]any); ok {
			if err := walkRefs(m, rest, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropPath removes the field at path (with [] steps) from v.
func dropPath(v map[string]any, path string) {
	head, rest, nested := strings.Cut(path, "[].")
	if !nested {
		delete(v, path)
		return
	}
	list, _ := v[head].([]any)
	for _, el := range list {
		if m, ok := el.(map[string]any); ok {
			dropPath(m, rest)
		}
	}
}

// idOf reads a JSON number as an id; 0 when absent or not a number.
func idOf(x any) int64 {
	switch n := x.(type) {
	case json.Number:
		id, _ := n.Int64()
		return id
	case float64:
		return int64(n)
	}
	return 0
}

func decodeObject(b []byte) (map[string]any, error) {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("not a JSON object")
	}
	return v, nil
}

// exporter turns this installation's audit events into the events a peer
// receives, within the export's transaction.
type exporter struct {
	t      *Tx
	peer   *domain.Peer
	self   string
	shared map[string]bool // global ids of the mechanisms shared with peer
	out    []FederatedEvent
	users  map[int64]*domain.User
}

// exportBatch is how many audit events one export considers.
const exportBatch = 500

// Export appends to the log kept for peer the events of this
// installation's records in the mechanisms shared with it, and of the
// units and jurisdictions they name, since the last export; sign turns
// each into its envelope, given its place in the log and the envelope
// before it (nil for the first). It returns how many entries it added.
// Only the records this installation keeps leave: a record kept for the
// peer changes by the peer's events alone. Instances take turns (the
// audit seal's lock), so the log has no gap and no fork.
func (s *Store) Export(ctx context.Context, peer *domain.Peer, sign func(seq int64, prev []byte, ev FederatedEvent) ([]byte, error)) (int, error) {
	if s.Origin() == "" {
		return 0, domain.Errorf(domain.Invalid, "federation needs the installation's key (LIANDONG_AUDIT_KEY_FILE)")
	}
	// The events committed and not yet sealed get their places first: the
	// export follows the log's order.
	if err := s.sealAudit(ctx, nil); err != nil {
		return 0, err
	}
	added := 0
	for {
		n, more, err := s.exportBatch(ctx, peer, sign)
		added += n
		if err != nil || !more {
			return added, err
		}
	}
}

func (s *Store) exportBatch(ctx context.Context, peer *domain.Peer, sign func(int64, []byte, FederatedEvent) ([]byte, error)) (int, bool, error) {
	added, more := 0, false
	err := s.Write(ctx, domain.Actor{}, func(t *Tx) error {
		r := t.reader()
		if lock := s.dialect.sealLock(); lock != "" {
			if _, err := r.exec(ctx, lock); err != nil {
				return domain.Internalf(err, "lock federation log")
			}
		}
		var from int64
		err := r.queryRow(ctx, "SELECT audit_seq FROM federation_export WHERE peer_id = ?", peer.ID).Scan(&from)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return domain.Internalf(err, "read export position")
		}
		rows, err := r.query(ctx, "SELECT seq, "+auditColumns+" FROM audit_events WHERE seq > ? ORDER BY seq LIMIT "+strconv.Itoa(exportBatch), from)
		if err != nil {
			return domain.Internalf(err, "read audit events")
		}
		var evs []domain.AuditEvent
		var seqs []int64
		for rows.Next() {
			var ev domain.AuditEvent
			var seq int64
			if err := rows.Scan(append([]any{&seq}, auditTargets(&ev)...)...); err != nil {
				rows.Close()
				return domain.Internalf(err, "read audit events")
			}
			evs, seqs = append(evs, ev), append(seqs, seq)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return domain.Internalf(err, "read audit events")
		}
		if len(evs) == 0 {
			return nil
		}
		more = len(evs) == exportBatch
		x := &exporter{t: t, peer: peer, self: s.Origin(), shared: map[string]bool{}, users: map[int64]*domain.User{}}
		for _, m := range peer.Shares {
			x.shared[m] = true
		}
		for _, ev := range evs {
			if err := x.event(ctx, ev); err != nil {
				return err
			}
		}
		size, prev, err := outboxTail(ctx, r, peer.ID)
		if err != nil {
			return err
		}
		last := seqs[len(seqs)-1]
		for _, ev := range x.out {
			env, err := sign(size, prev, ev)
			if err != nil {
				return err
			}
			res, err := r.exec(ctx, `INSERT INTO federation_outbox (peer_id, seq, event_id, envelope, export_seq, created_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (peer_id, event_id) DO NOTHING`, peer.ID, size, ev.ID, string(env), last, t.now)
			if err != nil {
				return domain.Internalf(err, "append to the federation log")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // sent before: an event id leaves once
			}
			size, prev = size+1, env
			added++
		}
		_, err = r.exec(ctx, `INSERT INTO federation_export (peer_id, audit_seq) VALUES (?, ?)
			ON CONFLICT (peer_id) DO UPDATE SET audit_seq = excluded.audit_seq`, peer.ID, last)
		if err != nil {
			return domain.Internalf(err, "save export position")
		}
		return nil
	})
	return added, more, err
}

// auditTargets are scanAudit's destinations, for a query that reads more.
func auditTargets(ev *domain.AuditEvent) []any {
	return []any{&ev.ID, timeCol{&ev.At}, idCol{&ev.ActorID}, &ev.Action, &ev.Entity, &ev.EntityID, &ev.Before, &ev.After,
		&ev.PrevHash, &ev.Hash, &ev.OccurredOn, &ev.OccurredPrecision}
}

// outboxTail is the size of the log kept for peer and its last envelope.
func outboxTail(ctx context.Context, r reader, peer int64) (int64, []byte, error) {
	var seq int64
	var env string
	err := r.queryRow(ctx, "SELECT seq, envelope FROM federation_outbox WHERE peer_id = ? ORDER BY seq DESC LIMIT 1", peer).Scan(&seq, &env)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, domain.Internalf(err, "read federation log")
	}
	return seq + 1, []byte(env), nil
}

// eventTypes name the changes that cross, by audit action.
var eventTypes = map[string]string{"create": "created", "update": "updated", "archive": "archived", "restore": "restored"}

// event exports one audit event if it is a change to a record this
// installation keeps in a mechanism shared with the peer.
func (x *exporter) event(ctx context.Context, ev domain.AuditEvent) error {
	if ev.Entity == "items" && changeActions[ev.Action] {
		return x.change(ctx, ev)
	}
	if ev.Entity == "meetings" && ev.Action == "pack_issue" {
		return x.pack(ctx, ev)
	}
	switch ev.Entity {
	case proposalsEntity:
		return x.proposal(ctx, ev)
	case answersEntity:
		return x.answer(ev)
	case keysEntity:
		return x.rotation(ev)
	}
	noun, ok := federatedNouns[ev.Entity]
	kind, known := eventTypes[ev.Action]
	if !ok || !known || ev.After == "" {
		return nil
	}
	r := x.t.reader()
	g, err := r.globalID(ctx, x.self, ev.Entity, ev.EntityID)
	if err != nil || g.Origin != x.self {
		return err // a record kept elsewhere changes by its keeper's events
	}
	state, err := decodeObject([]byte(ev.After))
	if err != nil {
		return domain.Internalf(err, "read audit event %d", ev.ID)
	}
	shared, err := x.isShared(ctx, ev.Entity, ev.EntityID, state)
	if err != nil {
		return err
	}
	if !shared {
		return x.left(ctx, ev, g)
	}
	var base int64
	if ev.Before != "" {
		if before, err := decodeObject([]byte(ev.Before)); err == nil {
			base = idOf(before["version"])
		}
	}
	fe := FederatedEvent{ID: x.self + "#audit-" + strconv.FormatInt(ev.ID, 10), At: ev.At.UTC(), Type: singular(ev.Entity) + "." + kind,
		Record: g.String(), Base: base}
	if err := x.actorOf(ctx, ev, &fe); err != nil {
		return err
	}
	if fe.Data, err = x.globalize(ctx, ev.Entity, noun.refs, noun.local, state); err != nil {
		return err
	}
	if err := x.sent(ctx, ev.Entity, ev.EntityID); err != nil {
		return err
	}
	x.out = append(x.out, fe)
	return nil
}

// leftType is the event by which the keeper of an item tells the peer
// that it moved out of the mechanisms they share: the peer archives its
// replica, which the item's next state, should it move back, restores.
const leftType = "item.left"

// left exports, when ev moved a shared item the peer received into a
// mechanism not shared with it, that the item left.
func (x *exporter) left(ctx context.Context, ev domain.AuditEvent, g domain.GlobalID) error {
	if ev.Entity != "items" || ev.Before == "" {
		return nil
	}
	before, err := decodeObject([]byte(ev.Before))
	if err != nil {
		return domain.Internalf(err, "read audit event %d", ev.ID)
	}
	if was, err := x.isShared(ctx, ev.Entity, ev.EntityID, before); err != nil || !was {
		return err
	}
	m, err := x.t.reader().globalID(ctx, x.self, "mechanisms", idOf(before["mechanism_id"]))
	if err != nil {
		return err
	}
	fe := FederatedEvent{ID: x.self + "#audit-" + strconv.FormatInt(ev.ID, 10), At: ev.At.UTC(), Type: leftType, Record: g.String(), Base: idOf(before["version"])}
	if err := x.actorOf(ctx, ev, &fe); err != nil {
		return err
	}
	if fe.Data, err = json.Marshal(map[string]string{"mechanism_id": m.String()}); err != nil {
		return domain.Internalf(err, "encode event")
	}
	x.out = append(x.out, fe)
	return nil
}

// receiveLeft archives the replica of an item its keeper moved out of the
// mechanisms shared with this installation.
func (t *Tx) receiveLeft(ctx context.Context, peer *domain.Peer, shared map[string]bool, ev FederatedEvent, g domain.GlobalID) (string, string, error) {
	if g.Origin != peer.Name || g.Entity != "items" {
		return Refused, fmt.Sprintf("%s is not an item %s keeps", g, peer.Name), nil
	}
	var data struct {
		Mechanism string `json:"mechanism_id"`
	}
	if err := json.Unmarshal(ev.Data, &data); err != nil || !shared[data.Mechanism] {
		return Refused, fmt.Sprintf("the item left mechanism %q, which is not shared with %s here", data.Mechanism, peer.Name), nil
	}
	local, ok, err := t.reader().localID(ctx, t.s.Origin(), g)
	if err != nil || !ok {
		return Refused, fmt.Sprintf("%s is not held here", g), err
	}
	return t.inSavepoint(ctx, func() error {
		it, err := t.s.Items.get(ctx, t.reader(), local)
		if err != nil || it.ArchivedAt != nil {
			return err
		}
		_, err = items.records(t.s).archiveTx(ctx, t, it, true)
		return err
	})
}

// isShared says whether a record belongs to a mechanism shared with the
// peer, or is a unit or jurisdiction sent to it before.
func (x *exporter) isShared(ctx context.Context, entity string, id int64, state map[string]any) (bool, error) {
	var mechanism int64
	switch entity {
	case "mechanisms":
		mechanism = id
	case "batches", "items", "problems":
		mechanism = idOf(state["mechanism_id"])
	case "reports":
		if state["status"] == string(domain.Draft) {
			return false, nil
		}
		if err := x.t.reader().queryRow(ctx, "SELECT mechanism_id FROM items WHERE id = ?", idOf(state["item_id"])).Scan(&mechanism); err != nil {
			return false, domain.Internalf(err, "read a report's mechanism")
		}
	default:
		var one int
		err := x.t.reader().queryRow(ctx, "SELECT 1 FROM federation_sent WHERE peer_id = ? AND entity = ? AND local_id = ?", x.peer.ID, entity, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	g, err := x.t.reader().globalID(ctx, x.self, "mechanisms", mechanism)
	return x.shared[g.String()], err
}

// globalize turns a record's state into what crosses: the record kit's
// fields and local ones left out, references to other records made global.
// A reference to a record of this installation the peer has not received
// yet is preceded by a statement of that record's current state.
func (x *exporter) globalize(ctx context.Context, entity string, refs map[string]string, local []string, state map[string]any) (json.RawMessage, error) {
	state["archived"] = state["archived_at"] != nil
	for _, f := range recordFields {
		delete(state, f)
	}
	for _, f := range local {
		dropPath(state, f)
	}
	if err := x.globalRefs(ctx, refs, state); err != nil {
		return nil, err
	}
	b, err := json.Marshal(state)
	if err != nil {
		return nil, domain.Internalf(err, "encode %s", entity)
	}
	return b, nil
}

// globalRefs replaces the local ids at the reference paths of state with
// their global ids; a record of this installation the peer has not
// received yet is stated first.
func (x *exporter) globalRefs(ctx context.Context, refs map[string]string, state map[string]any) error {
	for path, table := range refs {
		err := walkRefs(state, path, func(v any) (any, error) {
			id := idOf(v)
			if id == 0 {
				return "", nil
			}
			g, err := x.t.reader().globalID(ctx, x.self, table, id)
			if err != nil {
				return nil, err
			}
			if g.Origin == x.self {
				if err := x.state(ctx, table, id); err != nil {
					return nil, err
				}
			}
			return g.String(), nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// state sends the current state of a record the peer is about to need, once.
func (x *exporter) state(ctx context.Context, entity string, id int64) error {
	r := x.t.reader()
	var one int
	err := r.queryRow(ctx, "SELECT 1 FROM federation_sent WHERE peer_id = ? AND entity = ? AND local_id = ?", x.peer.ID, entity, id).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return domain.Internalf(err, "read what was sent")
	}
	var v any
	s := x.t.s
	switch entity { // with their children (a unit's aliases, a mechanism's members)
	case "jurisdictions":
		v, err = s.Jurisdictions.get(ctx, r, id)
	case "organizations":
		v, err = s.Organizations.get(ctx, r, id)
	case "mechanisms":
		v, err = s.Mechanisms.get(ctx, r, id)
	case "batches":
		v, err = s.Batches.get(ctx, r, id)
	default:
		return domain.Internalf(fmt.Errorf("%s %d named by a shared record", entity, id), "export")
	}
	if err != nil {
		return err
	}
	if err := x.sent(ctx, entity, id); err != nil { // before its own references: no loop
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return domain.Internalf(err, "encode %s %d", entity, id)
	}
	state, err := decodeObject(b)
	if err != nil {
		return domain.Internalf(err, "encode %s %d", entity, id)
	}
	version := idOf(state["version"])
	noun := federatedNouns[entity]
	data, err := x.globalize(ctx, entity, noun.refs, noun.local, state)
	if err != nil {
		return err
	}
	g := domain.GlobalID{Origin: x.self, Entity: entity, ID: id}
	x.out = append(x.out, FederatedEvent{ID: fmt.Sprintf("%s#stated-%s-%d-v%d", x.self, entity, id, version), At: x.t.now,
		ActorName: "liandong", ActorRole: "system", Type: singular(entity) + ".stated", Record: g.String(), Base: version, Data: data})
	return nil
}

// sent notes that the peer has received a record, so that its changes follow.
func (x *exporter) sent(ctx context.Context, entity string, id int64) error {
	_, err := x.t.reader().exec(ctx, "INSERT INTO federation_sent (peer_id, entity, local_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", x.peer.ID, entity, id)
	if err != nil {
		return domain.Internalf(err, "note what was sent")
	}
	return nil
}

// actorOf names who made the change of audit event ev (actor). A change
// this installation made applying a peer's event — a proposal or a
// decision it made as the proposer's unit would — is named as that
// person, as the peer's envelope named them (federation_applied), not as
// this installation's system: the peer's history then says who it was.
func (x *exporter) actorOf(ctx context.Context, ev domain.AuditEvent, fe *FederatedEvent) error {
	if ev.ActorID != 0 {
		return x.actor(ctx, ev.ActorID, fe)
	}
	var name, role string
	var unit int64
	err := x.t.reader().queryRow(ctx, "SELECT actor_name, actor_role, actor_unit FROM federation_applied WHERE audit_id = ?", ev.ID).Scan(&name, &role, &unit)
	if isNoRows(err) || (err == nil && role == "system") {
		return x.actor(ctx, 0, fe)
	}
	if err != nil {
		return domain.Internalf(err, "read who made a change applied here")
	}
	fe.ActorName, fe.ActorRole, fe.ActorUnit = name, role, ""
	if unit != 0 {
		g, err := x.t.reader().globalID(ctx, x.self, "organizations", unit)
		if err != nil {
			return err
		}
		fe.ActorUnit = g.String()
	}
	return nil
}

// actor names who made a change: their name, role and, when they act for
// one unit, its global id.
func (x *exporter) actor(ctx context.Context, id int64, fe *FederatedEvent) error {
	fe.ActorName, fe.ActorRole = "liandong", "system"
	if id == 0 {
		return nil
	}
	u, ok := x.users[id]
	if !ok {
		var err error
		if u, err = x.t.s.Users.get(ctx, x.t.reader(), id); err != nil && domain.ErrorCode(err) != domain.NotFound {
			return err
		}
		x.users[id] = u
	}
	if u == nil {
		return nil
	}
	fe.ActorName = u.Name
	if len(u.Grants) > 0 {
		g := u.Grants[0]
		fe.ActorRole = string(g.Role)
		if g.ScopeKind == domain.OrganizationScope {
			unit, err := x.t.reader().globalID(ctx, x.self, "organizations", g.ScopeID)
			if err != nil {
				return err
			}
			fe.ActorUnit = unit.String()
		}
	}
	return nil
}

// The outcomes of an envelope received.
const (
	Applied   = "applied"   // its change was made here
	Duplicate = "duplicate" // an event of that id was received before: nothing changed
	Refused   = "refused"   // a write by the wrong side, or outside what is shared: kept as evidence
)

// Received is an envelope from a peer, its signature and place checked,
// with the event it carries.
type Received struct {
	Seq      int64
	Envelope []byte
	Event    FederatedEvent
}

// Receive keeps the envelopes received from peer at their places from
// from on and applies their changes, with the peer's checkpoint that
// covers them (witnessed, cosigned), all in one transaction: a crash
// leaves all of it or none. An event whose id was received before
// changes nothing; one that would change a record this installation
// keeps, or a mechanism not shared with peer, is refused and kept as
// evidence, as is one that cannot be applied (the reason says why).
// Errors: Conflict when another pull kept envelopes from from first.
func (s *Store) Receive(ctx context.Context, peer *domain.Peer, from int64, entries []Received, witnessed []byte, size int64) ([]string, error) {
	var outcomes []string
	err := s.Write(ctx, domain.Actor{}, func(t *Tx) error {
		outcomes = outcomes[:0]
		r := t.reader()
		held, err := InboxSize(ctx, r, peer.ID)
		if err != nil {
			return err
		}
		if held != from {
			return domain.Errorf(domain.Conflict, "the envelopes of %s from %d were received meanwhile (%d held)", peer.Name, from, held)
		}
		shared := map[string]bool{}
		for _, m := range peer.Shares {
			shared[m] = true
		}
		t.federated = true
		defer func() { t.federated = false }()
		for i, e := range entries {
			if e.Seq != from+int64(i) {
				return domain.Internalf(fmt.Errorf("envelope %d given at place %d", e.Seq, from+int64(i)), "receive")
			}
			t.applying = &remoteActor{peer: peer, seq: e.Seq, name: e.Event.ActorName, role: e.Event.ActorRole, unit: e.Event.ActorUnit}
			outcome, reason, err := t.receive(ctx, peer, shared, e.Event)
			t.applying = nil
			if err != nil {
				return err
			}
			_, err = r.exec(ctx, `INSERT INTO federation_inbox (peer_id, seq, event_id, envelope, outcome, reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				peer.ID, e.Seq, e.Event.ID, string(e.Envelope), outcome, reason, t.now)
			if err != nil {
				return domain.Internalf(err, "keep envelope %d of %s", e.Seq, peer.Name)
			}
			outcomes = append(outcomes, outcome)
		}
		return t.keepCheckpoint(ctx, peer.ID, "witnessed", size, witnessed, true)
	})
	return outcomes, err
}

// receive applies one event, within a savepoint so that an event refused
// for a reason the database gives (a duplicate number …) leaves the rest.
func (t *Tx) receive(ctx context.Context, peer *domain.Peer, shared map[string]bool, ev FederatedEvent) (string, string, error) {
	r := t.reader()
	var n int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM federation_inbox WHERE peer_id = ? AND event_id = ? AND outcome <> ?", peer.ID, ev.ID, Duplicate).Scan(&n); err != nil {
		return "", "", domain.Internalf(err, "read envelopes received")
	}
	if n > 0 {
		return Duplicate, "", nil
	}
	g, err := domain.ParseGlobalID(ev.Record)
	if err != nil {
		return Refused, err.Error(), nil
	}
	switch ev.Type {
	case wire.KeyRotatedType:
		return t.receiveRotation(ctx, peer, ev, g)
	case packIssuedType:
		return t.receivePack(ctx, peer, shared, ev, g)
	}
	noun, ok := federatedNouns[g.Entity]
	if !ok {
		return Refused, fmt.Sprintf("%s records are not shared", g.Entity), nil
	}
	switch ev.Type {
	case proposedType:
		return t.receiveProposal(ctx, peer, shared, ev, g)
	case changeType:
		return t.receiveChange(ctx, peer, shared, ev, g)
	case decisionTypes[decisionConfirm]:
		return t.receiveDecision(ctx, peer, shared, ev, g, decisionConfirm)
	case decisionTypes[decisionReject]:
		return t.receiveDecision(ctx, peer, shared, ev, g, decisionReject)
	case answeredType:
		return t.receiveAnswer(ctx, peer, ev, g)
	case leftType:
		return t.receiveLeft(ctx, peer, shared, ev, g)
	}
	if g.Origin != peer.Name {
		return Refused, fmt.Sprintf("the record is kept by %s, not by %s, who sent the change", g.Origin, peer.Name), nil
	}
	state, err := decodeObject(ev.Data)
	if err != nil {
		return Refused, "its data is not a JSON object", nil
	}
	switch g.Entity {
	case "mechanisms":
		if !shared[g.String()] {
			return Refused, fmt.Sprintf("mechanism %s is not shared with %s here", g, peer.Name), nil
		}
	case "batches", "items", "problems":
		if m, _ := state["mechanism_id"].(string); !shared[m] {
			return Refused, fmt.Sprintf("mechanism %q is not shared with %s here", m, peer.Name), nil
		}
	case "reports":
		if reason, err := t.sharedItem(ctx, state["item_id"], shared, peer); err != nil || reason != "" {
			return Refused, reason, err
		}
	}
	archived, _ := state["archived"].(bool)
	delete(state, "archived")
	if reason, err := t.localize(ctx, noun.refs, state); err != nil || reason != "" {
		if err != nil {
			return "", "", err
		}
		return Refused, reason, nil
	}
	local, _, err := r.localID(ctx, "", g) // its replica here, if any
	if err != nil {
		return "", "", err
	}
	kept := ""
	if g.Entity == "items" {
		b, err := json.Marshal(partiesOf(state["parties"]))
		if err != nil {
			return "", "", domain.Internalf(err, "encode parties")
		}
		kept = string(b)
	}
	if g.Entity == "items" && local != 0 {
		// The keeper's state does not hold yet what this side changed of
		// its own units since: that stays.
		parties, err := t.ownSidesOnTheirWay(ctx, local, partiesOf(state["parties"]))
		if err != nil {
			return "", "", err
		}
		state["parties"] = parties
	}
	data, err := json.Marshal(state)
	if err != nil {
		return "", "", domain.Internalf(err, "encode %s", g)
	}
	return t.inSavepoint(ctx, func() error {
		id, err := t.s.replicas()[g.Entity].replicate(ctx, t, local, data, archived)
		if err == nil && local == 0 {
			_, err = r.exec(ctx, "INSERT INTO federation_records (entity, local_id, origin, origin_id) VALUES (?, ?, ?, ?)", g.Entity, id, g.Origin, g.ID)
		}
		if err != nil {
			return err
		}
		// The keeper's version after the change, which a proposal from
		// here is made against: a statement gives it, a change adds one.
		version := ev.Base + 1
		if strings.HasSuffix(ev.Type, ".stated") {
			version = ev.Base
		}
		_, err = r.exec(ctx, "UPDATE federation_records SET origin_version = ?, kept_parties = ? WHERE entity = ? AND local_id = ?", version, kept, g.Entity, id)
		return err
	})
}

// inSavepoint applies one received event: Applied when fn succeeds,
// Refused with the reason when fn fails for a reason of the record's
// (invalid, conflicting, forbidden, or a constraint of the database), the
// transaction then rolled back to before fn; any other failure is returned.
func (t *Tx) inSavepoint(ctx context.Context, fn func() error) (string, string, error) {
	r := t.reader()
	if _, err := r.exec(ctx, "SAVEPOINT federated_event"); err != nil {
		return "", "", domain.Internalf(err, "savepoint")
	}
	searched := len(t.search)
	if err := fn(); err != nil {
		if domain.ErrorCode(err) == domain.Internal && !strings.Contains(err.Error(), "constraint") {
			return "", "", err
		}
		if _, rerr := r.exec(ctx, "ROLLBACK TO SAVEPOINT federated_event"); rerr != nil {
			return "", "", domain.Internalf(rerr, "roll back to savepoint")
		}
		// What the transaction remembered may be gone with the savepoint.
		t.seen, t.mechanisms, t.batchMechanisms, t.held = nil, nil, nil, nil
		if len(t.search) != searched {
			t.search = nil // indexed again by the next search reindex
		}
		return Refused, err.Error(), nil
	}
	if _, err := r.exec(ctx, "RELEASE SAVEPOINT federated_event"); err != nil {
		return "", "", domain.Internalf(err, "release savepoint")
	}
	return Applied, "", nil
}

// replicator writes the state a record's keeper sent: a new replica when
// local is 0, the replica local otherwise, archived or not as the keeper's.
type replicator interface {
	replicate(ctx context.Context, t *Tx, local int64, data []byte, archived bool) (int64, error)
}

func (s *Store) replicas() map[string]replicator {
	return map[string]replicator{"jurisdictions": s.Jurisdictions, "organizations": s.Organizations, "mechanisms": s.Mechanisms,
		"batches": s.Batches, "items": s.Items, "reports": s.Reports, "problems": s.Problems}
}

// sharedItem says why a report on the item of global id item may not be
// received from peer, or "" when its mechanism is shared with it.
func (t *Tx) sharedItem(ctx context.Context, item any, shared map[string]bool, peer *domain.Peer) (string, error) {
	s, _ := item.(string)
	g, err := domain.ParseGlobalID(s)
	if err != nil || g.Entity != "items" {
		return "item_id is not an item's global id", nil
	}
	r := t.reader()
	id, ok, err := r.localID(ctx, t.s.Origin(), g)
	if err != nil || !ok {
		return fmt.Sprintf("item_id names %s, which this installation does not hold", s), err
	}
	var mechanism int64
	if err := r.queryRow(ctx, "SELECT mechanism_id FROM items WHERE id = ?", id).Scan(&mechanism); err != nil {
		return "", domain.Internalf(err, "read a report's mechanism")
	}
	m, err := r.globalID(ctx, t.s.Origin(), "mechanisms", mechanism)
	if err != nil {
		return "", err
	}
	if !shared[m.String()] {
		return fmt.Sprintf("mechanism %s is not shared with %s here", m, peer.Name), nil
	}
	return "", nil
}

func (rs *Records[T, P]) replicate(ctx context.Context, t *Tx, local int64, data []byte, archived bool) (int64, error) {
	v := P(new(T))
	if err := json.Unmarshal(data, v); err != nil {
		return 0, domain.Errorf(domain.Invalid, "the %s sent cannot be read: %v", singular(rs.t.name), err)
	}
	if local == 0 {
		if err := rs.CreateTx(ctx, t, v); err != nil {
			return 0, err
		}
	} else {
		before, err := rs.get(ctx, t.reader(), local)
		if err != nil {
			return 0, err
		}
		v.Base().ID, v.Base().Version = local, before.Base().Version
		if rs.t.sameState(before, v) {
			// The keeper's state says what this replica holds already
			// (the keeper applied a change of this side's): nothing to
			// write, and no empty change in its history.
			v = before
		} else if err := rs.UpdateTxFrom(ctx, t, before, v); err != nil {
			return 0, err
		}
	}
	id := v.Base().ID
	now, err := rs.get(ctx, t.reader(), id)
	if err != nil {
		return 0, err
	}
	if (now.Base().ArchivedAt != nil) != archived {
		if _, err := rs.archiveTx(ctx, t, now, archived); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// sameState says whether two states of a record hold the same fields,
// apart from the record's kit (version, source, times), what its load
// derives and what does not cross (federatedNouns).
func (tb *table[T, P]) sameState(a, b P) bool {
	state := func(v P) string {
		c := *v
		cp := P(&c)
		*cp.Base() = domain.Record{ID: v.Base().ID} // archiving is the archived flag's
		raw, _ := json.Marshal(cp)
		var plain map[string]any
		json.Unmarshal(raw, &plain)
		for _, k := range tb.derived {
			delete(plain, k)
		}
		for _, path := range federatedNouns[tb.name].local {
			dropPath(plain, path)
		}
		out, _ := json.Marshal(canonical(plain))
		return string(out)
	}
	return state(a) == state(b)
}

// InboxSize is how many envelopes of peer's log this installation holds.
func InboxSize(ctx context.Context, r reader, peer int64) (int64, error) {
	var n int64
	// Places have no gap: the next is one past the last, read from the
	// key's index rather than counted.
	if err := r.queryRow(ctx, "SELECT COALESCE(MAX(seq) + 1, 0) FROM federation_inbox WHERE peer_id = ?", peer).Scan(&n); err != nil {
		return 0, domain.Internalf(err, "read envelopes received")
	}
	return n, nil
}

// Held is how many envelopes of peer's log this installation holds.
func (s *Store) Held(ctx context.Context, peer *domain.Peer) (int64, error) {
	return InboxSize(ctx, s.reader(), peer.ID)
}

// Inbox returns the envelopes received from peer at places [from, to).
func (s *Store) Inbox(ctx context.Context, peer *domain.Peer, from, to int64) ([][]byte, error) {
	return envelopes(ctx, s.reader(), "federation_inbox", peer.ID, from, to)
}

// Outbox returns the envelopes of the log kept for peer at places [from, to).
func (s *Store) Outbox(ctx context.Context, peer *domain.Peer, from, to int64) ([][]byte, error) {
	return envelopes(ctx, s.reader(), "federation_outbox", peer.ID, from, to)
}

// OutboxSize is the size of the log kept for peer.
func (s *Store) OutboxSize(ctx context.Context, peer *domain.Peer) (int64, error) {
	size, _, err := outboxTail(ctx, s.reader(), peer.ID)
	return size, err
}

func envelopes(ctx context.Context, r reader, table string, peer, from, to int64) ([][]byte, error) {
	rows, err := r.query(ctx, "SELECT envelope FROM "+table+" WHERE peer_id = ? AND seq >= ? AND seq < ? ORDER BY seq", peer, from, to)
	if err != nil {
		return nil, domain.Internalf(err, "read envelopes")
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, domain.Internalf(err, "read envelopes")
		}
		out = append(out, []byte(e))
	}
	return out, rows.Err()
}

// InboxOutcome is what became of one envelope received.
type InboxOutcome struct {
	Seq     int64
	EventID string
	Outcome string
	Reason  string
}

// Outcomes lists what became of the envelopes received from peer.
func (s *Store) Outcomes(ctx context.Context, peer *domain.Peer) ([]InboxOutcome, error) {
	rows, err := s.reader().query(ctx, "SELECT seq, event_id, outcome, reason FROM federation_inbox WHERE peer_id = ? ORDER BY seq", peer.ID)
	if err != nil {
		return nil, domain.Internalf(err, "read envelopes received")
	}
	defer rows.Close()
	var out []InboxOutcome
	for rows.Next() {
		var o InboxOutcome
		if err := rows.Scan(&o.Seq, &o.EventID, &o.Outcome, &o.Reason); err != nil {
			return nil, domain.Internalf(err, "read envelopes received")
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Checkpoint kinds (federation_checkpoints.kind).
const (
	SentCheckpoint      = "sent"      // ours, of the log kept for the peer; cosigned once its receipt came
	WitnessedCheckpoint = "witnessed" // the peer's, accepted and cosigned by us
	ForkedCheckpoint    = "forked"    // the peer's, refused: it contradicts one seen before
)

// KeepCheckpoint keeps a signed checkpoint of kind for peer; cosigned
// marks one that carries the receipt (the peer's cosignature, or ours).
func (s *Store) KeepCheckpoint(ctx context.Context, peer *domain.Peer, kind string, size int64, signed []byte, cosigned bool) error {
	return s.Write(ctx, domain.Actor{}, func(t *Tx) error { return t.keepCheckpoint(ctx, peer.ID, kind, size, signed, cosigned) })
}

func (t *Tx) keepCheckpoint(ctx context.Context, peer int64, kind string, size int64, signed []byte, cosigned bool) error {
	var at any
	if cosigned {
		at = t.now
	}
	_, err := t.reader().exec(ctx, "INSERT INTO federation_checkpoints (peer_id, kind, size, signed, cosigned_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
		peer, kind, size, string(signed), at, t.now)
	if err != nil {
		return domain.Internalf(err, "keep checkpoint")
	}
	return nil
}

// KeptCheckpoint is a checkpoint kept for a peer.
type KeptCheckpoint struct {
	Kind       string
	Size       int64
	Signed     []byte
	CosignedAt time.Time // zero until cosigned
	RecordedAt time.Time
}

// Checkpoints lists the checkpoints of kind kept for peer, the largest last.
func (s *Store) Checkpoints(ctx context.Context, peer *domain.Peer, kind string) ([]KeptCheckpoint, error) {
	rows, err := s.reader().query(ctx, "SELECT kind, size, signed, cosigned_at, recorded_at FROM federation_checkpoints WHERE peer_id = ? AND kind = ? ORDER BY size, id", peer.ID, kind)
	if err != nil {
		return nil, domain.Internalf(err, "read checkpoints")
	}
	defer rows.Close()
	var out []KeptCheckpoint
	for rows.Next() {
		var c KeptCheckpoint
		var signed string
		var cosigned *time.Time
		if err := rows.Scan(&c.Kind, &c.Size, &signed, nullTime{&cosigned}, timeCol{&c.RecordedAt}); err != nil {
			return nil, domain.Internalf(err, "read checkpoints")
		}
		c.Signed = []byte(signed)
		if cosigned != nil {
			c.CosignedAt = *cosigned
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
