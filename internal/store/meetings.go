package store

import (
	"context"
	"database/sql"
	"slices"

	"github.com/liandong/liandong/internal/domain"
)

var meetings = &table[domain.Meeting, *domain.Meeting]{
	name:    "meetings",
	columns: []string{"mechanism_id", "number", "title", "held_on", "held_on_precision", "place", "format", "chair", "status", "minutes"},
	fields: func(m *domain.Meeting) []any {
		return []any{m.MechanismID, m.Number, m.Title, m.HeldOn, string(m.HeldOnPrecision), m.Place, string(m.Format), m.Chair, string(m.Status), m.Minutes}
	},
	targets: func(m *domain.Meeting) []any {
		return []any{&m.MechanismID, &m.Number, &m.Title, &m.HeldOn, &m.HeldOnPrecision, &m.Place, &m.Format, &m.Chair, &m.Status, &m.Minutes}
	},
	refs: []ref[domain.Meeting, *domain.Meeting]{
		{"mechanism_id", "mechanisms", func(m *domain.Meeting) int64 { return m.MechanismID }},
	},
	check: func(ctx context.Context, t *Tx, m *domain.Meeting) error {
		if m.Status == "" {
			m.Status = domain.MeetingHeld // a meeting recorded without a status took place
		}
		r := t.reader()
		var p domain.Problems
		// Entries already on the agenda stay, though their writer may not
		// read them: an escalation puts a lower mechanism's problem there.
		keptItems, err := t.storedUnits(ctx, "SELECT item_id FROM meeting_agenda WHERE meeting_id = ? AND item_id IS NOT NULL", m.ID)
		if err != nil {
			return err
		}
		keptProblems, err := t.storedUnits(ctx, "SELECT problem_id FROM meeting_agenda WHERE meeting_id = ? AND problem_id IS NOT NULL", m.ID)
		if err != nil {
			return err
		}
		for i, a := range m.Agenda {
			table, id, kept := "items", a.ItemID, keptItems
			if a.Kind == domain.AgendaProblemKind {
				table, id, kept = "problems", a.ProblemID, keptProblems
			}
			if a.Kind == domain.AgendaTopicKind {
				continue
			}
			ok, err := r.exists(ctx, table, id)
			if ok && err == nil && !slices.Contains(kept, id) {
				ok, err = t.visible(ctx, table, id)
			}
			if err != nil {
				return domain.Internalf(err, "check agenda")
			} else if !ok {
				p.Addf("agenda["+itoa(i)+"]", "refers to %s %d, which does not exist", singular(table), id)
			}
		}
		for i, a := range m.Attendees {
			if ok, err := r.exists(ctx, "organizations", a.OrganizationID); err != nil {
				return domain.Internalf(err, "check attendees")
			} else if !ok {
				p.Addf("attendees["+itoa(i)+"].organization_id", "refers to organization %d, which does not exist", a.OrganizationID)
			}
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.Meeting) error {
		args, byID := ids(page)
		for _, m := range page {
			m.Agenda, m.Decisions, m.Attendees = []domain.AgendaItem{}, []domain.MeetingDecision{}, []domain.Attendee{}
		}
		err := loadRows(ctx, r, "SELECT meeting_id, organization_id, reported, report FROM meeting_attendees WHERE meeting_id IN (?) ORDER BY meeting_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var a domain.Attendee
			if err := rows.Scan(&id, &a.OrganizationID, &a.Reported, &a.Report); err != nil {
				return err
			}
			byID[id].Attendees = append(byID[id].Attendees, a)
			return nil
		})
		if err != nil {
			return err
		}
		err = loadRows(ctx, r, "SELECT meeting_id, kind, item_id, problem_id, topic FROM meeting_agenda WHERE meeting_id IN (?) ORDER BY meeting_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var a domain.AgendaItem
			if err := rows.Scan(&id, &a.Kind, idCol{&a.ItemID}, idCol{&a.ProblemID}, &a.Topic); err != nil {
				return err
			}
			byID[id].Agenda = append(byID[id].Agenda, a)
			return nil
		})
		if err != nil {
			return err
		}
		return loadRows(ctx, r, "SELECT meeting_id, id, text FROM meeting_decisions WHERE meeting_id IN (?) ORDER BY meeting_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var d domain.MeetingDecision
			if err := rows.Scan(&id, &d.ID, &d.Text); err != nil {
				return err
			}
			byID[id].Decisions = append(byID[id].Decisions, d)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, m *domain.Meeting) error {
		agenda := make([][]any, len(m.Agenda))
		for i, a := range m.Agenda {
			agenda[i] = []any{i, string(a.Kind), optID(a.ItemID), optID(a.ProblemID), a.Topic}
		}
		if err := t.replaceRows(ctx, "meeting_agenda", "meeting_id", m.ID, []string{"position", "kind", "item_id", "problem_id", "topic"}, agenda); err != nil {
			return err
		}
		attendees := make([][]any, len(m.Attendees))
		for i, a := range m.Attendees {
			attendees[i] = []any{i, a.OrganizationID, a.Reported, a.Report}
		}
		if err := t.replaceRows(ctx, "meeting_attendees", "meeting_id", m.ID, []string{"position", "organization_id", "reported", "report"}, attendees); err != nil {
			return err
		}
		rows := make([][]any, len(m.Decisions))
		in := make([]int64, len(m.Decisions))
		for i, d := range m.Decisions {
			rows[i], in[i] = []any{i, d.Text}, d.ID
		}
		out, err := t.syncRows(ctx, "meeting_decisions", "meeting_id", m.ID, []string{"position", "text"}, in, rows)
		for i := range out {
			m.Decisions[i].ID = out[i]
		}
		return err
	},
	filters: map[string]filter{
		"mechanism":   byID("mechanism_id"),
		"format":      byEnum("format", domain.MeetingFormats),
		"status":      byEnum("status", domain.MeetingStatuses),
		"held_after":  byDate("held_on", ">="),
		"held_before": byDate("held_on", "<="),
		"q":           byQuery("title", "place", "minutes"),
	},
	sorts: map[string]sortKey{"held_on": {"held_on", sortText}, "number": {"number", sortInt}},
}

var batches = &table[domain.Batch, *domain.Batch]{
	name:    "batches",
	columns: []string{"mechanism_id", "meeting_id", "name", "name_en", "year", "declared_count"},
	fields: func(b *domain.Batch) []any {
		return []any{b.MechanismID, optID(b.MeetingID), b.Name, b.NameEN, b.Year, b.DeclaredCount}
	},
	targets: func(b *domain.Batch) []any {
		return []any{&b.MechanismID, idCol{&b.MeetingID}, &b.Name, &b.NameEN, &b.Year, &b.DeclaredCount}
	},
	refs: []ref[domain.Batch, *domain.Batch]{
		{"mechanism_id", "mechanisms", func(b *domain.Batch) int64 { return b.MechanismID }},
		{"meeting_id", "meetings", func(b *domain.Batch) int64 { return b.MeetingID }},
	},
	derived: []string{"recorded_count"},
	// A summary list leaves recorded_count at zero: the pages keep the
	// batches as names until one is written (Store.ReferencesStamp), and
	// the count follows the items, which write no batch.
	summary: func(context.Context, reader, []*domain.Batch) error { return nil },
	load: func(ctx context.Context, r reader, page []*domain.Batch) error {
		args, byID := ids(page)
		for _, b := range page {
			b.RecordedCount = 0
		}
		return loadRows(ctx, r, "SELECT batch_id, COUNT(*) FROM items WHERE archived_at IS NULL AND batch_id IN (?) GROUP BY batch_id", args, func(rows *sql.Rows) error {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			byID[id].RecordedCount = n
			return nil
		})
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"meeting":   byID("meeting_id"),
		"year":      byInt("year"),
		"q":         byQuery("name", "name_en"),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}, "year": {"year", sortInt}},
}

// NextMeetingNumber returns the number the next meeting of mechanism
// takes: one more than the highest recorded, archived meetings included
// (their numbers were used).
func (s *Store) NextMeetingNumber(ctx context.Context, mechanism int64) (int, error) {
	return nextMeetingNumber(ctx, s.reader(), mechanism)
}

func nextMeetingNumber(ctx context.Context, r reader, mechanism int64) (int, error) {
	var n int
	if err := r.queryRow(ctx, "SELECT COALESCE(MAX(number), 0) FROM meetings WHERE mechanism_id = ?", mechanism).Scan(&n); err != nil {
		return 0, domain.Internalf(err, "number the next meeting")
	}
	return n + 1, nil
}

// PrepareNext creates the draft of the meeting after meeting (准备下次会议)
// in one transaction: numbered next, titled after its mechanism, held on
// heldOn, carrying what of the agenda is unfinished — items not completed,
// problems not resolved; topics were heard and stay with their meeting.
// Errors: NotFound, Forbidden (the actor may not write the mechanism's
// meetings), Invalid (meeting is itself a draft, or heldOn is missing).
func (s *Store) PrepareNext(ctx context.Context, actor domain.Actor, meetingID int64, heldOn domain.Date) (*domain.Meeting, error) {
	var out *domain.Meeting
	err := s.Write(ctx, actor, func(t *Tx) error {
		r := t.reader()
		mt, err := s.Meetings.get(ctx, r, meetingID)
		if err != nil {
			return err
		}
		if mt.Draft() {
			return domain.Errorf(domain.Invalid, "the meeting is still a draft; prepare the next one once it is held").
				With(domain.FieldErrorf("status", "is draft, not held"))
		}
		m, err := mechanisms.getIn(ctx, r, mt.MechanismID)
		if err != nil {
			return err
		}
		number, err := nextMeetingNumber(ctx, r, mt.MechanismID)
		if err != nil {
			return err
		}
		next := &domain.Meeting{MechanismID: mt.MechanismID, Number: number, Title: m.Name + "第" + domain.ChineseNumeral(number) + "次会议",
			HeldOn: heldOn, HeldOnPrecision: domain.DayPrecision, Place: mt.Place, Format: mt.Format, Chair: mt.Chair,
			Status: domain.MeetingDraft, Agenda: []domain.AgendaItem{}, Decisions: []domain.MeetingDecision{}, Attendees: []domain.Attendee{}}
		for _, a := range mt.Agenda {
			switch a.Kind {
			case domain.AgendaItemKind:
				it, err := s.Items.get(ctx, r, a.ItemID)
				if err != nil && domain.ErrorCode(err) != domain.NotFound {
					return err
				}
				if err == nil && it.ArchivedAt == nil && it.Status != domain.Completed {
					next.Agenda = append(next.Agenda, a)
				}
			case domain.AgendaProblemKind:
				pr, err := s.Problems.get(ctx, r, a.ProblemID)
				if err != nil && domain.ErrorCode(err) != domain.NotFound {
					return err
				}
				if err == nil && pr.ArchivedAt == nil && pr.Status == domain.ProblemOpen {
					next.Agenda = append(next.Agenda, a)
				}
			}
		}
		// The actor must be allowed to write the mechanism's meetings; the
		// carried entries then come with the system's rights, still
		// attributed to the actor, as an escalation puts them there: a
		// problem escalated from a mechanism below may be one the actor
		// cannot read, and stays on the agenda all the same.
		if err := s.Meetings.mayWrite(ctx, t, next); err != nil {
			return err
		}
		acting := t.actor
		t.actor = domain.Actor{UserID: acting.UserID, Name: acting.Name}
		err = s.Meetings.CreateTx(ctx, t, next)
		t.actor = acting
		if err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}
