package api

import (
	"net/http"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// publicationRoutes let a secretariat choose what its mechanism shows the
// public, and serve that view without sign-in.
func (a *API) publicationRoutes() []route {
	one := Prefix + "/mechanisms/{id}/publication"
	return []route{
		{method: "GET", path: one, op: "getPublication", tag: tagMechanisms, summary: "What the mechanism shows the public",
			response: domain.Publication{}, status: 200, errors: []int{401, 403, 404}, handler: a.getPublication},
		{method: "PUT", path: one, op: "setPublication", tag: tagMechanisms, summary: "Choose what the mechanism shows the public (secretariat); version 0 the first time",
			body: domain.Publication{}, response: domain.Publication{}, status: 200, errors: []int{400, 401, 403, 404, 409, 413, 422}, handler: a.setPublication},
		{method: "GET", path: Prefix + "/public/mechanisms/{id}/items", op: "listPublicItems", tag: tagMechanisms,
			summary:  "The items of a mechanism that publishes, with only its published fields; no sign-in",
			query:    []param{{paramLimit, "page size, 1 to 200, default 50"}, {paramCursor, "next_cursor of the previous page"}},
			response: domain.Page[domain.PublicItem]{}, status: 200, errors: []int{400, 404, 422}, public: true, handler: a.publicItems},
	}
}

func mechanismID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.NotFound, "no mechanism has the id %q", r.PathValue("id"))
	}
	return id, nil
}

func (a *API) getPublication(w http.ResponseWriter, r *http.Request) {
	id, err := mechanismID(r)
	if err == nil {
		if _, err = a.store.Mechanisms.GetAs(r.Context(), actor(r), id); err == nil {
			var p domain.Publication
			if p, err = a.store.Publication(r.Context(), id); err == nil {
				writeJSON(w, http.StatusOK, p)
				return
			}
		}
	}
	a.writeError(w, r, err)
}

func (a *API) setPublication(w http.ResponseWriter, r *http.Request) {
	if err := a.allow(r, policy.Write, "mechanisms"); err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := mechanismID(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	b, err := readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var p domain.Publication
	if err := decodeStrict(b, &p); err != nil {
		a.writeError(w, r, err)
		return
	}
	p.MechanismID = id
	if p, err = a.store.SetPublication(r.Context(), actor(r), p); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) publicItems(w http.ResponseWriter, r *http.Request) {
	id, err := mechanismID(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q, err := listQuery(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	page, err := a.store.PublicItems(r.Context(), id, q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}
