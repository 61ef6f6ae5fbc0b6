package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// Meeting packs across installations (issue 14, point 2). A meeting stays
// with the installation that holds it; when its secretariat issues the
// pack of a meeting of a shared mechanism, the pack crosses as a
// "meeting.pack_issued" event carrying the print-ready page byte for byte,
// its SHA-256 as the keeper's audit log recorded it, the meeting's title,
// number and day, and the pack's headline figures. The receiver checks the
// page against the SHA-256 and keeps it (federation_packs): the other side
// reads what was issued, and can prove it, without the meeting's record.

const packIssuedType = "meeting.pack_issued"

// PeerPack is a meeting pack a peer issued for a shared mechanism.
type PeerPack struct {
	ID          int64  `json:"id"`
	Peer        string `json:"peer"`
	Meeting     string `json:"meeting"` // the meeting's global id
	MechanismID int64  `json:"mechanism_id"`
	PackSummary
	HTML       []byte    `json:"-"`
	ReceivedAt time.Time `json:"received_at"`
}

// PackSummary is what crosses of an issued pack besides its page: the
// meeting it was issued for, and the pack's checksum and headline figures.
type PackSummary struct {
	Number   int            `json:"number"`
	Title    string         `json:"title"`
	HeldOn   domain.Date    `json:"held_on"`
	SHA256   string         `json:"sha256"`
	Figures  map[string]int `json:"figures"`
	IssuedAt time.Time      `json:"issued_at"`
}

// packEvent is the data of a meeting.pack_issued event.
type packEvent struct {
	MechanismID string `json:"mechanism_id"`
	PackSummary
	HTML string `json:"html"`
}

// pack exports the pack issued for a meeting of a mechanism shared with
// the peer, as its issued_packs row keeps it.
func (x *exporter) pack(ctx context.Context, ev domain.AuditEvent) error {
	r := x.t.reader()
	var p packEvent
	var mechanism int64
	var html string
	err := r.queryRow(ctx, `SELECT ip.mechanism_id, m.number, m.title, m.held_on, ip.sha256, ip.figures, ip.issued_at, ip.html
		FROM issued_packs ip JOIN meetings m ON m.id = ip.meeting_id WHERE ip.meeting_id = ?`, ev.EntityID).
		Scan(&mechanism, &p.Number, &p.Title, &p.HeldOn, &p.SHA256, jsonCol{&p.Figures}, timeCol{&p.IssuedAt}, &html)
	if err != nil {
		return domain.Internalf(err, "read the pack issued for meeting %d", ev.EntityID)
	}
	m, err := r.globalID(ctx, x.self, "mechanisms", mechanism)
	if err != nil || m.Origin != x.self || !x.shared[m.String()] {
		return err
	}
	p.MechanismID, p.HTML, p.IssuedAt = m.String(), html, p.IssuedAt.UTC()
	data, err := json.Marshal(p)
	if err != nil {
		return domain.Internalf(err, "encode pack")
	}
	fe := FederatedEvent{ID: x.self + "#audit-" + strconv.FormatInt(ev.ID, 10), At: ev.At.UTC(), Type: packIssuedType,
		Record: domain.GlobalID{Origin: x.self, Entity: "meetings", ID: ev.EntityID}.String(), Data: data}
	if err := x.actorOf(ctx, ev, &fe); err != nil {
		return err
	}
	x.out = append(x.out, fe)
	return nil
}

// receivePack keeps a pack the peer issued for a mechanism shared with it,
// once its page matches the SHA-256 the peer's audit log recorded.
func (t *Tx) receivePack(ctx context.Context, peer *domain.Peer, shared map[string]bool, ev FederatedEvent, g domain.GlobalID) (string, string, error) {
	if g.Origin != peer.Name || g.Entity != "meetings" {
		return Refused, fmt.Sprintf("%s sent the pack of %s, a meeting it does not hold", peer.Name, g), nil
	}
	var p packEvent
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return Refused, "the pack cannot be read: " + err.Error(), nil
	}
	if !shared[p.MechanismID] {
		return Refused, fmt.Sprintf("mechanism %q is not shared with %s here", p.MechanismID, peer.Name), nil
	}
	m, err := domain.ParseGlobalID(p.MechanismID)
	if err != nil {
		return Refused, err.Error(), nil
	}
	r := t.reader()
	mechanism, ok, err := r.localID(ctx, t.s.Origin(), m)
	if err != nil || !ok {
		return Refused, fmt.Sprintf("mechanism %s is not held here", p.MechanismID), err
	}
	sum := sha256.Sum256([]byte(p.HTML))
	if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
		return Refused, fmt.Sprintf("the pack's page has SHA-256 %s, not the %s its keeper recorded", got, p.SHA256), nil
	}
	if p.Figures == nil {
		p.Figures = map[string]int{}
	}
	return t.inSavepoint(ctx, func() error {
		var id int64
		err := r.queryRow(ctx, `INSERT INTO federation_packs (peer_id, origin_meeting, mechanism_id, number, title, held_on, sha256, figures, html, issued_at, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, peer.ID, g.ID, mechanism, p.Number, p.Title, p.HeldOn, p.SHA256, jsonCol{p.Figures}, p.HTML, p.IssuedAt, t.now).Scan(&id)
		if err != nil {
			return domain.Internalf(err, "keep the pack of %s", g) // one pack per meeting: a second is refused
		}
		p.HTML, p.MechanismID = "", strconv.FormatInt(mechanism, 10)
		return t.audit(ctx, "receive", "federation_packs", id, nil, p)
	})
}

const peerPackColumns = "fp.id, p.name, fp.origin_meeting, fp.mechanism_id, fp.number, fp.title, fp.held_on, fp.sha256, fp.figures, fp.issued_at, fp.received_at"

// scanPeerPack reads peerPackColumns into p, then more.
func scanPeerPack(sc scanner, p *PeerPack, more ...any) error {
	var meeting int64
	err := sc.Scan(append([]any{&p.ID, &p.Peer, &meeting, &p.MechanismID, &p.Number, &p.Title, &p.HeldOn, &p.SHA256, jsonCol{&p.Figures}, timeCol{&p.IssuedAt}, timeCol{&p.ReceivedAt}}, more...)...)
	p.Meeting = domain.GlobalID{Origin: p.Peer, Entity: "meetings", ID: meeting}.String()
	return err
}

// PeerPacks lists, newest first, the packs peers issued for the mechanisms
// whose packs the actor may read (Oversee, as for this installation's own
// packs), without their pages.
func (s *Store) PeerPacks(ctx context.Context, actor domain.Actor) ([]PeerPack, error) {
	r := s.reader()
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return nil, err
	}
	rows, err := r.query(ctx, "SELECT "+peerPackColumns+" FROM federation_packs fp JOIN federation_peers p ON p.id = fp.peer_id ORDER BY fp.issued_at DESC, fp.id DESC")
	if err != nil {
		return nil, domain.Internalf(err, "read the peers' packs")
	}
	defer rows.Close()
	var out []PeerPack
	for rows.Next() {
		var p PeerPack
		if err := scanPeerPack(rows, &p); err != nil {
			return nil, domain.Internalf(err, "read the peers' packs")
		}
		if policy.Oversee(pr, p.MechanismID, policy.Read) == nil {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// PeerPackAs returns a pack a peer issued, with its page, when the actor
// may read it (as PeerPacks). Errors: NotFound, also for a pack the actor
// may not read.
func (s *Store) PeerPackAs(ctx context.Context, actor domain.Actor, id int64) (*PeerPack, error) {
	r := s.reader()
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return nil, err
	}
	p := &PeerPack{}
	var html string
	err = scanPeerPack(r.queryRow(ctx, "SELECT "+peerPackColumns+", fp.html FROM federation_packs fp JOIN federation_peers p ON p.id = fp.peer_id WHERE fp.id = ?", id), p, &html)
	if isNoRows(err) || (err == nil && policy.Oversee(pr, p.MechanismID, policy.Read) != nil) {
		return nil, domain.Errorf(domain.NotFound, "%s %d not found", "peer pack", id)
	}
	if err != nil {
		return nil, domain.Internalf(err, "read the peer's pack")
	}
	p.HTML = []byte(html)
	return p, nil
}
