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
		[]Target{{"bare", "/fast"}, {"slow", "/slow"}})
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
