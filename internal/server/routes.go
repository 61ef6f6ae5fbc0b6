package server

import "net/http"

// routes lists every URL the server answers, in one place, so that a
// newcomer finds a route by reading one function.
//
// The API is mounted on the prefix without stripping it: the API's own mux
// registers full paths (GET /api/v1/items/{id}) and, because ServeMux
// records the pattern it matched on the very request it was handed, the
// metrics see the API's pattern rather than "/api/v1/" (see observe).
func (srv *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", srv.healthz)
	mux.HandleFunc("GET /readyz", srv.readyz)
	if srv.cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", srv.adminOnly(srv.metrics.handler()))
	}
	mux.Handle("/api/v1/", srv.api)
	if srv.cfg.Web != nil {
		// The web application takes every path the routes above leave.
		mux.Handle("/", srv.cfg.Web)
	} else {
		mux.HandleFunc("GET /{$}", index)
	}
	return mux
}

// index tells a visitor where things are when the server runs without the
// web application (tests of the API and operational endpoints).
func index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("Liandong 联动\n\nJSON API: /api/v1 (send Authorization: Bearer TOKEN)\nOpenAPI document: /api/v1/openapi.json\nHealth: /healthz, readiness: /readyz, metrics: /metrics\n"))
}
