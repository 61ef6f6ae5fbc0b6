package web

import (
	"fmt"
	"net/http"

	"github.com/liandong/liandong/internal/domain"
)

// itemDeriveMilestones answers POST /items/{id}/milestones/from-schedule:
// the item page's button that adds a milestone per quarter of the schedule
// not yet derived. The store applies the policy and the two-side rule; what
// needs another side waits, and the page says for whom.
func (h *Handler) itemDeriveMilestones(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it, held, err := h.store.DeriveMilestones(r.Context(), actor(r), id, formID(r, "version"))
	switch {
	case domain.ErrorCode(err) == domain.Conflict:
		http.Redirect(w, r, fmt.Sprintf("/items/%d?change=derive_stale", id), http.StatusSeeOther)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	outcome := "derived"
	if len(held) > 0 {
		outcome = "held"
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?change=%s", it.ID, outcome), http.StatusSeeOther)
}
