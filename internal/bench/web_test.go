package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/metrics"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/web"
)

// signedInRequest returns a GET for path carrying a fresh administrator's
// session, as a browser would send it.
func signedInRequest(b *testing.B, path string) func() *http.Request {
	s := dataset(b)
	ctx := context.Background()
	u := &domain.User{Email: fmt.Sprintf("bench-web-%d@example.gov.cn", time.Now().UnixNano()), Name: "压测", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
	if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
		b.Fatal(err)
	}
	secret, _, err := s.CreateSession(ctx, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	return func() *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(&http.Cookie{Name: "ld_session", Value: secret})
		return r
	}
}

// BenchmarkDashboard renders the dashboard of benchMechanism through the
// web handler, as a signed-in administrator sees it, on a day of March 2020:
// the generator's reports run from January to May 2020, so the current
// period holds a report from every lead unit, as it would mid-cycle.
func BenchmarkDashboard(b *testing.B) {
	s := dataset(b)
	h := web.Must(web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil))))
	h.SetClock(func() time.Time { return time.Date(2020, 3, 20, 9, 0, 0, 0, time.UTC) })
	req := signedInRequest(b, "/mechanisms/"+benchMechanism())
	timed(b, func(int) error {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req())
		if rec.Code != http.StatusOK {
			return fmt.Errorf("dashboard answered %d", rec.Code)
		}
		return nil
	})
}

// BenchmarkMeetingPack builds the pack of a meeting of benchMechanism (two
// are made on first use) and renders it as HTML.
func BenchmarkMeetingPack(b *testing.B) {
	s := dataset(b)
	ctx := context.Background()
	mech := benchMechanism()
	mechID, _ := strconv.ParseInt(mech, 10, 64)
	page, err := s.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": mech}})
	if err != nil {
		b.Fatal(err)
	}
	var id int64
	if len(page.Items) > 0 {
		id = page.Items[0].ID
	} else {
		for i, day := range []string{"2024-06-30", "2024-12-31"} {
			m := &domain.Meeting{MechanismID: mechID, Number: i + 1, Title: fmt.Sprintf("压测会议%d", i+1), HeldOn: domain.MustDate(day), HeldOnPrecision: domain.DayPrecision}
			if err := s.Meetings.Create(ctx, domain.Actor{}, m); err != nil {
				b.Fatal(err)
			}
			id = m.ID
		}
	}
	timed(b, func(int) error {
		p, err := pack.Build(ctx, s, id)
		if err != nil {
			return err
		}
		_, err = p.Doc().Bytes(pack.HTML)
		return err
	})
}

// benchMechanism is the mechanism whose dashboard and pack are measured:
// LIANDONG_BENCH_MECHANISM, else 2, a mechanism of the generated size
// (mechanism 1 also holds the ledger benchmark's 10,000 items).
func benchMechanism() string {
	if v := os.Getenv("LIANDONG_BENCH_MECHANISM"); v != "" {
		return v
	}
	return "2"
}

// BenchmarkItemsPage renders a page of 50 items of the list through the
// web handler as a signed-in administrator: the filter form, the result
// count and the sort included. cpu-ms/op is the process's CPU (user and
// system) per page, which on SQLite includes the database's work; it holds
// on a shared machine where the wall time does not.
func BenchmarkItemsPage(b *testing.B) {
	s := dataset(b)
	server.TuneGC(os.Getenv) // as the server runs: GOGC=100 measures Go's default
	h := web.Must(web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil))))
	h.SetClock(func() time.Time { return time.Date(2020, 3, 20, 9, 0, 0, 0, time.UTC) })
	for _, path := range []string{"/items?mechanism=" + benchMechanism(), "/items?mechanism=" + benchMechanism() + "&sort=-updated_at"} {
		b.Run(path, func(b *testing.B) { measureAnswers(b, h, signedInRequest(b, path)) })
	}
}

// BenchmarkAPIItemList asks the JSON API for the same 50 items in order of
// their last change, as an administrator's token: whole records, with
// their parties and milestones.
func BenchmarkAPIItemList(b *testing.B) {
	s := dataset(b)
	server.TuneGC(os.Getenv)
	ctx := context.Background()
	u := &domain.User{Email: fmt.Sprintf("bench-api-%d@example.gov.cn", time.Now().UnixNano()), Name: "压测", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
	if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
		b.Fatal(err)
	}
	token, _, err := s.CreateToken(ctx, domain.Actor{}, u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	h := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	path := "/api/v1/items?mechanism=" + benchMechanism() + "&sort=updated_at&order=desc&limit=50"
	measureAnswers(b, h, func() *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return r
	})
}

// measureAnswers times h's answers to req, each written as a server
// writes to its connection, and reports the process's CPU an answer, the
// collector's cycles a thousand answers and the live heap.
func measureAnswers(b *testing.B, h http.Handler, req func() *http.Request) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req())
	if rec.Code != http.StatusOK {
		b.Fatalf("answered %d: %s", rec.Code, rec.Body.String())
	}
	cpu, cycles := processCPU(), gcCycles()
	timed(b, func(int) error {
		w := &discard{header: http.Header{}}
		h.ServeHTTP(w, req())
		if w.code != http.StatusOK || w.n < 1000 {
			return fmt.Errorf("answered %d with %d bytes", w.code, w.n)
		}
		return nil
	})
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(gcCycles()-cycles)*1000/float64(b.N), "gc/1000op")
	b.ReportMetric(float64(liveHeap())/1e6, "live-MB")
}

// gcCycles counts the garbage collector's cycles so far; liveHeap is the
// heap the last one found live.
func gcCycles() uint64 { return readMetric("/gc/cycles/total:gc-cycles") }
func liveHeap() uint64 { return readMetric("/gc/heap/live:bytes") }

func readMetric(name string) uint64 {
	m := []metrics.Sample{{Name: name}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}

// discard answers as a server writing to its connection would: it keeps
// the status and counts the body's bytes. httptest.ResponseRecorder keeps
// a copy of the body, grown by doubling to the page's 100 KB; that was a
// third of what the benchmark allocated, and collecting it was charged to
// the page.
type discard struct {
	header  http.Header
	code, n int
}

func (d *discard) Header() http.Header { return d.header }

func (d *discard) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}

func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	d.n += len(p)
	return len(p), nil
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
