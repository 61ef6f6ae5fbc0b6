package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// All returns every record of rs that matches filters, archived ones too
// when archived is set, reading page after page. It is for reports and
// recomputations that need a mechanism's whole set, not for user lists.
func All[T any, P entity[T]](ctx context.Context, rs *Records[T, P], filters map[string]string, archived bool) ([]P, error) {
	return AllAs(ctx, rs, domain.ListQuery{Filters: filters, Archived: archived})
}

// AllAs returns every record that q matches, page after page, within what
// q.Viewer may read (everything when it is nil: the system). q's limit and
// cursor are its own.
func AllAs[T any, P entity[T]](ctx context.Context, rs *Records[T, P], q domain.ListQuery) ([]P, error) {
	var out []P
	q.Limit, q.Cursor = domain.MaxPageSize, ""
	for {
		page, err := rs.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}

// Trail is the audit trail of one kind of record, oldest event first, for
// asking what a record looked like at a past moment.
type Trail struct {
	events map[int64][]domain.AuditEvent
}

// Trail reads the audit events of entity ("items", "problems" …): of the
// records ids, or of every record when ids is nil. A pack asks for its own
// mechanism's records, so its cost follows the mechanism, not the whole
// installation.
func (s *Store) Trail(ctx context.Context, entity string, ids []int64) (*Trail, error) {
	tr := &Trail{events: map[int64][]domain.AuditEvent{}}
	if ids == nil {
		return tr, tr.read(ctx, s.reader(), "SELECT "+auditColumns+" FROM audit_events WHERE entity = ? ORDER BY id", entity)
	}
	const chunk = 500
	for from := 0; from < len(ids); from += chunk {
		part := ids[from:min(len(ids), from+chunk)]
		args := append([]any{entity}, int64sAny(part)...)
		q := "SELECT " + auditColumns + " FROM audit_events WHERE entity = ? AND entity_id IN (" + placeholders(len(part)) + ") ORDER BY id"
		if err := tr.read(ctx, s.reader(), q, args...); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

func (tr *Trail) read(ctx context.Context, r reader, q string, args ...any) error {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return domain.Internalf(err, "read audit trail")
	}
	defer rows.Close()
	for rows.Next() {
		var ev domain.AuditEvent
		if err := scanAudit(rows, &ev); err != nil {
			return domain.Internalf(err, "scan audit trail")
		}
		tr.events[ev.EntityID] = append(tr.events[ev.EntityID], ev)
	}
	if err := rows.Err(); err != nil {
		return domain.Internalf(err, "read audit trail")
	}
	return nil
}

// StateAt decodes into v the state record id had at the instant at (the
// after-state of its last event at or before at). It reports false when the
// record did not exist yet, so the caller can say "recorded later".
func (tr *Trail) StateAt(id int64, at time.Time, v any) (bool, error) {
	var last *domain.AuditEvent
	for i, ev := range tr.events[id] {
		if ev.At.After(at) {
			break
		}
		last = &tr.events[id][i]
	}
	if last == nil || last.After == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(last.After), v); err != nil {
		return false, domain.Internalf(err, "decode audit state of %s", last.Entity)
	}
	return true, nil
}

// Recorded returns when record id was created, per its first event.
func (tr *Trail) Recorded(id int64) (time.Time, bool) {
	evs := tr.events[id]
	if len(evs) == 0 {
		return time.Time{}, false
	}
	return evs[0].At, true
}

// EscalationResult is what Escalate did: the problem after the step, the mechanism
// at the new tier and the meeting whose agenda now carries the problem.
type EscalationResult struct {
	Problem   *domain.Problem   `json:"problem"`
	Mechanism *domain.Mechanism `json:"mechanism,omitempty"` // nil when no mechanism of the chain sits at the new tier
	Meeting   *domain.Meeting   `json:"meeting,omitempty"`   // nil when none is scheduled
	Message   string            `json:"message"`
}

// Escalate moves an open problem one tier up the ladder (execution →
// coordination → decision) in one transaction: it records the step in the
// problem's escalations, sets its due date from the new tier's time limit
// (the rules of the mechanism at that tier, else of the problem's own),
// and puts it on the agenda of the next meeting (held today or later, in
// the mechanism's time zone) of the first mechanism up the parent chain at
// the new tier. When no such mechanism or meeting exists the step still
// happens and the message says so. version is the problem's version the
// caller saw. Errors: NotFound, Conflict (stale version), Invalid (the
// problem is resolved or already at the decision tier).
func (s *Store) Escalate(ctx context.Context, actor domain.Actor, problemID, version int64, note string) (*EscalationResult, error) {
	var out *EscalationResult
	err := s.Write(ctx, actor, func(t *Tx) error {
		r := t.reader()
		pr, err := s.Problems.get(ctx, r, problemID)
		if err != nil {
			return err
		}
		if pr.Version != version {
			return staleError("problems", problemID, version, pr.Version)
		}
		var p domain.Problems
		if pr.Status != domain.ProblemOpen {
			p.Add("status", "a resolved problem is not escalated")
		}
		to := pr.Tier.Above()
		if to == "" {
			p.Add("tier", "the problem is already at the decision tier, the top of the ladder")
		}
		if len([]rune(note)) > domain.MaxText {
			p.Addf("note", "is longer than %d characters", domain.MaxText)
		}
		if err := p.Err(); err != nil {
			return err
		}
		from := pr.Tier
		own, err := mechanisms.getIn(ctx, r, pr.MechanismID)
		if err != nil {
			return err
		}
		// Walk up the parent chain to the first mechanism at the new tier.
		var target *domain.Mechanism
		for m, seen := own, map[int64]bool{}; m != nil && !seen[m.ID]; {
			seen[m.ID] = true
			if m.Tier == to {
				if target, err = s.Mechanisms.get(ctx, r, m.ID); err != nil {
					return err
				}
				break
			}
			if m.ParentID == 0 {
				break
			}
			if m, err = mechanisms.getIn(ctx, r, m.ParentID); err != nil {
				return err
			}
		}
		rulesOf, loc := own, own.Location()
		if target != nil {
			rulesOf, loc = target, target.Location()
		}
		local := t.now.In(loc)
		today := domain.NewDate(local.Year(), local.Month(), local.Day())
		// The step is dated by the day it was taken when the write states
		// one; Tx.audit checks that day when the problem is written below.
		occurredOn, _, _ := Occurred(ctx)
		if _, err := r.exec(ctx, "INSERT INTO problem_escalations (problem_id, from_tier, to_tier, at, note, occurred_on) VALUES (?, ?, ?, ?, ?, ?)",
			pr.ID, string(from), string(to), t.now, note, occurredOn); err != nil {
			return domain.Internalf(err, "record escalation")
		}
		pr.Escalations = append(pr.Escalations, domain.Escalation{FromTier: from, ToTier: to, At: t.now, Note: note, OccurredOn: occurredOn})
		pr.Tier = to
		pr.DueOn = domain.Date{Time: today.AddDate(0, 0, rulesOf.Rules.TierDays(to))}
		if err := s.Problems.UpdateTx(ctx, t, pr); err != nil {
			return err
		}
		out = &EscalationResult{Problem: pr, Mechanism: target}
		if target == nil {
			out.Message = fmt.Sprintf("escalated from %s to %s, due %s; no mechanism up the chain of mechanism %d sits at the %s tier, so no agenda was changed", from, to, pr.DueOn, own.ID, to)
			return nil
		}
		var meetingID int64
		err = r.queryRow(ctx, "SELECT id FROM meetings WHERE mechanism_id = ? AND archived_at IS NULL AND held_on >= ? ORDER BY held_on, id LIMIT 1",
			target.ID, today.String()).Scan(&meetingID)
		if isNoRows(err) {
			out.Message = fmt.Sprintf("escalated from %s to %s, due %s; %s has no meeting scheduled on or after %s: put it on the agenda when one is", from, to, pr.DueOn, target.Name, today)
			return nil
		}
		if err != nil {
			return domain.Internalf(err, "find next meeting")
		}
		mt, err := s.Meetings.get(ctx, r, meetingID)
		if err != nil {
			return err
		}
		out.Meeting = mt
		for _, a := range mt.Agenda {
			if a.Kind == domain.AgendaProblemKind && a.ProblemID == pr.ID {
				out.Message = fmt.Sprintf("escalated from %s to %s, due %s; already on the agenda of %s (%s)", from, to, pr.DueOn, mt.Title, mt.HeldOn)
				return nil
			}
		}
		mt.Agenda = append(mt.Agenda, domain.AgendaItem{Kind: domain.AgendaProblemKind, ProblemID: pr.ID})
		// The agenda entry follows from an escalation the actor was allowed
		// to make, even into a meeting the actor may not otherwise edit:
		// write it with the system's rights, still attributed to the actor.
		acting := t.actor
		t.actor = domain.Actor{UserID: acting.UserID, Name: acting.Name}
		err = s.Meetings.UpdateTx(ctx, t, mt)
		t.actor = acting
		if err != nil {
			return err
		}
		out.Message = fmt.Sprintf("escalated from %s to %s, due %s; on the agenda of %s (%s)", from, to, pr.DueOn, mt.Title, mt.HeldOn)
		return nil
	})
	return out, err
}
