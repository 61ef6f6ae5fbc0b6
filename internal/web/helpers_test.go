package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// testNow is the web clock in tests: November 2024, the demo data's time.
var testNow = time.Date(2024, 11, 26, 3, 0, 0, 0, time.UTC)

const testPassword = "correct horse battery"

// site is a running Liandong over a migrated SQLite database with the demo
// dataset and one signed-up user.
type site struct {
	URL   string
	Store *store.Store
	User  *domain.User
	Web   *Handler
}

// mustStartSite serves the real server handler (API, health, web) on
// 127.0.0.1 with the demo data loaded.
func mustStartSite(t *testing.T) *site {
	t.Helper()
	return mustStartSiteOn(t, storetest.MustOpenSQLite(t))
}

// forEachDB runs fn on a site over SQLite and, when
// LIANDONG_TEST_POSTGRES_URL is set, over PostgreSQL too.
func forEachDB(t *testing.T, fn func(t *testing.T, st *site)) {
	dbs := map[string]func(*testing.T) *store.Store{"sqlite": func(t *testing.T) *store.Store { return storetest.MustOpenSQLite(t) }}
	if os.Getenv("LIANDONG_TEST_POSTGRES_URL") != "" {
		dbs["postgres"] = func(t *testing.T) *store.Store { return storetest.MustOpenPostgres(t) }
	}
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) { fn(t, mustStartSiteOn(t, open(t))) })
	}
}

// mustStartSiteOn is mustStartSite over a given migrated store.
func mustStartSiteOn(t *testing.T, s *store.Store) *site {
	t.Helper()
	// The test clock of storetest is not safe for the concurrent requests
	// a browser makes; guard it.
	var mu sync.Mutex
	clock := storetest.Start
	s.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	u := &domain.User{Email: "newcomer@example.gov.cn", Name: "新同事", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Admin}}}
	if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	h, err := New(s, log)
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return testNow }
	srv := server.New(server.Config{Addr: "127.0.0.1:0", Web: h}, s, api.New(s, log), log)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &site{URL: ts.URL, Store: s, User: u, Web: h}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// client is a browser-like HTTP client: it keeps cookies and does not
// follow redirects, so tests see them.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func (st *site) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: st.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	res, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	res, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the token the page's forms carry.
func (c *client) csrf(body string) string {
	c.t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

// signIn signs in as the site's user.
func (c *client) signIn(email, password string) *http.Response {
	c.t.Helper()
	_, body := c.get("/signin")
	res, _ := c.post("/signin", url.Values{"csrf": {c.csrf(body)}, "email": {email}, "password": {password}, "next": {"/"}})
	return res
}
