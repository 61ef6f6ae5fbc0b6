package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the server's Prometheus collectors in a private registry:
// the global one would mix in whatever any imported package registers and
// would make two servers in one test process collide.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liandong_http_requests_total",
			Help: "HTTP requests answered, by matched route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "liandong_http_request_duration_seconds",
			Help:    "Time from receiving a request to finishing its response, by matched route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	m.registry.MustRegister(
		m.requests,
		m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// observe records one answered request.
func (m *metrics) observe(route, method string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// unmatchedRoute labels requests no pattern matched (404s, 405s), so that
// scanners probing random paths cannot create a series per path.
const unmatchedRoute = "unmatched"

// routeLabel turns the pattern ServeMux matched into a bounded label.
func routeLabel(pattern string) string {
	if pattern == "" {
		return unmatchedRoute
	}
	return pattern
}

// methodLabel keeps the method label to the methods HTTP defines, for the
// same reason: a client can send any token as a method.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// adminOnly lets through only a request with an administrator's API token:
// the metrics name every route and how the process fares, which is for the
// operator, not for whoever can reach the port. A separate metrics address
// (Config.MetricsAddr) is the other way to keep them private.
func (srv *Server) adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="liandong"`)
			http.Error(w, "send Authorization: Bearer TOKEN, an administrator's API token", http.StatusUnauthorized)
			return
		}
		u, err := srv.store.Authenticate(r.Context(), token)
		switch {
		case domain.ErrorCode(err) == domain.Unauthorized:
			w.Header().Set("WWW-Authenticate", `Bearer realm="liandong"`)
			http.Error(w, "the token is not valid", http.StatusUnauthorized)
		case err != nil:
			srv.log.ErrorContext(r.Context(), "metrics: authenticate", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		case !u.IsAdmin() || u.Disabled:
			http.Error(w, "only an administrator reads the metrics", http.StatusForbidden)
		default:
			next.ServeHTTP(w, r)
		}
	})
}
