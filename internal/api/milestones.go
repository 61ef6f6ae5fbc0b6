package api

import (
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// DeriveRequest asks to derive an item's milestones from its schedule. The
// version is the item's version the caller saw, here or as If-Match.
type DeriveRequest struct {
	Version int64 `json:"version,omitempty"`
}

func (q *DeriveRequest) stated() int64 { return q.Version }

// milestoneRoutes are the actions on an item's milestones beyond editing
// them with the item.
func (a *API) milestoneRoutes() []route {
	return []route{
		{method: "POST", path: Prefix + "/items/{id}/milestones/from-schedule", op: "deriveItemMilestones", tag: tagWork,
			summary: "Add a milestone per quarter of the item's schedule with a text (titled with it, due on the quarter's last day of the item's year), skipping those already derived; " +
				"a change of milestones, it waits for the other sides as the two-side rule says (see the item's pending changes)",
			body: DeriveRequest{}, response: domain.Item{}, status: 200, errors: []int{400, 401, 403, 404, 409, 412, 413, 422, 428}, handler: a.deriveMilestones},
	}
}

func (a *API) deriveMilestones(w http.ResponseWriter, r *http.Request) {
	if err := a.allow(r, policy.Write, "items"); err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "items")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var req DeriveRequest
	version, err := decodeBasedOn(w, r, &req)
	var it *domain.Item
	if err == nil {
		it, _, err = a.store.DeriveMilestones(r.Context(), actor(r), id, version)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(it.Version))
	writeJSON(w, http.StatusOK, it)
}
