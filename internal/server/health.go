package server

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// readinessTimeout bounds the database checks so that a hung database makes
// /readyz answer 503 before the load balancer's probe gives up on its own.
const readinessTimeout = 2 * time.Second

// healthz answers 200 as long as the process serves HTTP at all; it touches
// nothing else, so a slow database never gets a live process restarted.
func (srv *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// readyz answers 200 only when the database answers and the schema is
// current, so that a load balancer sends no traffic to an instance that
// would fail every request. The reason for a 503 is kept vague for the
// client; the detail goes to the log.
func (srv *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readinessTimeout)
	defer cancel()
	if err := srv.store.Ping(ctx); err != nil {
		srv.log.Warn("not ready: database unreachable", "err", err)
		writeText(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	pending, err := srv.store.Pending(ctx)
	if err != nil {
		srv.log.Warn("not ready: cannot read migrations", "err", err)
		writeText(w, http.StatusServiceUnavailable, "cannot read the schema version")
		return
	}
	if pending > 0 {
		writeText(w, http.StatusServiceUnavailable, fmt.Sprintf("%d migrations pending: run liandong migrate", pending))
		return
	}
	writeText(w, http.StatusOK, "ok")
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, text)
}
