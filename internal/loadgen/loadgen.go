// Package loadgen sends a bounded load to a Liandong server on this
// machine and reports latency percentiles and throughput per endpoint,
// with a bare JSON endpoint measured in the same run as the baseline the
// others are compared to.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Target is one endpoint to load.
type Target struct {
	Name string
	Path string // with its query
}

// Result is what one target measured.
type Result struct {
	Target   Target
	Requests int // answers that succeeded (2xx), the only ones timed
	// Errors counts every answer that was not a success (2xx): transport
	// errors, 5xx, and also 4xx, since a refused or unauthenticated request
	// is cheap and would flatter the figure if it counted as served.
	Errors int
	// Refused counts the 4xx among Errors, so a wrong token or path shows
	// as such in the report rather than as a slow server.
	Refused    int
	PerSecond  float64
	P50, P99   time.Duration
	OfBaseline float64 // throughput as a fraction of the baseline's
}

// Config bounds a run: it stops by itself.
type Config struct {
	BaseURL  string // http://127.0.0.1:8080
	Token    string
	Clients  int
	Duration time.Duration // per target
}

// MaxDuration and MaxClients bound what a run may ask for.
const (
	MaxDuration = 60 * time.Second
	MaxClients  = 64
)

// Check refuses a configuration that would load anything but this machine
// or run unbounded.
func (c Config) Check() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("--url must be an http:// address on this machine")
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--url must point at 127.0.0.1, ::1 or localhost: load goes to this machine only")
	}
	if c.Clients < 1 || c.Clients > MaxClients {
		return fmt.Errorf("--clients must be between 1 and %d", MaxClients)
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		return fmt.Errorf("--duration must be above 0 and at most %s", MaxDuration)
	}
	return nil
}

// Run loads each target in turn, the first being the baseline.
func Run(ctx context.Context, c Config, targets []Target) ([]Result, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, errors.New("no targets")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.Clients}}
	var out []Result
	for _, t := range targets {
		r := load(ctx, client, c, t)
		if len(out) > 0 && out[0].PerSecond > 0 {
			r.OfBaseline = r.PerSecond / out[0].PerSecond
		} else if len(out) == 0 {
			r.OfBaseline = 1
		}
		out = append(out, r)
	}
	return out, nil
}

func load(ctx context.Context, client *http.Client, c Config, t Target) Result {
	ctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	errs, refused := 0, 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < c.Clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", c.BaseURL+t.Path, nil)
				req.Header.Set("Authorization", "Bearer "+c.Token)
				began := time.Now()
				res, err := client.Do(req)
				d := time.Since(began)
				if ctx.Err() != nil {
					return // cut off by the end of the run: not a sample
				}
				failed, four := err != nil, false
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					failed = res.StatusCode < 200 || res.StatusCode > 299
					four = res.StatusCode >= 400 && res.StatusCode <= 499
				}
				mu.Lock()
				if failed {
					errs++
					if four {
						refused++
					}
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := Result{Target: t, Requests: len(lat), Errors: errs, Refused: refused, PerSecond: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.P50, r.P99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}

// Report writes the results as a Markdown table, as docs/PERFORMANCE.md keeps them.
func Report(w io.Writer, c Config, rs []Result) {
	fmt.Fprintf(w, "%d clients, %s per endpoint, %s\n\n", c.Clients, c.Duration, c.BaseURL)
	fmt.Fprintln(w, "| endpoint | requests (2xx) | not 2xx (of which 4xx) | per second | p50 | p99 | of baseline |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rs {
		fmt.Fprintf(w, "| %s | %d | %d (%d) | %.0f | %s | %s | %.2f |\n", r.Target.Name, r.Requests, r.Errors, r.Refused, r.PerSecond,
			r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.OfBaseline)
	}
}
