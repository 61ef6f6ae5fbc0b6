package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// fakeAPI stands in for the JSON API: a mux with full /api/v1 patterns, as
// the real one registers them. GET /api/v1/slow reports on slowStarted when
// it begins, so a test can act while it is in flight.
func fakeAPI(slowStarted chan<- struct{}) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "item "+r.PathValue("id"))
	})
	mux.HandleFunc("GET /api/v1/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case slowStarted <- struct{}{}:
		default:
		}
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "done")
	})
	mux.HandleFunc("GET /api/v1/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("secret detail")
	})
	return mux
}

func newServer(t *testing.T, s *store.Store, logs io.Writer) *server.Server {
	t.Helper()
	return newServerWithAPI(t, s, logs, fakeAPI(nil))
}

func newServerWithAPI(t *testing.T, s *store.Store, logs io.Writer, api http.Handler) *server.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, nil))
	return server.New(server.Config{Addr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}, s, api, log)
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, path, nil))
	return rr.Code, rr.Body.String()
}

func TestHealthz(t *testing.T) {
	srv := newServer(t, storetest.MustOpenSQLite(t), io.Discard)
	code, body := get(t, srv.Handler(), "/healthz")
	if code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 \"ok\"", code, body)
	}
}

func TestReadyz(t *testing.T) {
	t.Run("MigratedStoreIsReady", func(t *testing.T) {
		srv := newServer(t, storetest.MustOpenSQLite(t), io.Discard)
		if code, body := get(t, srv.Handler(), "/readyz"); code != http.StatusOK {
			t.Errorf("GET /readyz = %d %q, want 200", code, body)
		}
	})
	t.Run("ClosedStoreIsNotReady", func(t *testing.T) {
		s := storetest.MustOpenSQLite(t)
		srv := newServer(t, s, io.Discard)
		s.Close()
		code, body := get(t, srv.Handler(), "/readyz")
		if code != http.StatusServiceUnavailable || strings.TrimSpace(body) == "" {
			t.Errorf("GET /readyz = %d %q, want 503 with a reason", code, body)
		}
	})
	t.Run("PendingMigrationsAreNotReady", func(t *testing.T) {
		s, err := store.Open(context.Background(), "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		srv := newServer(t, s, io.Discard)
		code, body := get(t, srv.Handler(), "/readyz")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "pending") {
			t.Errorf("GET /readyz = %d %q, want 503 naming pending migrations", code, body)
		}
	})
}

// adminToken creates an administrator and a viewer and returns an API
// token of each.
func adminToken(t *testing.T, s *store.Store) (admin, viewer string) {
	t.Helper()
	ctx := context.Background()
	for i, g := range []domain.Grant{{Role: domain.Admin}, {Role: domain.Viewer}} {
		u := &domain.User{Email: fmt.Sprintf("metrics%d@example.gov.cn", i), Name: "运维", Locale: "zh-CN", Grants: []domain.Grant{g}}
		if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		tok, _, err := s.CreateToken(ctx, domain.Actor{}, u.ID, "metrics")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			admin = tok
		} else {
			viewer = tok
		}
	}
	return admin, viewer
}

func getWith(t *testing.T, h http.Handler, path, token string) (int, string) {
	t.Helper()
	rr := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	h.ServeHTTP(rr, req)
	return rr.Code, rr.Body.String()
}

// TestMetricsNeedAnAdministratorsToken: on the main address /metrics
// answers only an administrator's API token; the request counts, the
// routes and the process are not for anyone who can reach the port.
func TestMetricsNeedAnAdministratorsToken(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s, io.Discard)
		admin, viewer := adminToken(t, s)
		for _, c := range []struct {
			who, token string
			want       int
		}{{"no token", "", http.StatusUnauthorized}, {"a wrong token", "not-a-token", http.StatusUnauthorized},
			{"a viewer's token", viewer, http.StatusForbidden}, {"an administrator's token", admin, http.StatusOK}} {
			code, body := getWith(t, srv.Handler(), "/metrics", c.token)
			if code != c.want {
				t.Errorf("GET /metrics with %s = %d, want %d", c.who, code, c.want)
			}
			if code != http.StatusOK && strings.Contains(body, "liandong_http_requests_total") {
				t.Errorf("a refused GET /metrics shows the metrics")
			}
		}
	})
}

// TestMetricsOnTheirOwnAddress: with a metrics address, /metrics is served
// there without a token (the address is the gate: a private interface) and
// not on the main address at all.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := storetest.MustOpenSQLite(t)
	srv := server.New(server.Config{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}, s, fakeAPI(nil), log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	admin, _ := adminToken(t, s)
	if code, _ := getWith(t, srv.Handler(), "/metrics", admin); code != http.StatusNotFound {
		t.Errorf("the main address serves /metrics (%d) though a metrics address is set", code)
	}
	get(t, srv.Handler(), "/healthz")
	res, err := http.Get("http://" + srv.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `route="GET /healthz"`) {
		t.Fatalf("GET /metrics on the metrics address = %d:\n%.300s", res.StatusCode, body)
	}
}

func TestMetrics(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	srv := newServer(t, s, io.Discard)
	admin, _ := adminToken(t, s)
	h := srv.Handler()
	get(t, h, "/healthz")
	get(t, h, "/api/v1/items/42")
	get(t, h, "/no/such/path")

	code, body := getWith(t, h, "/metrics", admin)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d, want 200", code)
	}
	for _, want := range []string{
		`liandong_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		// The API's own pattern, not the /api/v1/ mount, and not the path.
		`liandong_http_requests_total{code="200",method="GET",route="GET /api/v1/items/{id}"} 1`,
		`liandong_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`liandong_http_request_duration_seconds_count{method="GET",route="GET /healthz"} 1`,
		`go_goroutines`,
		`process_start_time_seconds`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "/api/v1/items/42") {
		t.Errorf("GET /metrics labels a raw path; routes must be patterns")
	}
}

func TestPanicBecomes500(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t, storetest.MustOpenSQLite(t), &logs)
	code, body := get(t, srv.Handler(), "/api/v1/panic")
	if code != http.StatusInternalServerError {
		t.Errorf("GET /api/v1/panic = %d, want 500", code)
	}
	if strings.Contains(body, "secret detail") || strings.Contains(body, "goroutine") {
		t.Errorf("500 body shows the panic: %q", body)
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("log lacks the panic and its stack:\n%s", logs.String())
	}
}

func TestRequestLogOmitsSecrets(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t, storetest.MustOpenSQLite(t), &logs)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/items/7?q=needle", nil)
	req.Header.Set("Authorization", "Bearer ld_topsecret")
	srv.Handler().ServeHTTP(httptest.NewRecorder(), req)

	line := logs.String()
	for _, want := range []string{"method=GET", "path=/api/v1/items/7", "status=200", "duration=", "bytes=6", "remote="} {
		if !strings.Contains(line, want) {
			t.Errorf("request log lacks %s:\n%s", want, line)
		}
	}
	for _, secret := range []string{"ld_topsecret", "needle"} {
		if strings.Contains(line, secret) {
			t.Errorf("request log shows %q:\n%s", secret, line)
		}
	}
}

func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	slowStarted := make(chan struct{}, 1)
	srv := newServerWithAPI(t, storetest.MustOpenSQLite(t), io.Discard, fakeAPI(slowStarted))
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Run(ctx) }()

	type result struct {
		code int
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + srv.Addr() + "/api/v1/slow")
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- result{resp.StatusCode, string(b), err}
	}()

	// Ask the server to stop while the handler still sleeps.
	select {
	case <-slowStarted:
	case got := <-answered:
		t.Fatalf("request failed before reaching the handler: %v", got.err)
	case <-time.After(5 * time.Second):
		t.Fatal("request never reached the handler")
	}
	cancel()

	select {
	case got := <-answered:
		if got.err != nil || got.code != http.StatusOK || got.body != "done" {
			t.Errorf("request in flight got %d %q, %v; want 200 \"done\"", got.code, got.body, got.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request in flight never answered")
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if _, err := http.Get("http://" + srv.Addr() + "/healthz"); err == nil {
		t.Errorf("server still accepts connections after shutdown")
	}
}
