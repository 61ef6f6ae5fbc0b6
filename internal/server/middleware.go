package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// observe logs and measures every request. It reads the route label from
// r.Pattern after the handler returns: ServeMux writes the pattern it
// matched into the request it was given, and the outer mux hands the API
// that same request, so when the API's mux routes it the label becomes the
// API's own pattern ("GET /api/v1/items/{id}"). Should the API route a
// derived request instead (r.WithContext before its mux), the label stays
// the mount pattern "/api/v1/": coarser, still bounded, never wrong.
func (srv *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		status := rec.statusOrOK()

		srv.metrics.observe(routeLabel(r.Pattern), methodLabel(r.Method), status, elapsed)
		// Only these fields: headers (Authorization, cookies), query
		// strings and bodies may carry secrets or personal data.
		srv.log.LogAttrs(r.Context(), levelFor(r.Pattern, status), "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", elapsed),
			slog.Int64("bytes", rec.bytes),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// hsts tells a browser that reached us over TLS to use nothing else for a
// year (Strict-Transport-Security), so a later plain-HTTP link or a
// network that strips TLS cannot bring it back to cleartext. It counts a
// proxy's X-Forwarded-Proto: a forged one only adds a header browsers
// ignore on plain HTTP. Subdomains are not included: they may be other
// offices' sites.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panicking handler into a 500, logging the stack for
// us and showing the client nothing of it. http.ErrAbortHandler is the
// standard way to abort a response and is passed on untouched.
func (srv *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			srv.log.Error("handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*responseRecorder); ok && rec.status != 0 {
				// The status line is gone already; all we can do is stop.
				return
			}
			writeText(w, http.StatusInternalServerError, "internal error")
		}()
		next.ServeHTTP(w, r)
	})
}

// levelFor logs server faults as errors so that they stand out, and the
// successful answers to probes (load balancers, Prometheus) at debug level
// so that their steady beat does not drown the requests of people.
func levelFor(pattern string, status int) slog.Level {
	switch {
	case status >= http.StatusInternalServerError:
		return slog.LevelError
	case probeRoutes[pattern] && status < http.StatusBadRequest:
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// probeRoutes are the routes machines poll every few seconds.
var probeRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// responseRecorder remembers the status and the size of a response.
// Unwrap lets http.ResponseController reach the connection's Flush and
// deadlines through it.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *responseRecorder) WriteHeader(status int) {
	// 1xx responses are informational; the final status comes later.
	if rec.status == 0 && status >= 200 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *responseRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Flush passes flushes through for handlers that test for http.Flusher
// directly instead of using http.ResponseController.
func (rec *responseRecorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	http.NewResponseController(rec.ResponseWriter).Flush()
}

func (rec *responseRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusOrOK is the status the client saw: a handler that writes nothing
// gets an implicit 200.
func (rec *responseRecorder) statusOrOK() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}
