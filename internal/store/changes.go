package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
// asking what a record looked like on a past day. Days are those on which
// changes happened: an event's occurred day when its write stated one, else
// the day it was recorded in the trail's time zone.
type Trail struct {
	events map[int64][]domain.AuditEvent
	loc    *time.Location
}

// Trail reads the audit events of entity ("items", "problems" …): of the
// records ids, or of every record when ids is nil. loc is the time zone
// whose days the events recorded without an occurred day fall on (the
// mechanism's; Asia/Shanghai when nil). A pack asks for its own
// mechanism's records, so its cost follows the mechanism, not the whole
// installation.
func (s *Store) Trail(ctx context.Context, entity string, ids []int64, loc *time.Location) (*Trail, error) {
	if loc == nil {
		loc = (&domain.Mechanism{}).Location()
	}
	tr := &Trail{events: map[int64][]domain.AuditEvent{}, loc: loc}
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

// Day is the day the change of ev happened: its occurred day, else the
// day it was recorded in the trail's time zone.
func (tr *Trail) Day(ev domain.AuditEvent) domain.Date {
	if !ev.OccurredOn.IsZero() {
		return ev.OccurredOn
	}
	t := ev.At.In(tr.loc)
	return domain.NewDate(t.Year(), t.Month(), t.Day())
}

// states returns the events of record id that record its whole state
// (create, update, archive, restore), up to the end of day d, in the order
// their changes happened: by day, then by event id.
func (tr *Trail) states(id int64, d domain.Date) []domain.AuditEvent {
	var out []domain.AuditEvent
	for _, ev := range tr.events[id] {
		switch ev.Action {
		case "create", "update", "archive", "restore":
		default:
			continue // a proposal or a confirmation states a change, not the record
		}
		if !d.Before(tr.Day(ev)) {
			out = append(out, ev)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.AuditEvent) int {
		if c := tr.Day(a).Compare(tr.Day(b).Time); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// StateAt decodes into v the state record id had at the end of day d: the
// after-state of its last event whose change happened on or before d (ties
// broken by event id). It reports false when the record did not exist yet,
// so the caller can say it came later.
func (tr *Trail) StateAt(id int64, d domain.Date, v any) (bool, error) {
	evs := tr.states(id, d)
	if len(evs) == 0 || evs[len(evs)-1].After == "" {
		return false, nil
	}
	last := evs[len(evs)-1]
	if err := json.Unmarshal([]byte(last.After), v); err != nil {
		return false, domain.Internalf(err, "decode audit state of %s", last.Entity)
	}
	return true, nil
}

// Since returns the day from which record id has been, at the end of day
// d, in a state that is reports true of (given the state's JSON): the day
// the change into it happened. It reports false when the record is not in
// such a state at the end of d.
func (tr *Trail) Since(id int64, d domain.Date, is func(state []byte) bool) (domain.Date, bool) {
	var since domain.Date
	in := false
	for _, ev := range tr.states(id, d) {
		now := ev.After != "" && is([]byte(ev.After))
		if now && !in {
			since = tr.Day(ev)
		}
		in = now
	}
	return since, in
}

// Recorded returns when record id was created, per its first event.
func (tr *Trail) Recorded(id int64) (time.Time, bool) {
	evs := tr.events[id]
	if len(evs) == 0 {
		return time.Time{}, false
	}
	return evs[0].At, true
}

// Occurred returns the day record id came to be, per its first event: the
// day its writer stated (stated is true) or, when none was, the day it was
// recorded in the trail's time zone. ok is false for a record without events.
func (tr *Trail) Occurred(id int64) (day domain.Date, stated, ok bool) {
	evs := tr.events[id]
	if len(evs) == 0 {
		return domain.Date{}, false, false
	}
	return tr.Day(evs[0]), !evs[0].OccurredOn.IsZero(), true
}

// RecordIDs returns the ids of records, for Trail.
func RecordIDs[P interface{ Base() *domain.Record }](records []P) []int64 {
	out := make([]int64, len(records))
	for i, r := range records {
		out[i] = r.Base().ID
	}
	return out
}

// InForce returns the agreements in force at the end of day, earliest
// first: an agreement is in force from its signing day or, when its source
// gives none, from the day its writer stated it came to be. One agreement
// with neither is in force on no day the data can name. The pack of a past
// meeting and the dashboard of a past day both ask it. loc is the
// mechanism's time zone.
func (s *Store) InForce(ctx context.Context, agreements []*domain.Agreement, day domain.Date, loc *time.Location) ([]*domain.Agreement, error) {
	trail, err := s.Trail(ctx, "agreements", RecordIDs(agreements), loc)
	if err != nil {
		return nil, err
	}
	since := map[int64]domain.Date{}
	var out []*domain.Agreement
	for _, a := range agreements {
		from := a.SignedOn
		if from.IsZero() {
			if on, stated, ok := trail.Occurred(a.ID); ok && stated {
				from = on
			}
		}
		if !from.IsZero() && !day.Before(from) {
			out = append(out, a)
			since[a.ID] = from
		}
	}
	slices.SortStableFunc(out, func(a, b *domain.Agreement) int { return since[a.ID].Compare(since[b.ID].Time) })
	return out, nil
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
// and puts it on the agenda of the first mechanism up the parent chain at
// the new tier: of its draft meeting (the one being prepared, the earliest
// when several are), else of its next meeting (held today or later, in the
// mechanism's time zone). When no such mechanism or meeting exists the step still
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
		// one (Tx.audit checks that day when the problem is written below),
		// and the new tier's time limit runs from it.
		occurredOn, precision, _ := Occurred(ctx)
		taken := today
		if !occurredOn.IsZero() {
			taken = occurredOn
		}
		due := domain.Date{Time: taken.AddDate(0, 0, rulesOf.Rules.TierDays(to))}
		if _, err := r.exec(ctx, "INSERT INTO problem_escalations (problem_id, from_tier, to_tier, at, note, occurred_on, occurred_precision, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			pr.ID, string(from), string(to), t.now, note, occurredOn, optText(string(precision)), due); err != nil {
			return domain.Internalf(err, "record escalation")
		}
		pr.Escalations = append(pr.Escalations, domain.Escalation{FromTier: from, ToTier: to, At: t.now, Note: note,
			OccurredOn: occurredOn, OccurredPrecision: precision, DueOn: due})
		pr.Tier = to
		pr.DueOn = due
		if err := s.Problems.UpdateTx(ctx, t, pr); err != nil {
			return err
		}
		out = &EscalationResult{Problem: pr, Mechanism: target}
		if target == nil {
			out.Message = fmt.Sprintf("escalated from %s to %s, due %s; no mechanism up the chain of mechanism %d sits at the %s tier, so no agenda was changed", from, to, pr.DueOn, own.ID, to)
			return nil
		}
		// The meeting the secretariat is preparing (a draft) receives it
		// first; without one, the next meeting held today or later.
		var meetingID int64
		err = r.queryRow(ctx, "SELECT id FROM meetings WHERE mechanism_id = ? AND archived_at IS NULL AND status = ? ORDER BY held_on, id LIMIT 1",
			target.ID, string(domain.MeetingDraft)).Scan(&meetingID)
		if isNoRows(err) {
			err = r.queryRow(ctx, "SELECT id FROM meetings WHERE mechanism_id = ? AND archived_at IS NULL AND held_on >= ? ORDER BY held_on, id LIMIT 1",
				target.ID, today.String()).Scan(&meetingID)
		}
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
