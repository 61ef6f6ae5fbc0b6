package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
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

// keptViews are a user's views and the stamps they were read at: the
// views', the references' and the user's version.
type keptViews struct {
	at viewsStamps
	v  store.Views
}

type viewsStamps struct{ views, refs, userVersion int64 }

// maxKeptViews bounds the users whose views are kept; past it the list
// starts again.
const maxKeptViews = 10000

// userViews returns the saved and shared views the item list offers the
// visitor, kept per user until a view is saved or deleted anywhere (the
// views stamp), a reference changes (a mechanism archived leaves the
// team, a unit joins one) or the user does (grants make the team). On a
// POST, which may have written, they are read again.
func (h *Handler) userViews(r *http.Request) (store.Views, error) {
	st := state(r)
	if st.stamps == nil {
		return h.store.ViewsFor(r.Context(), st.user)
	}
	at := viewsStamps{views: st.stamps.ViewsStamp, refs: st.stamps.ReferencesStamp, userVersion: st.user.Version}
	h.viewsMu.Lock()
	kept, ok := h.views[st.user.ID]
	h.viewsMu.Unlock()
	if ok && kept.at == at {
		return kept.v, nil
	}
	v, err := h.store.ViewsFor(r.Context(), st.user)
	if err != nil {
		return v, err
	}
	h.viewsMu.Lock()
	if h.views == nil || len(h.views) >= maxKeptViews {
		h.views = map[int64]keptViews{}
	}
	h.views[st.user.ID] = keptViews{at: at, v: v}
	h.viewsMu.Unlock()
	return v, nil
}
