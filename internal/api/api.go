// Package api serves the JSON API under /api/v1.
package api

import (
	"log/slog"
	"net/http"

	"github.com/liandong/liandong/internal/store"
)

// API is the JSON API's handler.
type API struct {
	store *store.Store
	log   *slog.Logger
	mux   *http.ServeMux
}

// New returns the API over s.
func New(s *store.Store, log *slog.Logger) *API {
	a := &API{store: s, log: log, mux: http.NewServeMux()}
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }
