package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// What people see of federation (issue 14, points 5 and 6): on a shared
// record's page, which installation keeps it and whether its latest change
// reached the peer; for the operator, how far behind each peer's receipts
// are. These are reads only; federation.go writes what they read.

// Crossing is how a record of a shared mechanism stands between the
// installations: who keeps it and, for one kept here, whether each peer
// has countersigned its latest change; for a replica, when its keeper's
// latest change arrived. The zero Crossing is a record that crosses to no
// one.
type Crossing struct {
	// Keeper is the name of the installation that keeps the record: this
	// one's when KeptHere.
	Keeper   string
	KeptHere bool
	// Peers are, for a record kept here, the peers its mechanism is shared
	// with, by name.
	Peers []PeerReceipt
	// LastReceived is, for a replica, when the latest envelope about the
	// record arrived from its keeper and was applied; zero if none is
	// recorded.
	LastReceived time.Time
}

// Shared says whether the record crosses to another installation at all.
func (c Crossing) Shared() bool { return c.Keeper != "" && (!c.KeptHere || len(c.Peers) > 0) }

// PeerReceipt says whether one peer has countersigned the latest change to
// a record kept here: the entry that carries it is covered by the peer's
// last receipt.
type PeerReceipt struct {
	Peer          string
	Countersigned bool
}

// crossingTables are the nouns whose records belong to a mechanism, with
// the query of their mechanism.
var crossingTables = map[string]string{
	"mechanisms": "SELECT id FROM mechanisms WHERE id = ?",
	"batches":    "SELECT mechanism_id FROM batches WHERE id = ?",
	"items":      "SELECT mechanism_id FROM items WHERE id = ?",
}

// exportedActions are the audit actions whose events leave as envelopes
// (federation.go's eventTypes).
const exportedActions = "('create', 'update', 'archive', 'restore')"

// Crossing reads how record id of entity (mechanisms, batches or items)
// stands between the installations. It does not decide whether the reader
// may see the record: the caller has read it first.
func (s *Store) Crossing(ctx context.Context, entity string, id int64) (Crossing, error) {
	var c Crossing
	self := s.Origin()
	mechanismQuery, ok := crossingTables[entity]
	if self == "" || !ok {
		return c, nil
	}
	r := s.reader()
	g, err := r.globalID(ctx, self, entity, id)
	if err != nil {
		return c, err
	}
	c.Keeper, c.KeptHere = g.Origin, g.Origin == self
	if !c.KeptHere {
		c.LastReceived, err = lastReceived(ctx, r, g)
		return c, err
	}
	var mechanism int64
	if err := r.queryRow(ctx, mechanismQuery, id).Scan(&mechanism); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, domain.Errorf(domain.NotFound, "%s %d not found", singular(entity), id)
		}
		return c, domain.Internalf(err, "read the record's mechanism")
	}
	mg, err := r.globalID(ctx, self, "mechanisms", mechanism)
	if err != nil {
		return c, err
	}
	peers, err := sharingPeers(ctx, r, mg.String())
	if err != nil || len(peers) == 0 {
		return c, err
	}
	var event int64
	err = r.queryRow(ctx, "SELECT id FROM audit_events WHERE entity = ? AND entity_id = ? AND action IN "+exportedActions+" ORDER BY id DESC LIMIT 1",
		entity, id).Scan(&event)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, domain.Internalf(err, "read the record's latest change")
	}
	eventID := self + "#audit-" + strconv.FormatInt(event, 10)
	for _, p := range peers {
		pr := PeerReceipt{Peer: p.name}
		var seq int64
		err := r.queryRow(ctx, "SELECT seq FROM federation_outbox WHERE peer_id = ? AND event_id = ?", p.id, eventID).Scan(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows): // not exported yet: waiting
		case err != nil:
			return c, domain.Internalf(err, "read the federation log")
		default:
			covered, _, err := countersigned(ctx, r, p.id)
			if err != nil {
				return c, err
			}
			pr.Countersigned = seq < covered
		}
		c.Peers = append(c.Peers, pr)
	}
	return c, nil
}

type peerName struct {
	id   int64
	name string
}

// sharingPeers lists the peers a mechanism (by global id) is shared with.
func sharingPeers(ctx context.Context, r reader, mechanism string) ([]peerName, error) {
	rows, err := r.query(ctx, `SELECT p.id, p.name FROM federation_peers p JOIN federation_shares s ON s.peer_id = p.id
		WHERE s.mechanism = ? ORDER BY p.name`, mechanism)
	if err != nil {
		return nil, domain.Internalf(err, "read peers")
	}
	defer rows.Close()
	var out []peerName
	for rows.Next() {
		var p peerName
		if err := rows.Scan(&p.id, &p.name); err != nil {
			return nil, domain.Internalf(err, "read peers")
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read peers")
	}
	return out, nil
}

// lastReceived is when the latest envelope about record g arrived from its
// keeper and was applied. The inbox keeps envelopes whole, not the record
// they name, so it is found by the record's field in the canonical JSON
// (docs/FEDERATION.md: no whitespace, "record" spelt once).
func lastReceived(ctx context.Context, r reader, g domain.GlobalID) (time.Time, error) {
	var at time.Time
	pattern := "%" + likeEscaper.Replace(`"record":"`+g.String()+`"`) + "%"
	err := r.queryRow(ctx, `SELECT i.received_at FROM federation_inbox i JOIN federation_peers p ON p.id = i.peer_id
		WHERE p.name = ? AND i.outcome = ? AND i.envelope LIKE ? ESCAPE '!' ORDER BY i.seq DESC LIMIT 1`,
		g.Origin, Applied, pattern).Scan(timeCol{&at})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return at, domain.Internalf(err, "read envelopes received")
	}
	return at, nil
}

// likeEscaper makes a text match itself in a LIKE pattern with ESCAPE '!'.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// countersigned is how many entries of the log kept for peer its last
// receipt covers, and when that receipt came.
func countersigned(ctx context.Context, r reader, peer int64) (int64, time.Time, error) {
	var size int64
	var at time.Time
	err := r.queryRow(ctx, `SELECT size, cosigned_at FROM federation_checkpoints
		WHERE peer_id = ? AND kind = ? AND cosigned_at IS NOT NULL ORDER BY size DESC, id DESC LIMIT 1`, peer, SentCheckpoint).Scan(&size, timeCol{&at})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, domain.Internalf(err, "read receipts")
	}
	return size, at, nil
}

// Receipts is what an operator's alert needs to know of one peer, read
// cheaply enough for every scrape of the metrics.
type Receipts struct {
	LogSize       int64     // entries in the log kept for the peer
	Countersigned int64     // of which the peer's last receipt covers
	LastReceipt   time.Time // when that receipt came; zero if none
	// OldestWaiting is when the oldest entry the peer has not
	// countersigned was written; zero when it has countersigned them all.
	OldestWaiting time.Time
	Forks         int // checkpoints of the peer's log refused as a fork
}

// Receipts reads how far the peer's receipts cover the log kept for it.
func (s *Store) Receipts(ctx context.Context, peer *domain.Peer) (Receipts, error) {
	r := s.reader()
	var rc Receipts
	var err error
	if rc.LogSize, _, err = outboxTail(ctx, r, peer.ID); err != nil {
		return rc, err
	}
	if rc.Countersigned, rc.LastReceipt, err = countersigned(ctx, r, peer.ID); err != nil {
		return rc, err
	}
	if rc.Countersigned < rc.LogSize {
		err := r.queryRow(ctx, "SELECT created_at FROM federation_outbox WHERE peer_id = ? AND seq = ?", peer.ID, rc.Countersigned).Scan(timeCol{&rc.OldestWaiting})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return rc, domain.Internalf(err, "read the federation log")
		}
	}
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM federation_checkpoints WHERE peer_id = ? AND kind = ?", peer.ID, ForkedCheckpoint).Scan(&rc.Forks); err != nil {
		return rc, domain.Internalf(err, "read checkpoints")
	}
	return rc, nil
}

// remoteActor is who made, on a peer installation, the change applied here.
type remoteActor struct {
	peer       *domain.Peer
	seq        int64
	name, role string
	unit       string // their unit's global id, when they act for one
}

// attribute records that the audit event id was written applying the
// change t.applying names.
func (t *Tx) attribute(ctx context.Context, id int64) error {
	a := t.applying
	var unit int64
	if g, err := domain.ParseGlobalID(a.unit); err == nil && g.Entity == "organizations" {
		local, ok, err := t.reader().localID(ctx, t.s.Origin(), g)
		if err != nil {
			return err
		}
		if ok {
			unit = local
		}
	}
	_, err := t.reader().exec(ctx, "INSERT INTO federation_applied (audit_id, peer_id, seq, actor_name, actor_role, actor_unit) VALUES (?, ?, ?, ?, ?, ?)",
		id, a.peer.ID, a.seq, a.name, a.role, unit)
	return err
}

// RemoteActor is who made a change on the peer installation that sent it.
type RemoteActor struct {
	Peer   string // the installation's name
	Name   string // "liandong" for its system
	Role   string // "system" for its system
	UnitID int64  // their unit, as held here; 0 when none
}

// RemoteActors names, for each audit event of a record written applying a
// peer's change, who made that change there, by audit event id.
func (s *Store) RemoteActors(ctx context.Context, entity string, id int64) (map[int64]RemoteActor, error) {
	rows, err := s.reader().query(ctx, `SELECT a.audit_id, p.name, a.actor_name, a.actor_role, a.actor_unit FROM federation_applied a
		JOIN audit_events e ON e.id = a.audit_id JOIN federation_peers p ON p.id = a.peer_id
		WHERE e.entity = ? AND e.entity_id = ?`, entity, id)
	if err != nil {
		return nil, domain.Internalf(err, "read who made the changes received")
	}
	defer rows.Close()
	out := map[int64]RemoteActor{}
	for rows.Next() {
		var audit int64
		var a RemoteActor
		if err := rows.Scan(&audit, &a.Peer, &a.Name, &a.Role, &a.UnitID); err != nil {
			return nil, domain.Internalf(err, "read who made the changes received")
		}
		out[audit] = a
	}
	return out, rows.Err()
}
