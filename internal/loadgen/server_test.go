package loadgen

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/store/storetest"
	"github.com/liandong/liandong/internal/web"
)

// Against a real server: the load signs in as a browser does and loads a
// page with the session, and the server's CPU per request is read from its
// metrics with an administrator's token, the page costing more than the
// bare endpoint. A token that may not read the metrics leaves the column
// empty rather than wrong.
func TestLoadsPagesAndMeasuresTheServersCPU(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery"
	admin := &domain.User{Email: "load@example.gov.cn", Name: "压测", Locale: "zh-CN", Password: password, Grants: []domain.Grant{{Role: domain.Admin}}}
	viewer := &domain.User{Email: "viewer@example.gov.cn", Name: "访客", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Viewer}}}
	for _, u := range []*domain.User{admin, viewer} {
		if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := server.New(server.Config{Addr: "127.0.0.1:0", Web: web.Must(web.New(s, log))}, s, api.New(s, log), log)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	if _, err := SignIn(ctx, ts.URL, admin.Email, "wrong password!"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a wrong password: %v, want the sign-in refused", err)
	}
	session, err := SignIn(ctx, ts.URL, admin.Email, password)
	if err != nil {
		t.Fatal(err)
	}
	targets := []Target{{Name: "bare", Path: "/api/v1/me"}, {Name: "page", Path: "/items", Page: true}}
	if _, err := Run(ctx, Config{BaseURL: ts.URL, Token: "t", Clients: 1, Duration: 50 * time.Millisecond}, targets); err == nil {
		t.Error("a page loaded without a session")
	}
	for _, c := range []struct {
		user     *domain.User
		measured bool
	}{{admin, true}, {viewer, false}} {
		token, _, err := s.CreateToken(ctx, domain.Actor{}, c.user.ID, "load")
		if err != nil {
			t.Fatal(err)
		}
		rs, err := Run(ctx, Config{BaseURL: ts.URL, Token: token, Session: session, Clients: 2, Duration: 400 * time.Millisecond}, targets)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Requests == 0 || r.Errors != 0 {
				t.Fatalf("%s: %d served, %d errors", r.Target.Name, r.Requests, r.Errors)
			}
		}
		switch {
		case !c.measured && (rs[0].CPU != 0 || rs[1].CPU != 0):
			t.Errorf("a viewer's token measured the CPU: %v, %v", rs[0].CPU, rs[1].CPU)
		case c.measured && (rs[0].CPU <= 0 || rs[1].CPU <= rs[0].CPU):
			t.Errorf("CPU a request: bare %v, page %v; want both measured and the page dearer", rs[0].CPU, rs[1].CPU)
		}
		var out strings.Builder
		Report(&out, Config{BaseURL: ts.URL, Clients: 2, Duration: 400 * time.Millisecond}, rs)
		if got := strings.Contains(out.String(), " ms |"); got != c.measured {
			t.Errorf("the report shows a CPU figure: %v, want %v:\n%s", got, c.measured, out.String())
		}
	}
}
