package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type meetingRow struct {
	Meeting   *domain.Meeting
	Mechanism string
}

// meetingList answers GET /meetings, newest first.
func (h *Handler) meetingList(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "meetings"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	meetings, err := listAll(r.Context(), currentUser(r), h.store.Meetings, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	slices.SortFunc(meetings, func(a, b *domain.Meeting) int { return b.HeldOn.Compare(a.HeldOn.Time) })
	var rows []meetingRow
	for _, m := range meetings {
		row := meetingRow{Meeting: m}
		if mm, ok := rf.mechanisms[m.MechanismID]; ok {
			row.Mechanism = t.Name(mm.Name, mm.NameEN)
		}
		rows = append(rows, row)
	}
	v := h.newView(r, t.T("meetings.title"), "meetings")
	v.Data = rows
	h.render(w, r, http.StatusOK, "meetings", v)
}

type agendaRow struct {
	Kind  domain.AgendaKind
	Link  string
	Title string
}

type decisionRow struct {
	Decision domain.MeetingDecision
	Tasks    []*domain.Task
	Items    []*domain.Item
}

type meetingPageData struct {
	Meeting   *domain.Meeting
	Mechanism *domain.Mechanism
	Agenda    []agendaRow
	Decisions []decisionRow
	CanWrite  bool
	// CanPack offers the pack to whom may read it (policy.Oversee).
	CanPack bool
	// CanEditPack offers editing and issuing the pack to whom may
	// (policy.Oversee to write: the secretariat).
	CanEditPack bool
	Units       []*domain.Organization
	// Attendees are the units at the meeting by side, and who reported.
	Attendees []attendeeRow
	// Form is the task being created from a decision, kept when refused.
	Form taskForm
}

type attendeeRow struct {
	Side     *domain.Side // nil for a unit that is not a member
	Unit     *domain.Organization
	Reported bool
	Report   string
}

type taskForm struct {
	DecisionID int64
	Year       string
	Content    string
	LeadID     int64
	DueOn      string
}

// meetingShow answers GET /meetings/{id}: agenda, minutes and decisions,
// each decision with the tasks and items that came from it.
func (h *Handler) meetingShow(w http.ResponseWriter, r *http.Request) {
	if err := policy.Check(currentUser(r), policy.Read, "meetings"); err != nil {
		h.fail(w, r, err)
		return
	}
	mt, err := pathRecord(r, h.store.Meetings)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.meetingPage(w, r, http.StatusOK, mt, nil, taskForm{})
}

// meetingPage renders a meeting; v carries a message and field errors
// when a task form was refused.
func (h *Handler) meetingPage(w http.ResponseWriter, r *http.Request, status int, mt *domain.Meeting, v *view, form taskForm) {
	ctx := r.Context()
	m, err := h.store.Mechanisms.Get(ctx, mt.MechanismID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := meetingPageData{Meeting: mt, Mechanism: m, CanWrite: policy.Check(currentUser(r), policy.Write, "tasks") == nil, Form: form,
		CanPack:     h.store.Oversee(ctx, actor(r), mt.MechanismID, policy.Read) == nil,
		CanEditPack: h.store.Oversee(ctx, actor(r), mt.MechanismID, policy.Write) == nil}
	if d.CanWrite && len(mt.Decisions) > 0 {
		rf, err := h.loadRefs(ctx)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Units = rf.orgList
	}
	if len(mt.Attendees) > 0 {
		rf, err := h.loadRefs(ctx)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, a := range mt.Attendees {
			row := attendeeRow{Unit: rf.orgs[a.OrganizationID], Reported: a.Reported, Report: a.Report}
			if mb, ok := m.Member(a.OrganizationID); ok {
				row.Side = m.Side(mb.Side)
			}
			if row.Unit != nil {
				d.Attendees = append(d.Attendees, row)
			}
		}
	}
	for _, a := range mt.Agenda {
		row := agendaRow{Kind: a.Kind, Title: a.Topic}
		switch a.Kind {
		case domain.AgendaItemKind:
			row.Link = "/items/" + strconv.FormatInt(a.ItemID, 10)
			if it, err := h.store.Items.GetAs(ctx, actor(r), a.ItemID); err == nil {
				row.Title = it.Title
			}
		case domain.AgendaProblemKind:
			row.Link = "/problems/" + strconv.FormatInt(a.ProblemID, 10)
			if p, err := h.store.Problems.GetAs(ctx, actor(r), a.ProblemID); err == nil {
				row.Title = p.Title
			}
		}
		d.Agenda = append(d.Agenda, row)
	}
	var items []*domain.Item
	if len(mt.Decisions) > 0 {
		if items, err = listAll(ctx, currentUser(r), h.store.Items, nil); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for _, dec := range mt.Decisions {
		row := decisionRow{Decision: dec}
		if row.Tasks, err = listAll(ctx, currentUser(r), h.store.Tasks, map[string]string{"decision": strconv.FormatInt(dec.ID, 10)}); err != nil {
			h.fail(w, r, err)
			return
		}
		for _, it := range items {
			if it.DecisionID == dec.ID {
				row.Items = append(row.Items, it)
			}
		}
		d.Decisions = append(d.Decisions, row)
	}
	if v == nil {
		v = h.newView(r, mt.Title, "meetings")
	}
	v.Title, v.Data = mt.Title, d
	h.render(w, r, status, "meeting", v)
}
