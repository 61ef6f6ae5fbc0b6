package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestTokenCarriesExpiry: a token made through the API says when it
// expires, 90 days ahead unless asked otherwise; an expiry in the past or
// too far ahead is refused naming the field.
func TestTokenCarriesExpiry(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		res := c.do(t, "POST", "/api/v1/me/tokens", map[string]any{"name": "default"})
		wantStatus(t, res, 201)
		tok := res.json(t)["token"].(map[string]any)
		expires, err := time.Parse(time.RFC3339Nano, tok["expires_at"].(string))
		if err != nil {
			t.Fatalf("expires_at %v: %v", tok["expires_at"], err)
		}
		if d := expires.Sub(storetest.Start); d < store.TokenLifetime-time.Hour || d > store.TokenLifetime+time.Hour {
			t.Errorf("a default token expires %v after the clock's start, want %v", d, store.TokenLifetime)
		}
		res = c.do(t, "POST", "/api/v1/me/tokens", map[string]any{"name": "week", "expires_at": storetest.Start.Add(7 * 24 * time.Hour).Format(time.RFC3339)})
		wantStatus(t, res, 201)
		if got := res.json(t)["token"].(map[string]any)["expires_at"]; got != "2024-12-02T02:00:00Z" {
			t.Errorf("a week's token expires_at %v", got)
		}
		wantProblem(t, c.do(t, "POST", "/api/v1/me/tokens", map[string]any{"expires_at": "2020-01-01T00:00:00Z"}), "expires_at", 422)
		wantProblem(t, c.do(t, "POST", "/api/v1/me/tokens", map[string]any{"expires_at": "2030-01-01T00:00:00Z"}), "expires_at", 422)
	})
}

// TestHTMLPacksCarryCSP: the API's HTML papers are pages a browser opens;
// they carry the policy the web's pack carries, which allows their one
// style by hash and nothing else.
func TestHTMLPacksCarryCSP(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	c := newClient(t, s)
	f := newFixture(t, s)
	for _, path := range []string{fmt.Sprintf("/api/v1/meetings/%d/pack.html", f.meeting.ID), fmt.Sprintf("/api/v1/batches/%d/annual-report.html?year=2024", f.batch.ID)} {
		res := c.do(t, "GET", path, nil)
		wantStatus(t, res, 200)
		if got := res.header.Get("Content-Security-Policy"); got != pack.ContentSecurityPolicy() {
			t.Errorf("%s: Content-Security-Policy %q, want %q", path, got, pack.ContentSecurityPolicy())
		}
	}
}
