package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/liandong/liandong/internal/store/storetest"
)

// TestHSTSOverTLS: an answer given over TLS, or through a proxy that
// terminated TLS, tells the browser to use nothing else; plain HTTP (the
// demo on 127.0.0.1) is left alone.
func TestHSTSOverTLS(t *testing.T) {
	srv := newServer(t, storetest.MustOpenSQLite(t), io.Discard)
	for _, path := range []string{"/healthz", "/api/v1/items/1", "/"} {
		tls := httptest.NewTLSServer(srv.Handler())
		res, err := tls.Client().Get(tls.URL + path)
		tls.Close()
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Errorf("GET %s over TLS: Strict-Transport-Security %q, want max-age=31536000", path, got)
		}
	}
	rr := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if got := rr.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP: Strict-Transport-Security %q, want none", got)
	}
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	rr = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rr, req)
	if got := rr.Header().Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("behind a TLS proxy: Strict-Transport-Security %q, want max-age=31536000", got)
	}
}
