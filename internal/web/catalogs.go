package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// catalogListRow is a list with whether the user may add its entries,
// which an empty list then offers.
type catalogListRow struct {
	*domain.Catalog
	CanWrite bool
}

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
	var rows []catalogListRow
	for _, c := range list {
		rows = append(rows, catalogListRow{Catalog: c, CanWrite: h.store.CatalogEntries.Allowed(r.Context(), actor(r), policy.Write, &domain.CatalogEntry{CatalogID: c.ID}) == nil})
	}
	v := h.newView(r, t.T("catalogs.title"), "catalogs")
	v.Data = rows
	h.render(w, r, http.StatusOK, "catalogs", v)
}

type adoptionRow struct {
	Entry    *domain.CatalogEntry
	Statuses []domain.AdoptionStatus // per column; "" where none is recorded
}

type catalogPageData struct {
	Catalog  *domain.Catalog
	Columns  []string
	Rows     []adoptionRow
	CanWrite bool                   // the user may add and change entries (the store's policy)
	Archived []*domain.CatalogEntry // for those who may restore them
	Add      entryForm
	Modes    []domain.ServiceMode
}

// catalogShow answers GET /catalogs/{id}: the entries, and for each the
// adoption in every jurisdiction that records one.
func (h *Handler) catalogShow(w http.ResponseWriter, r *http.Request) {
	c, ok := h.catalogOfPath(w, r)
	if !ok {
		return
	}
	h.renderCatalog(w, r, http.StatusOK, c, entryForm{}, formRefusal{})
}

// renderCatalog shows the catalog's page with the add-an-entry form
// holding add and refused's reasons.
func (h *Handler) renderCatalog(w http.ResponseWriter, r *http.Request, status int, c *domain.Catalog, add entryForm, refused formRefusal) {
	t := h.tr(state(r).locale)
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
	d := catalogPageData{Catalog: c, Add: add, Modes: domain.ServiceModes,
		CanWrite: h.store.CatalogEntries.Allowed(r.Context(), actor(r), policy.Write, &domain.CatalogEntry{CatalogID: c.ID}) == nil}
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
	if d.CanWrite {
		// Archived entries, whose pages restore them (one page of them).
		all, err := h.store.CatalogEntries.List(r.Context(), domain.ListQuery{Filters: map[string]string{"catalog": strconv.FormatInt(c.ID, 10)},
			Archived: true, Limit: domain.MaxPageSize, Viewer: currentUser(r)})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, e := range all.Items {
			if e.ArchivedAt != nil {
				d.Archived = append(d.Archived, e)
			}
		}
	}
	v := h.newView(r, c.Name, "catalogs")
	refused.apply(v)
	if status == http.StatusOK {
		v.Message = messageOfDone(t, r.URL.Query().Get("done"))
	}
	v.Data = d
	h.render(w, r, status, "catalog", v)
}

// catalogOfPath reads the catalog of the path as the user may read it.
func (h *Handler) catalogOfPath(w http.ResponseWriter, r *http.Request) (*domain.Catalog, bool) {
	if err := policy.Check(currentUser(r), policy.Read, "catalogs"); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var c *domain.Catalog
		if c, err = h.store.Catalogs.GetAs(r.Context(), actor(r), id); err == nil {
			return c, true
		}
	}
	h.fail(w, r, err)
	return nil, false
}

// entryForm is a catalog entry's form as typed.
type entryForm struct {
	Number     string
	Name       string
	Department string
	Mode       domain.ServiceMode
	Adoptions  []adoptionForm
}

// adoptionForm is one jurisdiction's adoption of an entry as typed; an
// empty status removes it.
type adoptionForm struct {
	Jurisdiction int64
	Status       domain.AdoptionStatus
	Since        string
}

func readEntryForm(r *http.Request) entryForm {
	return entryForm{Number: strings.TrimSpace(r.PostFormValue("number")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Department: strings.TrimSpace(r.PostFormValue("department")), Mode: domain.ServiceMode(r.PostFormValue("service_mode"))}
}

// catalogEntryCreate answers POST /catalogs/{id}/entries: a new entry of
// the list, with its adoptions added on the entry's page.
func (h *Handler) catalogEntryCreate(w http.ResponseWriter, r *http.Request) {
	c, ok := h.catalogOfPath(w, r)
	if !ok {
		return
	}
	f := readEntryForm(r)
	e := &domain.CatalogEntry{CatalogID: c.ID, Number: f.Number, Name: f.Name, Department: f.Department, ServiceMode: f.Mode,
		Adoptions: []domain.Adoption{}, Record: domain.Record{Source: "web"}}
	err := h.store.CatalogEntries.Create(r.Context(), actor(r), e)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/catalogs/%d?done=added#entry-%d", c.ID, e.ID), http.StatusSeeOther)
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderCatalog(w, r, refused.Status, c, f, refused)
	}
}

type entryPageData struct {
	Catalog       *domain.Catalog
	Entry         *domain.CatalogEntry
	Form          entryForm
	Modes         []domain.ServiceMode
	Statuses      []domain.AdoptionStatus
	Jurisdictions []jurisdictionRow
	Names         map[int64]string // jurisdictions by id, in the visitor's language
	CanWrite      bool
}

// entryOfPath reads the catalog and the entry of the path, the entry
// archived or not, as the user may read them.
func (h *Handler) entryOfPath(w http.ResponseWriter, r *http.Request) (*domain.Catalog, *domain.CatalogEntry, bool) {
	c, ok := h.catalogOfPath(w, r)
	if !ok {
		return nil, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("entry"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return nil, nil, false
	}
	e, err := h.store.CatalogEntries.GetAs(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	if e.CatalogID != c.ID {
		h.notFound(w, r)
		return nil, nil, false
	}
	return c, e, true
}

func entryFormOf(e *domain.CatalogEntry) entryForm {
	f := entryForm{Number: e.Number, Name: e.Name, Department: e.Department, Mode: e.ServiceMode}
	for _, a := range e.Adoptions {
		af := adoptionForm{Jurisdiction: a.JurisdictionID, Status: a.Status}
		if !a.Since.IsZero() {
			af.Since = a.Since.String()
		}
		f.Adoptions = append(f.Adoptions, af)
	}
	return f
}

// catalogEntryShow answers GET /catalogs/{id}/entries/{entry}: the entry,
// its adoption by jurisdiction, and for whoever may change it the form
// that edits both and the archive button.
func (h *Handler) catalogEntryShow(w http.ResponseWriter, r *http.Request) {
	c, e, ok := h.entryOfPath(w, r)
	if !ok {
		return
	}
	h.renderEntry(w, r, http.StatusOK, c, e, entryFormOf(e), formRefusal{})
}

func (h *Handler) renderEntry(w http.ResponseWriter, r *http.Request, status int, c *domain.Catalog, e *domain.CatalogEntry, f entryForm, refused formRefusal) {
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// One blank row adds a jurisdiction's adoption.
	f.Adoptions = append(f.Adoptions, adoptionForm{})
	d := entryPageData{Catalog: c, Entry: e, Form: f, Modes: domain.ServiceModes, Statuses: []domain.AdoptionStatus{domain.Planned, domain.Adopted, domain.Declined},
		Jurisdictions: h.jurisdictionRows(rf), CanWrite: h.store.CatalogEntries.Allowed(r.Context(), actor(r), policy.Write, e) == nil}
	d.Names = map[int64]string{}
	for id, j := range rf.jurisdictions {
		d.Names[id] = t.Name(j.Name, j.NameEN)
	}
	v := h.newView(r, e.Name, "catalogs")
	refused.apply(v)
	if status == http.StatusOK {
		v.Message = messageOfDone(t, r.URL.Query().Get("done"))
	}
	v.Data = d
	h.render(w, r, status, "catalog_entry", v)
}

// catalogEntrySave answers POST /catalogs/{id}/entries/{entry}: the
// entry's fields and its adoptions (jurisdiction, status, since), written
// at the version the form was opened with; action=archive or
// action=restore archives or restores it instead.
func (h *Handler) catalogEntrySave(w http.ResponseWriter, r *http.Request) {
	c, e, ok := h.entryOfPath(w, r)
	if !ok {
		return
	}
	if a := r.PostFormValue("action"); a == "archive" || a == "restore" {
		h.catalogEntryArchive(w, r, c, e, a == "archive")
		return
	}
	f := readEntryForm(r)
	want := *e
	want.Version = formID(r, "version")
	want.Number, want.Name, want.Department, want.ServiceMode = f.Number, f.Name, f.Department, f.Mode
	want.Adoptions = []domain.Adoption{}
	var p domain.Problems
	juris, statuses, since := r.PostForm["adopt_jurisdiction"], r.PostForm["adopt_status"], r.PostForm["adopt_since"]
	for i := range juris {
		af := adoptionForm{}
		af.Jurisdiction, _ = strconv.ParseInt(juris[i], 10, 64)
		if i < len(statuses) {
			af.Status = domain.AdoptionStatus(statuses[i])
		}
		if i < len(since) {
			af.Since = strings.TrimSpace(since[i])
		}
		if af.Jurisdiction == 0 && af.Status == "" {
			continue // the blank row
		}
		f.Adoptions = append(f.Adoptions, af)
		if af.Status == "" {
			continue // removed
		}
		a := domain.Adoption{JurisdictionID: af.Jurisdiction, Status: af.Status}
		if af.Since != "" {
			d, err := domain.ParseDate(af.Since)
			if err != nil {
				p.Add(fmt.Sprintf("adoptions[%d].since", len(want.Adoptions)), "must be a date of the form YYYY-MM-DD")
			}
			a.Since = d
		}
		want.Adoptions = append(want.Adoptions, a)
	}
	err := p.Err()
	if err == nil {
		err = h.store.CatalogEntries.Update(r.Context(), actor(r), &want)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/catalogs/%d/entries/%d?done=saved", c.ID, e.ID), http.StatusSeeOther)
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderEntry(w, r, refused.Status, c, e, f, refused)
	}
}

// catalogEntryArchive archives the entry: it leaves the list (and its
// count) but stays readable; restoring brings it back.
func (h *Handler) catalogEntryArchive(w http.ResponseWriter, r *http.Request, c *domain.Catalog, e *domain.CatalogEntry, archived bool) {
	archive, done := h.store.CatalogEntries.Archive, "archived"
	if !archived {
		archive, done = h.store.CatalogEntries.Restore, "restored"
	}
	_, err := archive(r.Context(), actor(r), e.ID, formID(r, "version"))
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/catalogs/%d/entries/%d?done=%s", c.ID, e.ID, done), http.StatusSeeOther)
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderEntry(w, r, refused.Status, c, e, entryFormOf(e), refused)
	}
}
