package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// reportCorrect answers POST /reports/{id}/correct: the unit's correction
// (更正) of a report handed in, with its reason. Refused, the report page
// shows the correction form again with what was typed and why.
func (h *Handler) reportCorrect(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	rep, ok := h.reportToAct(w, r)
	if !ok {
		return
	}
	posted := readReportFields(r, "-c"+strconv.FormatInt(rep.ItemID, 10))
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	want := &domain.Report{}
	msg := posted.apply(want, t)
	if msg == "" {
		_, err := h.store.CorrectReport(r.Context(), actor(r), rep.ID, formID(r, "version"), want, reason)
		if err == nil {
			h.reportDone(w, r, rep, "corrected")
			return
		}
		if msg = h.refusal(w, r, t, err); msg == "" {
			return
		}
	}
	h.reportRefused(w, r, rep, msg, func(e *reportEntry) { e.Fields, e.Reason, e.Correcting = posted, reason, true })
}

// reportReview answers POST /reports/{id}/review: the secretariat accepts
// a submitted report (action=accept) or returns it (action=return) with a
// reason; the unit sees the return on its report page and is notified.
func (h *Handler) reportReview(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	rep, ok := h.reportToAct(w, r)
	if !ok {
		return
	}
	accept := r.PostFormValue("action") == "accept"
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	_, err := h.store.ReviewReport(r.Context(), actor(r), rep.ID, formID(r, "version"), accept, reason)
	if err == nil {
		done := "returned"
		if accept {
			done = "accepted"
		}
		h.reportDone(w, r, rep, done)
		return
	}
	if msg := h.refusal(w, r, t, err); msg != "" {
		h.reportRefused(w, r, rep, msg, func(e *reportEntry) { e.Reason = reason })
	}
}

// reportToAct reads the report of the path that the user acts on, or
// answers the refusal.
func (h *Handler) reportToAct(w http.ResponseWriter, r *http.Request) (*domain.Report, bool) {
	if err := policy.Check(currentUser(r), policy.Write, "reports"); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return nil, false
	}
	rep, err := h.store.Reports.GetAs(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return rep, true
}

// refusal turns a refused correction, review or attachment into the message the form
// shows; other errors get their error page and an empty message.
func (h *Handler) refusal(w http.ResponseWriter, r *http.Request, t tr, err error) string {
	switch domain.ErrorCode(err) {
	case domain.Invalid, domain.TooLarge:
		return joinMessages(fieldMessages(t, err), t)
	case domain.Conflict:
		if _, stale := fieldMessages(t, err)["version"]; stale {
			return t.T("error.conflict")
		}
		return joinMessages(fieldMessages(t, err), t)
	}
	h.fail(w, r, err)
	return ""
}

// reportDone goes back to the unit's report page, saying what was done.
func (h *Handler) reportDone(w http.ResponseWriter, r *http.Request, rep *domain.Report, done string) {
	http.Redirect(w, r, "/report?unit="+strconv.FormatInt(rep.OrganizationID, 10)+"&done="+done+"#entry-"+strconv.FormatInt(rep.ItemID, 10), http.StatusSeeOther)
}

// reportRefused shows the unit's report page again with msg on the
// report's entry, which edit sets up as the user left it.
func (h *Handler) reportRefused(w http.ResponseWriter, r *http.Request, rep *domain.Report, msg string, edit func(e *reportEntry)) {
	t := h.tr(state(r).locale)
	d, _, err := h.reportPage(r, rep.OrganizationID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range d.Entries {
		if e := &d.Entries[i]; e.Stored != nil && e.Stored.ID == rep.ID {
			e.Error = msg
			edit(e)
		}
	}
	v := h.newView(r, t.T("report.title"), "report")
	v.Error, v.Data = msg, d
	h.render(w, r, http.StatusUnprocessableEntity, "report", v)
}
