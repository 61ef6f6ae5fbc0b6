package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

type meetingRow struct {
	Meeting   *domain.Meeting
	Mechanism string
}

type meetingListData struct {
	Rows      []meetingRow
	CanCreate bool
	// PeerPacks are the packs peer installations issued for the shared
	// mechanisms whose packs the reader may read.
	PeerPacks []peerPackRow
}

// peerPackRow is a pack a peer issued, as the meetings page lists it.
type peerPackRow struct {
	store.PeerPack
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
	// A new meeting is offered to whom may write a meeting of some
	// mechanism, by the check the create applies.
	d := meetingListData{Rows: rows}
	packs, err := h.store.PeerPacks(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, p := range packs {
		row := peerPackRow{PeerPack: p}
		if mm, ok := rf.mechanisms[p.MechanismID]; ok {
			row.Mechanism = t.Name(mm.Name, mm.NameEN)
		}
		d.PeerPacks = append(d.PeerPacks, row)
	}
	if policy.Check(currentUser(r), policy.Write, "meetings") == nil {
		mechs, err := h.writableMechanisms(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.CanCreate = len(mechs) > 0
	}
	v := h.newView(r, t.T("meetings.title"), "meetings")
	v.Data = d
	h.render(w, r, http.StatusOK, "meetings", v)
}

type agendaRow struct {
	Index int
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
	// CanEdit offers editing, the agenda builder, attendance, the next
	// meeting and the notice: to whom may write the meeting (its
	// mechanism's secretariat, administrators), as the store decides.
	CanEdit bool
	// Members are the mechanism's member units by side, with what the
	// meeting recorded of each, for the attendance form.
	Members []attendeeRow
	// ItemChoices and ProblemChoices are what the agenda builder offers:
	// the mechanism's items (filtered by AgendaQuery) and open problems.
	ItemChoices    []*domain.Item
	ProblemChoices []*domain.Problem
	AgendaQuery    string
	// NextOn is the date typed for the next meeting, kept when refused.
	NextOn string
}

type attendeeRow struct {
	Side     *domain.Side // nil for a unit that is not a member
	Unit     *domain.Organization
	Attended bool
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
	v := h.newView(r, mt.Title, "meetings")
	switch r.URL.Query().Get("done") {
	case "saved", "agenda", "attendance":
		v.Message = h.tr(v.Locale).T("meeting.saved")
	}
	h.meetingPage(w, r, http.StatusOK, mt, v, taskForm{})
}

// meetingWrite answers whether the visitor may write mt, with the refusal
// when not: the check the store applies to the meeting's create and
// update, API and pages alike.
func (h *Handler) meetingWrite(r *http.Request, mt *domain.Meeting) error {
	return h.store.Meetings.Allowed(r.Context(), actor(r), policy.Write, mt)
}

// meetingToChange reads the meeting of the path for an action that changes
// it: false, with the answer written, when it does not exist or the
// visitor may not change it (the meeting page again, saying why).
func (h *Handler) meetingToChange(w http.ResponseWriter, r *http.Request) (*domain.Meeting, bool) {
	mt, err := pathRecord(r, h.store.Meetings)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	if err := h.meetingWrite(r, mt); err != nil {
		h.meetingRefused(w, r, mt, err, "")
		return nil, false
	}
	return mt, true
}

func (h *Handler) mayEditMeeting(r *http.Request, mt *domain.Meeting) bool {
	return h.meetingWrite(r, mt) == nil
}

// meetingRefused shows the meeting page again with why an action on it was
// refused: a stale version, a field or a rule. Other errors go to fail.
func (h *Handler) meetingRefused(w http.ResponseWriter, r *http.Request, mt *domain.Meeting, err error, nextOn string) {
	t := h.tr(state(r).locale)
	v := h.newView(r, mt.Title, "meetings")
	status := http.StatusUnprocessableEntity
	switch domain.ErrorCode(err) {
	case domain.Invalid:
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		if detail := message.Of(t.locale, err).Message; detail != "" {
			v.Error = t.F("error.detail", t.T("form.fix"), detail)
		}
	case domain.Conflict:
		status, v.Error = http.StatusConflict, t.T("meeting.stale")
	case domain.Forbidden:
		status, v.Error = http.StatusForbidden, t.F("error.detail", t.T("error.forbidden"), message.Of(t.locale, err).Message)
	default:
		h.fail(w, r, err)
		return
	}
	if fresh, gerr := h.store.Meetings.GetAs(r.Context(), actor(r), mt.ID); gerr == nil {
		mt = fresh // a stale form is answered with what is stored now
	}
	h.meetingPage(w, r, status, mt, v, taskForm{}, nextOn)
}

// meetingPage renders a meeting; v carries a message and field errors
// when a task form was refused.
func (h *Handler) meetingPage(w http.ResponseWriter, r *http.Request, status int, mt *domain.Meeting, v *view, form taskForm, nextOn ...string) {
	ctx := r.Context()
	m, err := h.store.Mechanisms.Get(ctx, mt.MechanismID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := meetingPageData{Meeting: mt, Mechanism: m, CanWrite: policy.Check(currentUser(r), policy.Write, "tasks") == nil, Form: form,
		CanPack: h.store.Oversee(ctx, actor(r), mt.MechanismID, policy.Read) == nil, CanEdit: h.mayEditMeeting(r, mt),
		CanEditPack: h.store.Oversee(ctx, actor(r), mt.MechanismID, policy.Write) == nil,
		AgendaQuery: strings.TrimSpace(r.URL.Query().Get("agenda_q"))}
	if len(nextOn) > 0 {
		d.NextOn = nextOn[0]
	}
	if d.CanEdit {
		if err := h.meetingBuilder(r, m, mt, &d); err != nil {
			h.fail(w, r, err)
			return
		}
	}
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
			row := attendeeRow{Unit: rf.orgs[a.OrganizationID], Attended: true, Reported: a.Reported, Report: a.Report}
			if mb, ok := m.Member(a.OrganizationID); ok {
				row.Side = m.Side(mb.Side)
			}
			if row.Unit != nil {
				d.Attendees = append(d.Attendees, row)
			}
		}
	}
	for i, a := range mt.Agenda {
		row := agendaRow{Index: i, Kind: a.Kind, Title: a.Topic}
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

// meetingBuilder gathers what the controls of a meeting's writer offer:
// each member unit by side with its attendance, and the items and open
// problems of the mechanism the agenda may take.
func (h *Handler) meetingBuilder(r *http.Request, m *domain.Mechanism, mt *domain.Meeting, d *meetingPageData) error {
	ctx := r.Context()
	rf, err := h.loadRefs(ctx)
	if err != nil {
		return err
	}
	recorded := map[int64]domain.Attendee{}
	for _, a := range mt.Attendees {
		recorded[a.OrganizationID] = a
	}
	for _, side := range m.Sides {
		for _, mb := range m.Members {
			if mb.Side != side.Key || rf.orgs[mb.OrganizationID] == nil {
				continue
			}
			a, attended := recorded[mb.OrganizationID]
			d.Members = append(d.Members, attendeeRow{Side: m.Side(side.Key), Unit: rf.orgs[mb.OrganizationID],
				Attended: attended, Reported: a.Reported, Report: a.Report})
		}
	}
	filters := map[string]string{"mechanism": strconv.FormatInt(m.ID, 10)}
	if d.AgendaQuery != "" {
		filters["q"] = d.AgendaQuery
	}
	if d.ItemChoices, err = listAll(ctx, currentUser(r), h.store.Items, filters); err != nil {
		return err
	}
	d.ProblemChoices, err = listAll(ctx, currentUser(r), h.store.Problems, map[string]string{"mechanism": strconv.FormatInt(m.ID, 10), "status": string(domain.ProblemOpen)})
	return err
}
