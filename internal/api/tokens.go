package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// NewToken is the answer to creating a token: the only time its secret is shown.
type NewToken struct {
	Token  domain.Token `json:"token"`
	Secret string       `json:"secret"`
}

// TokenRequest names a new token and, optionally, when it expires (by
// default 90 days after it is made, at most 366).
type TokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// TokenList is a user's tokens without their secrets.
type TokenList struct {
	Items []domain.Token `json:"items"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, currentUser(r))
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := a.store.Tokens(r.Context(), currentUser(r).ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, TokenList{Items: toks})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var req TokenRequest
	if err := decodeStrict(b, &req); err != nil {
		a.writeError(w, r, err)
		return
	}
	var until time.Time
	if req.ExpiresAt != nil {
		until = *req.ExpiresAt
	}
	secret, tok, err := a.store.CreateTokenUntil(r.Context(), actor(r), currentUser(r).ID, req.Name, until)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, NewToken{Token: tok, Secret: secret})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.writeError(w, r, domain.Errorf(domain.NotFound, "token %q not found", r.PathValue("id")))
		return
	}
	if err := a.store.RevokeToken(r.Context(), actor(r), currentUser(r).ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
