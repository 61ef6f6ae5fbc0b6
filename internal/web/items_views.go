package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/liandong/liandong/internal/domain"
)

// itemViewSave answers POST /items/views: save the list's current filters
// under a name. A refused name shows the list again with the message.
func (h *Handler) itemViewSave(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	u := currentUser(r)
	// Keep only the list's own filters: a saved view is a query string
	// that is put back into a link, so nothing else may ride along.
	in, _ := url.ParseQuery(r.PostFormValue("query"))
	q := url.Values{}
	for _, n := range append(slices.Clone(itemFilterNames), "sort") {
		if v := in.Get(n); v != "" {
			q.Set(n, v)
		}
	}
	name := r.PostFormValue("name")
	_, err := h.store.CreateSavedView(r.Context(), u, name, q.Encode(), formID(r, "share"))
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/items?"+q.Encode(), http.StatusSeeOther)
	case domain.Invalid:
		list := r.Clone(r.Context())
		list.Method, list.URL = http.MethodGet, &url.URL{Path: "/items", RawQuery: q.Encode()}
		v := h.newView(list, t.T("items.title"), "items")
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		h.itemListPage(w, list, http.StatusUnprocessableEntity, v, name)
	default:
		h.fail(w, r, err)
	}
}

// itemViewDelete answers POST /items/views/{id}/delete.
func (h *Handler) itemViewDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.store.DeleteSavedView(r.Context(), currentUser(r).ID, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
}
