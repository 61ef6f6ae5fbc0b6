package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRefusesAnythingButThisMachine(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "https://127.0.0.1:8080", "http://192.168.1.2"} {
		if err := (Config{BaseURL: u, Clients: 1, Duration: time.Second}).Check(); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if err := (Config{BaseURL: "http://127.0.0.1:8080", Clients: 1, Duration: 2 * time.Minute}).Check(); err == nil {
		t.Error("an unbounded duration accepted")
	}
}

func TestMeasuresAgainstTheBaseline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/slow") {
			time.Sleep(2 * time.Millisecond)
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	rs, err := Run(context.Background(), Config{BaseURL: srv.URL, Token: "tok", Clients: 2, Duration: 300 * time.Millisecond},
		[]Target{{Name: "bare", Path: "/fast"}, {Name: "slow", Path: "/slow"}})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Requests == 0 || rs[1].Requests == 0 || rs[0].Errors+rs[1].Errors != 0 {
		t.Fatalf("results %+v", rs)
	}
	if rs[1].P50 < 2*time.Millisecond || rs[1].OfBaseline >= 1 || rs[0].OfBaseline != 1 {
		t.Fatalf("the slow endpoint should be slower than the baseline: %+v", rs)
	}
}

// A 4xx is answered quickly and serves nobody: counted as a success it made
// a run with a wrong token look like a fast server.
func TestCountsOnlySuccessesAsServed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/refused":
			w.WriteHeader(http.StatusForbidden)
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		default:
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	rs, err := Run(context.Background(), Config{BaseURL: srv.URL, Token: "tok", Clients: 2, Duration: 200 * time.Millisecond},
		[]Target{{Name: "bare", Path: "/ok"}, {Name: "refused", Path: "/refused"}, {Name: "missing", Path: "/missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Requests == 0 || rs[0].Errors != 0 {
		t.Errorf("the 2xx endpoint: %+v", rs[0])
	}
	for _, r := range rs[1:] {
		if r.Requests != 0 || r.PerSecond != 0 {
			t.Errorf("%s: %d answers counted as served, want 0", r.Target.Name, r.Requests)
		}
		if r.Errors == 0 || r.Refused != r.Errors {
			t.Errorf("%s: errors %d, of which 4xx %d; want every answer a 4xx error", r.Target.Name, r.Errors, r.Refused)
		}
	}
	var out strings.Builder
	Report(&out, Config{BaseURL: srv.URL, Clients: 2, Duration: 200 * time.Millisecond}, rs)
	if !strings.Contains(out.String(), "| refused | 0 | ") {
		t.Errorf("the report does not show the refused endpoint with no successes:\n%s", out.String())
	}
}
