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
)

// audit appends an event to the hash chain inside the caller's transaction,
// so a change and its record of who made it commit or fail together.
// before and after are the record's states, nil when absent.
func (t *Tx) audit(ctx context.Context, action, entity string, id int64, before, after any) error {
	switch entity { // changed: read them again
	case mechanisms.name:
		t.mechanisms = nil
	case batches.name:
		t.batchMechanisms = nil
	}
	ev := domain.AuditEvent{At: t.now, ActorID: t.actor.UserID, Action: action, Entity: entity, EntityID: id}
	var err error
	if ev.Before, err = auditJSON(before); err != nil {
		return err
	}
	if ev.After, err = auditJSON(after); err != nil {
		return err
	}
	r := t.reader()
	if t.auditHead == "" {
		// The first event of the transaction locks the chain (on SQLite
		// the immediate transaction holds the write lock already) and reads
		// its head. The lock lasts until the transaction ends, so the
		// events after it follow the head this transaction keeps.
		if lock := t.s.dialect.auditLock(); lock != "" {
			if _, err := r.exec(ctx, lock); err != nil {
				return domain.Internalf(err, "lock audit chain")
			}
		}
		err = r.queryRow(ctx, "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").Scan(&ev.PrevHash)
		if err != nil && !isNoRows(err) {
			return domain.Internalf(err, "read audit chain")
		}
	} else {
		ev.PrevHash = t.auditHead
	}
	ev.Hash = eventHash(ev)
	_, err = r.exec(ctx, `INSERT INTO audit_events (at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev.At, optID(ev.ActorID), ev.Action, ev.Entity, ev.EntityID, ev.Before, ev.After, ev.PrevHash, ev.Hash)
	if err != nil {
		return domain.Internalf(err, "append audit event")
	}
	t.auditHead = ev.Hash
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", domain.Internalf(err, "encode audit state")
	}
	return string(b), nil
}

// eventHash covers every field of the event and the previous hash, so that
// editing, deleting or reordering any event breaks the chain from there on.
func eventHash(ev domain.AuditEvent) string {
	h := sha256.New()
	for _, f := range []string{ev.PrevHash, ev.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(ev.ActorID, 10),
		ev.Action, ev.Entity, strconv.FormatInt(ev.EntityID, 10), ev.Before, ev.After} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

const auditColumns = "id, at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash"

func scanAudit(sc interface{ Scan(...any) error }, ev *domain.AuditEvent) error {
	return sc.Scan(&ev.ID, timeCol{&ev.At}, idCol{&ev.ActorID}, &ev.Action, &ev.Entity, &ev.EntityID, &ev.Before, &ev.After, &ev.PrevHash, &ev.Hash)
}

// History returns the audit events of one record, oldest first.
func (s *Store) History(ctx context.Context, entity string, id int64) ([]domain.AuditEvent, error) {
	rows, err := s.reader().query(ctx, "SELECT "+auditColumns+" FROM audit_events WHERE entity = ? AND entity_id = ? ORDER BY id", entity, id)
	if err != nil {
		return nil, domain.Internalf(err, "read history")
	}
	defer rows.Close()
	out := []domain.AuditEvent{}
	for rows.Next() {
		var ev domain.AuditEvent
		if err := scanAudit(rows, &ev); err != nil {
			return nil, domain.Internalf(err, "scan history")
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read history")
	}
	return out, nil
}

// VerifyAudit walks the whole chain in order. It returns the number of
// events checked and, if one does not match, an error naming the first.
func (s *Store) VerifyAudit(ctx context.Context) (int, error) {
	rows, err := s.reader().query(ctx, "SELECT "+auditColumns+" FROM audit_events ORDER BY id")
	if err != nil {
		return 0, domain.Internalf(err, "read audit chain")
	}
	defer rows.Close()
	prev, n := "", 0
	for rows.Next() {
		var ev domain.AuditEvent
		if err := scanAudit(rows, &ev); err != nil {
			return n, domain.Internalf(err, "scan audit chain")
		}
		if ev.PrevHash != prev {
			return n, fmt.Errorf("audit event %d does not follow the event before it: an event was deleted or reordered", ev.ID)
		}
		if eventHash(ev) != ev.Hash {
			return n, fmt.Errorf("audit event %d does not match its hash: it was edited", ev.ID)
		}
		prev = ev.Hash
		n++
	}
	return n, rows.Err()
}
