// Package bench measures the store at scale. The dataset comes from
// liandong gen: LIANDONG_BENCH_SCALE (default 0.01 of the national scale)
// into LIANDONG_BENCH_DATA (a SQLite data directory, made once and reused)
// or LIANDONG_BENCH_POSTGRES_URL. Each benchmark reports p50 and p99 per
// operation besides Go's mean. See docs/PERFORMANCE.md for the figures.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/gen"
	"github.com/liandong/liandong/internal/store"
)

var (
	once    sync.Once
	shared  *store.Store
	openErr error
)

// dataset opens (generating on first use) the benchmark database.
func dataset(b *testing.B) *store.Store {
	b.Helper()
	once.Do(func() {
		ctx := context.Background()
		scale := 0.01
		if v, err := strconv.ParseFloat(os.Getenv("LIANDONG_BENCH_SCALE"), 64); err == nil && v > 0 {
			scale = v
		}
		url, dir := os.Getenv("LIANDONG_BENCH_POSTGRES_URL"), os.Getenv("LIANDONG_BENCH_DATA")
		if url == "" && dir == "" {
			dir = filepath.Join(os.TempDir(), fmt.Sprintf("liandong-bench-%g", scale))
		}
		if shared, openErr = store.Open(ctx, url, dir); openErr != nil {
			return
		}
		if _, openErr = shared.Migrate(ctx); openErr != nil {
			return
		}
		page, err := shared.Items.List(ctx, domain.ListQuery{Limit: 1})
		if openErr = err; err != nil || len(page.Items) > 0 {
			return
		}
		fmt.Fprintf(os.Stderr, "generating %g of the national scale into %s%s\n", scale, dir, url)
		openErr = gen.Generate(ctx, shared, gen.National.Times(scale), 1, os.Stderr)
	})
	if openErr != nil {
		b.Fatal(openErr)
	}
	return shared
}

// timed runs op b.N times and reports the median and the 99th percentile.
func timed(b *testing.B, op func(i int) error) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[min(len(d)-1, len(d)*99/100)].Microseconds())/1000, "p99-ms")
}

func list(b *testing.B, filters map[string]string) {
	s := dataset(b)
	ctx := context.Background()
	timed(b, func(int) error {
		_, err := s.Items.List(ctx, domain.ListQuery{Filters: filters, Limit: 20})
		return err
	})
}

func BenchmarkItemListThreeFilters(b *testing.B) {
	list(b, map[string]string{"mechanism": "2", "status": "advancing", "track": "transport"})
}

func BenchmarkSearchOneCharacter(b *testing.B) { list(b, map[string]string{"q": "铁"}) }

func BenchmarkSearchTwoCharacters(b *testing.B) { list(b, map[string]string{"q": "医药"}) }

// BenchmarkSearchWithFilters is the search a secretariat types on its own
// mechanism's filtered list: the filters narrow first, the index checks.
func BenchmarkSearchWithFilters(b *testing.B) {
	list(b, map[string]string{"q": "铁", "mechanism": "2", "status": "advancing"})
}

func BenchmarkItemRead(b *testing.B) {
	s := dataset(b)
	ctx := context.Background()
	timed(b, func(i int) error {
		_, err := s.Items.Get(ctx, int64(1+i%100))
		return err
	})
}

// BenchmarkReportSubmission stores submitted reports one transaction each,
// as the API does; ns/op inverts to reports per second. Its periods start
// after the latest period stored, so that runs never repeat a report.
func BenchmarkReportSubmission(b *testing.B) {
	s := dataset(b)
	report := newReports(b, s)
	timed(b, func(i int) error {
		return s.Reports.Create(context.Background(), domain.Actor{}, report(i))
	})
}

// newReports returns the i-th report of a run: the items' lead units in
// turn, a new month every time the items come round again.
func newReports(b *testing.B, s *store.Store) func(i int) *domain.Report {
	items, err := s.Items.List(context.Background(), domain.ListQuery{Limit: 200})
	if err != nil {
		b.Fatal(err)
	}
	month := nextMonth(b, s)
	return func(i int) *domain.Report {
		it := items.Items[i%len(items.Items)]
		m := month + i/len(items.Items)
		return &domain.Report{ItemID: it.ID, OrganizationID: it.Parties[0].OrganizationID, Period: fmt.Sprintf("%d-%02d", m/12, 1+m%12),
			Text: "本月完成既定节点", Percent: 50, Status: domain.Submitted}
	}
}

// BenchmarkReportSubmissionConcurrent submits reports from eight clients
// at once, as liaison officers do at a period's deadline, one transaction
// each, and reports the throughput the database sustains.
func BenchmarkReportSubmissionConcurrent(b *testing.B) {
	s := dataset(b)
	report := newReports(b, s)
	const clients = 8
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				if err := s.Reports.Create(context.Background(), domain.Actor{}, report(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	// Events are sealed into the audit log after commit, in the
	// background: the time includes sealing the last of them, so that
	// the figure is what the log sustains and not only the commits.
	if _, err := s.SealAudit(context.Background()); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reports/s")
}

// nextMonth counts months from year 0 to the January after the latest
// report in the years 2100–2199, beyond the generated data, or, once a
// century of runs has filled those, in 1900–1999.
func nextMonth(b *testing.B, s *store.Store) int {
	for _, years := range [][2]int{{2100, 2199}, {1900, 1999}} {
		var latest sql.NullString
		q := fmt.Sprintf("SELECT MAX(period) FROM reports WHERE period >= '%d' AND period < '%d'", years[0], years[1]+1)
		if err := s.DB().QueryRow(q).Scan(&latest); err != nil {
			b.Fatal(err)
		}
		if !latest.Valid {
			return years[0] * 12
		}
		year, err := strconv.Atoi(latest.String[:4])
		if err != nil {
			b.Fatalf("latest period %q: %v", latest.String, err)
		}
		if year+3 <= years[1] { // room for a run of 5,000 reports over 200 items
			return (year + 1) * 12
		}
	}
	b.Fatal("no room left for benchmark reports in 1900–1999 or 2100–2199")
	return 0
}
