package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// meetingAttendance answers POST /meetings/{id}/attendance: for each member
// unit of the mechanism, whether it attended, whether it reported and what.
// Units the record names that are not members (any more) are kept as they
// are; the form only speaks for the members it showed.
func (h *Handler) meetingAttendance(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	stored, ok := h.meetingToChange(w, r)
	if !ok {
		return
	}
	m, err := h.store.Mechanisms.Get(ctx, stored.MechanismID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mt := *stored
	mt.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	mt.Attendees = []domain.Attendee{}
	member := map[int64]bool{}
	for _, mb := range m.Members {
		if member[mb.OrganizationID] {
			continue
		}
		member[mb.OrganizationID] = true
		id := strconv.FormatInt(mb.OrganizationID, 10)
		a := domain.Attendee{OrganizationID: mb.OrganizationID, Reported: r.PostFormValue("reported-"+id) == "on",
			Report: strings.TrimSpace(r.PostFormValue("report-" + id))}
		// Reporting, or a report recorded, means the unit was there.
		if r.PostFormValue("attended-"+id) == "on" || a.Reported || a.Report != "" {
			a.Reported = a.Reported || a.Report != ""
			mt.Attendees = append(mt.Attendees, a)
		}
	}
	for _, a := range stored.Attendees {
		if !member[a.OrganizationID] {
			mt.Attendees = append(mt.Attendees, a)
		}
	}
	if err := h.store.Meetings.Update(ctx, actor(r), &mt); err != nil {
		h.meetingRefused(w, r, stored, err, "")
		return
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(mt.ID, 10)+"?done=attendance#attendance", http.StatusSeeOther)
}
