package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// meetingForm is a meeting's fields as typed, kept when the form is refused.
type meetingForm struct {
	MechanismID int64
	Version     int64
	Number      string
	Title       string
	HeldOn      string
	Place       string
	Format      string
	Chair       string
	Status      string
	Minutes     string
	Decisions   []domain.MeetingDecision
	NewDecision string
}

type meetingFormData struct {
	Meeting    *domain.Meeting // nil for a new meeting
	Mechanisms []*domain.Mechanism
	Form       meetingForm
	Formats    []domain.MeetingFormat
	Statuses   []domain.MeetingStatus
}

// writableMechanisms returns the mechanisms whose meetings the visitor may
// write, by the store's own check on a meeting of each.
func (h *Handler) writableMechanisms(r *http.Request) ([]*domain.Mechanism, error) {
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, err
	}
	var out []*domain.Mechanism
	for _, m := range rf.mechList {
		if m.ArchivedAt == nil && h.mayEditMeeting(r, &domain.Meeting{MechanismID: m.ID}) {
			out = append(out, m)
		}
	}
	return out, nil
}

// meetingNewForm answers GET /meetings/new?mechanism=: the number defaults
// to the mechanism's next.
func (h *Handler) meetingNewForm(w http.ResponseWriter, r *http.Request) {
	if err := policy.Check(currentUser(r), policy.Write, "meetings"); err != nil {
		h.fail(w, r, err)
		return
	}
	mechs, err := h.writableMechanisms(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.meetingWrite(r, &domain.Meeting{}); len(mechs) == 0 && err != nil {
		// The store's refusal of a meeting in no mechanism of the visitor's.
		h.fail(w, r, err)
		return
	}
	f := meetingForm{MechanismID: queryID(r, "mechanism"), Status: string(domain.MeetingDraft)}
	if f.MechanismID == 0 && len(mechs) > 0 {
		f.MechanismID = mechs[0].ID
	}
	if n, err := h.store.NextMeetingNumber(r.Context(), f.MechanismID); err == nil {
		f.Number = strconv.Itoa(n)
	}
	h.meetingFormPage(w, r, http.StatusOK, nil, mechs, f, nil)
}

func (h *Handler) meetingFormPage(w http.ResponseWriter, r *http.Request, status int, mt *domain.Meeting, mechs []*domain.Mechanism, f meetingForm, v *view) {
	t := h.tr(state(r).locale)
	title := t.T("meeting.new")
	if mt != nil {
		title = t.T("meeting.edit")
	}
	if v == nil {
		v = h.newView(r, title, "meetings")
	}
	v.Title = title
	v.Data = meetingFormData{Meeting: mt, Mechanisms: mechs, Form: f, Formats: domain.MeetingFormats, Statuses: domain.MeetingStatuses}
	h.render(w, r, status, "meeting_form", v)
}

// readMeetingForm reads the fields of the form into f and onto mt; what
// does not parse is named in p.
func readMeetingForm(r *http.Request, mt *domain.Meeting, p *domain.Problems) meetingForm {
	f := meetingForm{MechanismID: mt.MechanismID, Number: strings.TrimSpace(r.PostFormValue("number")),
		Title: strings.TrimSpace(r.PostFormValue("title")), HeldOn: strings.TrimSpace(r.PostFormValue("held_on")),
		Place: strings.TrimSpace(r.PostFormValue("place")), Format: r.PostFormValue("format"), Chair: strings.TrimSpace(r.PostFormValue("chair")),
		Status: r.PostFormValue("status"), Minutes: r.PostFormValue("minutes"), NewDecision: strings.TrimSpace(r.PostFormValue("decision_new"))}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	mt.Title, mt.Place, mt.Format, mt.Chair, mt.Status = f.Title, f.Place, domain.MeetingFormat(f.Format), f.Chair, domain.MeetingStatus(f.Status)
	if n, err := strconv.Atoi(f.Number); err != nil {
		p.Add("number", "must be a whole number")
	} else {
		mt.Number = n
	}
	mt.HeldOn, mt.HeldOnPrecision = domain.Date{}, domain.DayPrecision
	if f.HeldOn != "" {
		d, err := domain.ParseDate(f.HeldOn)
		if err != nil {
			p.Add("held_on", "must be a date of the form YYYY-MM-DD")
		}
		mt.HeldOn = d
	}
	return f
}

// meetingCreate answers POST /meetings/new.
func (h *Handler) meetingCreate(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "meetings"); err != nil {
		h.fail(w, r, err)
		return
	}
	mechs, err := h.writableMechanisms(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mt := &domain.Meeting{MechanismID: formID(r, "mechanism"), Agenda: []domain.AgendaItem{}, Decisions: []domain.MeetingDecision{}, Attendees: []domain.Attendee{}}
	var p domain.Problems
	f := readMeetingForm(r, mt, &p)
	if err = p.Err(); err == nil {
		err = h.store.Meetings.Create(r.Context(), actor(r), mt)
	}
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/meetings/"+strconv.FormatInt(mt.ID, 10)+"?done=saved", http.StatusSeeOther)
	case domain.Invalid, domain.Forbidden:
		v := h.newView(r, t.T("meeting.new"), "meetings")
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		if domain.ErrorCode(err) == domain.Forbidden {
			v.Error = t.T("meeting.refused")
		}
		status := http.StatusUnprocessableEntity
		if domain.ErrorCode(err) == domain.Forbidden {
			status = http.StatusForbidden
		}
		h.meetingFormPage(w, r, status, nil, mechs, f, v)
	default:
		h.fail(w, r, err)
	}
}

// meetingEditForm answers GET /meetings/{id}/edit.
func (h *Handler) meetingEditForm(w http.ResponseWriter, r *http.Request) {
	mt, ok := h.meetingToChange(w, r)
	if !ok {
		return
	}
	f := meetingForm{MechanismID: mt.MechanismID, Version: mt.Version, Number: strconv.Itoa(mt.Number), Title: mt.Title,
		HeldOn: mt.HeldOn.String(), Place: mt.Place, Format: string(mt.Format), Chair: mt.Chair, Status: string(mt.Status),
		Minutes: mt.Minutes, Decisions: mt.Decisions}
	h.meetingFormPage(w, r, http.StatusOK, mt, nil, f, nil)
}

// meetingUpdate answers POST /meetings/{id}/edit: the meeting's fields,
// minutes and decisions. A decision keeps its id, so the tasks and items
// it created stay linked; a new one is added at the end.
func (h *Handler) meetingUpdate(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	stored, ok := h.meetingToChange(w, r)
	if !ok {
		return
	}
	mt := *stored
	var p domain.Problems
	f := readMeetingForm(r, &mt, &p)
	mt.Version = f.Version
	mt.Minutes = f.Minutes
	if f.HeldOn == stored.HeldOn.String() {
		// A date the source gives by month only stays so unless retyped.
		mt.HeldOnPrecision = stored.HeldOnPrecision
	}
	ids, texts := r.PostForm["decision_id"], r.PostForm["decision_text"]
	mt.Decisions = []domain.MeetingDecision{}
	for i, s := range ids {
		id, _ := strconv.ParseInt(s, 10, 64)
		text := ""
		if i < len(texts) {
			text = strings.TrimSpace(texts[i])
		}
		mt.Decisions = append(mt.Decisions, domain.MeetingDecision{ID: id, Text: text})
	}
	f.Decisions = mt.Decisions
	if f.NewDecision != "" {
		mt.Decisions = append(mt.Decisions, domain.MeetingDecision{Text: f.NewDecision})
	}
	err := p.Err()
	if err == nil {
		err = h.store.Meetings.Update(r.Context(), actor(r), &mt)
	}
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/meetings/"+strconv.FormatInt(mt.ID, 10)+"?done=saved", http.StatusSeeOther)
	case domain.Invalid:
		v := h.newView(r, t.T("meeting.edit"), "meetings")
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		h.meetingFormPage(w, r, http.StatusUnprocessableEntity, stored, nil, f, v)
	default:
		h.meetingRefused(w, r, stored, err, "")
	}
}
