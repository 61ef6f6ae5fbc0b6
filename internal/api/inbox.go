package api

import (
	"net/http"

	"github.com/liandong/liandong/internal/inbox"
)

// myInbox answers GET /me/inbox: everything due from the token's user and
// the units they act for, grouped by kind — the entries the inbox page
// lists, from the same inbox.For.
func (a *API) myInbox(w http.ResponseWriter, r *http.Request) {
	in, err := inbox.For(r.Context(), a.store, currentUser(r), a.store.Now())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}
