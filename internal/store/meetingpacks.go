package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// A meeting's pack is generated from the data (internal/pack); the
// secretariat finishes it with its own words per section (PackEdits) and
// issues it, which freezes it (IssuedPack). Both are the mechanism's
// business as a whole: policy.Oversee decides, to read and to write.

// packMeeting reads the meeting's mechanism and decides action on its pack
// for the transaction's actor. Errors: NotFound, Forbidden.
func packMeeting(ctx context.Context, r reader, actor domain.Actor, meetingID int64, action policy.Action) (int64, error) {
	var mechanism int64
	err := r.queryRow(ctx, "SELECT mechanism_id FROM meetings WHERE id = ?", meetingID).Scan(&mechanism)
	if isNoRows(err) {
		return 0, domain.Errorf(domain.NotFound, "%s %d not found", "meeting", meetingID)
	}
	if err != nil {
		return 0, domain.Internalf(err, "read meeting")
	}
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return 0, err
	}
	return mechanism, policy.Oversee(pr, mechanism, action)
}

// PackEdits returns the secretariat's words for the sections of a
// meeting's pack, for who may read the pack. Errors: NotFound, Forbidden.
func (s *Store) PackEdits(ctx context.Context, actor domain.Actor, meetingID int64) (domain.PackEdits, error) {
	r := s.reader()
	if _, err := packMeeting(ctx, r, actor, meetingID, policy.Read); err != nil {
		return nil, err
	}
	return packEdits(ctx, r, meetingID)
}

func packEdits(ctx context.Context, r reader, meetingID int64) (domain.PackEdits, error) {
	rows, err := r.query(ctx, "SELECT section, body FROM pack_edits WHERE meeting_id = ? ORDER BY section", meetingID)
	if err != nil {
		return nil, domain.Internalf(err, "read pack edits")
	}
	defer rows.Close()
	out := domain.PackEdits{}
	for rows.Next() {
		var section, body string
		if err := rows.Scan(&section, &body); err != nil {
			return nil, domain.Internalf(err, "read pack edits")
		}
		out[section] = body
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read pack edits")
	}
	return out, nil
}

// SavePackEdits stores the secretariat's words for the sections of a
// meeting's pack: a section given replaces what was stored for it, an
// empty text takes the generated text back. Only the mechanism's
// secretariat (and administrators) may, and only before the pack is
// issued. Errors: Invalid (no such section, too long), NotFound,
// Forbidden, Conflict (issued already).
func (s *Store) SavePackEdits(ctx context.Context, actor domain.Actor, meetingID int64, edits domain.PackEdits) error {
	if err := edits.Validate(); err != nil {
		return err
	}
	return s.Write(ctx, actor, func(t *Tx) error {
		r := t.reader()
		mechanism, err := packMeeting(ctx, r, actor, meetingID, policy.Write)
		if err != nil {
			return err
		}
		if issued, err := isIssued(ctx, r, meetingID); err != nil {
			return err
		} else if issued {
			return domain.Errorf(domain.Conflict, "the pack of meeting %d was issued; an issued pack is no longer edited", meetingID)
		}
		before, err := packEdits(ctx, r, meetingID)
		if err != nil {
			return err
		}
		after := domain.PackEdits{}
		for k, v := range before {
			after[k] = v
		}
		for section, body := range edits {
			if _, err := r.exec(ctx, "DELETE FROM pack_edits WHERE meeting_id = ? AND section = ?", meetingID, section); err != nil {
				return domain.Internalf(err, "store pack edit")
			}
			delete(after, section)
			if body == "" {
				continue
			}
			if _, err := r.exec(ctx, "INSERT INTO pack_edits (meeting_id, section, body, edited_at, edited_by) VALUES (?, ?, ?, ?, ?)",
				meetingID, section, body, t.now, actor.UserID); err != nil {
				return domain.Internalf(err, "store pack edit")
			}
			after[section] = body
		}
		return t.audit(ctx, "pack_edit", "meetings", meetingID,
			map[string]any{"mechanism_id": mechanism, "pack_edits": before}, map[string]any{"mechanism_id": mechanism, "pack_edits": after})
	})
}

func isIssued(ctx context.Context, r reader, meetingID int64) (bool, error) {
	var n int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM issued_packs WHERE meeting_id = ?", meetingID).Scan(&n); err != nil {
		return false, domain.Internalf(err, "read issued pack")
	}
	return n > 0, nil
}

// IssuePack freezes a meeting's pack as the secretariat issues it: doc (the
// document as pack.Doc.Freeze keeps it), html its print-ready page and
// figures its headline counts. The SHA-256 of html is recorded in the
// audit log in the same transaction. Only the mechanism's secretariat (and
// administrators) may, once. Errors: NotFound, Forbidden, Conflict.
func (s *Store) IssuePack(ctx context.Context, actor domain.Actor, meetingID int64, doc, html []byte, figures map[string]int) (*domain.IssuedPack, error) {
	sum := sha256.Sum256(html)
	ip := &domain.IssuedPack{MeetingID: meetingID, Doc: doc, HTML: html, SHA256: hex.EncodeToString(sum[:]), Figures: figures, IssuedBy: actor.UserID}
	err := s.Write(ctx, actor, func(t *Tx) error {
		r := t.reader()
		mechanism, err := packMeeting(ctx, r, actor, meetingID, policy.Write)
		if err != nil {
			return err
		}
		if issued, err := isIssued(ctx, r, meetingID); err != nil {
			return err
		} else if issued {
			return domain.Errorf(domain.Conflict, "the pack of meeting %d was issued already", meetingID)
		}
		ip.MechanismID, ip.IssuedAt = mechanism, t.now
		if ip.Figures == nil {
			ip.Figures = map[string]int{}
		}
		if _, err := r.exec(ctx, "INSERT INTO issued_packs (meeting_id, mechanism_id, doc, html, sha256, figures, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			meetingID, mechanism, string(doc), string(html), ip.SHA256, jsonCol{ip.Figures}, ip.IssuedAt, actor.UserID); err != nil {
			return t.s.dialect.normalize(domain.Internalf(err, "store issued pack"))
		}
		return t.audit(ctx, "pack_issue", "meetings", meetingID, nil, ip)
	})
	if err != nil {
		return nil, err
	}
	return ip, nil
}

// IssuedPack returns the pack issued for a meeting. It decides nothing:
// callers have decided who reads the meeting's pack. Errors: NotFound when
// the pack was not issued.
func (s *Store) IssuedPack(ctx context.Context, meetingID int64) (*domain.IssuedPack, error) {
	ip := &domain.IssuedPack{MeetingID: meetingID}
	var doc, html string
	err := s.reader().queryRow(ctx, "SELECT mechanism_id, doc, html, sha256, figures, issued_at, issued_by FROM issued_packs WHERE meeting_id = ?", meetingID).
		Scan(&ip.MechanismID, &doc, &html, &ip.SHA256, jsonCol{&ip.Figures}, timeCol{&ip.IssuedAt}, &ip.IssuedBy)
	if isNoRows(err) {
		return nil, domain.Errorf(domain.NotFound, "%s %d not found", "issued pack", meetingID)
	}
	if err != nil {
		return nil, domain.Internalf(err, "read issued pack")
	}
	ip.Doc, ip.HTML = []byte(doc), []byte(html)
	return ip, nil
}
