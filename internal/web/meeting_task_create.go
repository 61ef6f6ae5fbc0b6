package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// meetingTaskCreate answers POST /meetings/{id}/tasks: a decision of the
// meeting becomes an annual task that links back to it.
func (h *Handler) meetingTaskCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "tasks"); err != nil {
		h.fail(w, r, err)
		return
	}
	mt, err := pathRecord(r, h.store.Meetings)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := taskForm{DecisionID: formID(r, "decision"), Year: strings.TrimSpace(r.PostFormValue("year")),
		Content: strings.TrimSpace(r.PostFormValue("content")), LeadID: formID(r, "lead"), DueOn: r.PostFormValue("due_on")}
	var p domain.Problems
	found := false
	for _, d := range mt.Decisions {
		found = found || d.ID == form.DecisionID
	}
	if !found {
		p.Add("decision", "is not a decision of this meeting")
	}
	task := &domain.Task{MechanismID: mt.MechanismID, Content: form.Content, LeadID: form.LeadID, Cooperating: []int64{},
		Status: domain.TaskOpen, DecisionID: form.DecisionID}
	if task.Year, err = strconv.Atoi(form.Year); err != nil {
		p.Add("year", "must be a year between 1949 and 2200")
	}
	if form.DueOn != "" {
		if task.DueOn, err = domain.ParseDate(form.DueOn); err != nil {
			p.Add("due_on", "must be a date of the form YYYY-MM-DD")
		}
	}
	if err = p.Err(); err == nil {
		err = h.store.Tasks.Create(ctx, actor(r), task)
	}
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/meetings/"+strconv.FormatInt(mt.ID, 10)+"#decision-"+strconv.FormatInt(form.DecisionID, 10), http.StatusSeeOther)
	case domain.Invalid:
		v := h.newView(r, mt.Title, "meetings")
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		h.meetingPage(w, r, http.StatusUnprocessableEntity, mt, v, form)
	default:
		h.fail(w, r, err)
	}
}
