package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
)

// confirmationRoutes are the two-side confirmation actions on an item's
// pending changes.
func (a *API) confirmationRoutes() []route {
	path := Prefix + "/items/{id}/changes/{change}"
	return []route{
		{method: "POST", path: path + "/confirm", op: "confirmItemChange", tag: tagWork,
			summary:  "Confirm a pending change for your side; it takes effect when every side taking part has confirmed (its lead unit, or for a side without one the unit the mechanism names, its secretariat by default), and is refused (409) when the item changed since it was proposed",
			response: domain.Item{}, status: 200, errors: []int{401, 403, 404, 409}, handler: a.confirmChange},
		{method: "POST", path: path + "/reject", op: "rejectItemChange", tag: tagWork,
			summary:  "Reject a pending change (a side's lead unit or the secretariat)",
			response: domain.Item{}, status: 200, errors: []int{401, 403, 404}, handler: a.rejectChange},
	}
}

func (a *API) confirmChange(w http.ResponseWriter, r *http.Request) {
	a.decideChange(w, r, a.store.ConfirmItemChange)
}

func (a *API) rejectChange(w http.ResponseWriter, r *http.Request) {
	a.decideChange(w, r, a.store.RejectItemChange)
}

func (a *API) decideChange(w http.ResponseWriter, r *http.Request, decide func(context.Context, domain.Actor, int64, int64) (*domain.Item, error)) {
	item, change, err := changeIDs(r)
	if err == nil {
		var it *domain.Item
		if it, err = decide(r.Context(), actor(r), item, change); err == nil {
			w.Header().Set("ETag", etag(it.Version))
			writeJSON(w, http.StatusOK, it)
			return
		}
	}
	a.writeError(w, r, err)
}

func changeIDs(r *http.Request) (int64, int64, error) {
	item, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	change, err2 := strconv.ParseInt(r.PathValue("change"), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, domain.Errorf(domain.NotFound, "no such item change")
	}
	return item, change, nil
}
