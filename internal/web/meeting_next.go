package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// meetingPrepareNext answers POST /meetings/{id}/next (准备下次会议): the
// store drafts the next meeting, carrying the unfinished agenda, on the
// date the small form asks for.
func (h *Handler) meetingPrepareNext(w http.ResponseWriter, r *http.Request) {
	mt, ok := h.meetingToChange(w, r)
	if !ok {
		return
	}
	typed := strings.TrimSpace(r.PostFormValue("held_on"))
	var heldOn domain.Date
	var err error
	var p domain.Problems
	if typed == "" {
		p.Add("held_on", "is required")
	} else if heldOn, err = domain.ParseDate(typed); err != nil {
		p.Add("held_on", "must be a date of the form YYYY-MM-DD")
	}
	var next *domain.Meeting
	if err = p.Err(); err == nil {
		next, err = h.store.PrepareNext(r.Context(), actor(r), mt.ID, heldOn)
	}
	if err != nil {
		h.meetingRefused(w, r, mt, err, typed)
		return
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(next.ID, 10)+"?done=saved", http.StatusSeeOther)
}
