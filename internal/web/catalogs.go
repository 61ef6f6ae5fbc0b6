package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// catalogList answers GET /catalogs.
func (h *Handler) catalogList(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "catalogs"); err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := listAll(r.Context(), currentUser(r), h.store.Catalogs, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("catalogs.title"), "catalogs")
	v.Data = list
	h.render(w, r, http.StatusOK, "catalogs", v)
}

type adoptionRow struct {
	Entry    *domain.CatalogEntry
	Statuses []domain.AdoptionStatus // per column; "" where none is recorded
}

type catalogPageData struct {
	Catalog *domain.Catalog
	Columns []string
	Rows    []adoptionRow
}

// catalogShow answers GET /catalogs/{id}: the entries, and for each the
// adoption in every jurisdiction that records one.
func (h *Handler) catalogShow(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "catalogs"); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.store.Catalogs.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := listAll(r.Context(), currentUser(r), h.store.CatalogEntries, map[string]string{"catalog": strconv.FormatInt(c.ID, 10)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var cols []int64
	for _, e := range entries {
		for _, a := range e.Adoptions {
			if !slices.Contains(cols, a.JurisdictionID) {
				cols = append(cols, a.JurisdictionID)
			}
		}
	}
	d := catalogPageData{Catalog: c}
	for _, j := range cols {
		name := ""
		if jj, ok := rf.jurisdictions[j]; ok {
			name = t.Name(jj.Name, jj.NameEN)
		}
		d.Columns = append(d.Columns, name)
	}
	for _, e := range entries {
		row := adoptionRow{Entry: e, Statuses: make([]domain.AdoptionStatus, len(cols))}
		for _, a := range e.Adoptions {
			row.Statuses[slices.Index(cols, a.JurisdictionID)] = a.Status
		}
		d.Rows = append(d.Rows, row)
	}
	v := h.newView(r, c.Name, "catalogs")
	v.Data = d
	h.render(w, r, http.StatusOK, "catalog", v)
}
