package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/policy"
)

// taskPageData is a task's page: what it asks, who leads and cooperates,
// its schedule and due date, where it stands, the decision and meeting it
// came from, its comments and history.
type taskPageData struct {
	Task        *domain.Task
	Lead        string
	Cooperating []string
	Schedule    []quarterView
	Overdue     bool
	Decision    string
	Meeting     *domain.Meeting
	Statuses    []domain.TaskStatus
	// MayUpdate offers the status form: the user may change the task
	// (the store's policy, as the API's update). Refusal says why not to a
	// user who reads it as a party but may not change it.
	MayUpdate bool
	Refusal   string
	Status    domain.TaskStatus
	Progress  string
	Comments  *commentsBlock
	History   []historyRow
}

// taskShow answers GET /tasks/{id}.
func (h *Handler) taskShow(w http.ResponseWriter, r *http.Request) {
	if tk := h.loadTask(w, r); tk != nil {
		h.taskPage(w, r, http.StatusOK, tk, nil)
	}
}

func (h *Handler) loadTask(w http.ResponseWriter, r *http.Request) *domain.Task {
	if err := policy.Check(currentUser(r), policy.Read, "tasks"); err != nil {
		h.fail(w, r, err)
		return nil
	}
	id, err := pathID(r)
	var tk *domain.Task
	if err == nil {
		tk, err = h.store.Tasks.GetAs(r.Context(), actor(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return nil
	}
	return tk
}

// taskPage renders the page of tk with status; v, when set, carries a
// refused update's message and the form as it was sent.
func (h *Handler) taskPage(w http.ResponseWriter, r *http.Request, status int, tk *domain.Task, v *view) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := taskPageData{Task: tk, Lead: rf.orgName(t, tk.LeadID), Statuses: domain.TaskStatuses, Status: tk.Status, Progress: tk.Progress}
	for _, c := range tk.Cooperating {
		d.Cooperating = append(d.Cooperating, rf.orgName(t, c))
	}
	for i, text := range tk.Schedule.Quarters() {
		if text != "" {
			d.Schedule = append(d.Schedule, quarterView{Quarter: i + 1, Text: text})
		}
	}
	if m := rf.mechanisms[tk.MechanismID]; m != nil && tk.Status != domain.TaskDone && !tk.DueOn.IsZero() {
		d.Overdue = tk.DueOn.Before(cycle.Today(m, h.now()))
	}
	if tk.DecisionID != 0 {
		meetings, err := listAll(ctx, currentUser(r), h.store.Meetings, map[string]string{"mechanism": strconv.FormatInt(tk.MechanismID, 10)})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, mt := range meetings {
			for _, dec := range mt.Decisions {
				if dec.ID == tk.DecisionID {
					d.Meeting, d.Decision = mt, dec.Text
				}
			}
		}
	}
	switch err := h.store.Tasks.Allowed(ctx, actor(r), policy.Write, tk); domain.ErrorCode(err) {
	case "":
		d.MayUpdate = true
	case domain.Forbidden:
		// Only a party who may not change the task is told why; a reader
		// with no hand in it (a leader, a viewer) is offered nothing.
		if policy.Check(currentUser(r), policy.Write, "tasks") == nil {
			d.Refusal = message.Of(t.locale, err).Message
		}
	default:
		h.fail(w, r, err)
		return
	}
	if d.Comments, err = h.comments(r, t, rf, "tasks", tk.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.History, err = h.history(ctx, t, "tasks", tk.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if v == nil {
		v = h.newView(r, tk.Content, "tasks")
		if r.URL.Query().Get("updated") == "1" {
			v.Message = t.T("task.updated")
		}
	} else {
		d.Status, d.Progress = domain.TaskStatus(r.PostFormValue("status")), r.PostFormValue("progress")
	}
	v.Title = tk.Content
	v.Data = d
	h.render(w, r, status, "task", v)
}

// taskUpdate answers POST /tasks/{id}: the task's status and progress, by
// who may change it (its lead unit's liaisons, the secretariat: the same
// policy as the API's update), based on the version the form showed.
// Refused, the page shows the form again with the reason.
func (h *Handler) taskUpdate(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	tk := h.loadTask(w, r)
	if tk == nil {
		return
	}
	tk.Version = formID(r, "version")
	tk.Status, tk.Progress = domain.TaskStatus(r.PostFormValue("status")), strings.TrimSpace(r.PostFormValue("progress"))
	var bad domain.Problems
	ctx := occurredContext(r, &bad)
	err := bad.Err()
	if err == nil {
		err = h.store.Tasks.Update(ctx, actor(r), tk)
	}
	v := h.newView(r, tk.Content, "tasks")
	status := http.StatusUnprocessableEntity
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/tasks/"+strconv.FormatInt(tk.ID, 10)+"?updated=1", http.StatusSeeOther)
		return
	case domain.Invalid:
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
	case domain.Conflict:
		v.Error = t.T("error.conflict")
	case domain.Forbidden:
		v.Error, status = t.F("error.detail", t.T("error.forbidden"), message.Of(t.locale, err).Message), http.StatusForbidden
	default:
		h.fail(w, r, err)
		return
	}
	stored, err := h.store.Tasks.GetAs(r.Context(), actor(r), tk.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.taskPage(w, r, status, stored, v)
}
