// Package loadgen sends a bounded load to a Liandong server on this
// machine and reports latency percentiles, throughput and the server's CPU
// per request for each endpoint, with a bare JSON endpoint measured in the
// same run as the baseline the others are compared to.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Target is one endpoint to load.
type Target struct {
	Name string
	Path string // with its query
	// Page is a page of the web application, asked for with the session
	// of Config.Session rather than the API token.
	Page bool
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
	// CPU is the server process's CPU time per answer while the target
	// was loaded (its process_cpu_seconds_total, read from /metrics
	// before and after), or zero when the token may not read the metrics.
	// On PostgreSQL the database's own processes are not in it.
	CPU time.Duration
}

// Config bounds a run: it stops by itself.
type Config struct {
	BaseURL string // http://127.0.0.1:8080
	Token   string
	// Session is the Cookie header of a signed-in browser (SignIn), for
	// the targets that are pages.
	Session  string
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
	for _, t := range targets {
		if t.Page && c.Session == "" {
			return nil, fmt.Errorf("%s is a page: it needs a signed-in session", t.Name)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.Clients}}
	var out []Result
	for _, t := range targets {
		before, measured := serverCPU(ctx, client, c)
		r := load(ctx, client, c, t)
		if after, ok := serverCPU(ctx, client, c); ok && measured && r.Requests+r.Errors > 0 {
			r.CPU = (after - before) / time.Duration(r.Requests+r.Errors)
		}
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
				if t.Page {
					req.Header.Set("Cookie", c.Session)
				} else {
					req.Header.Set("Authorization", "Bearer "+c.Token)
				}
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

// serverCPU reads the server's CPU time so far from its metrics, which
// an administrator's token may read; ok is false otherwise.
func serverCPU(ctx context.Context, client *http.Client, c Config) (cpu time.Duration, ok bool) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.BaseURL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := client.Do(req)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, false
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), "process_cpu_seconds_total "); found {
			seconds, err := strconv.ParseFloat(v, 64)
			return time.Duration(seconds * float64(time.Second)), err == nil
		}
	}
	return 0, false
}

// SignIn signs in to the web application as a browser does (the form's
// CSRF token, then the e-mail and password) and returns the session's
// Cookie header, for Config.Session.
func SignIn(ctx context.Context, baseURL, email, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Timeout: 10 * time.Second, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, "GET", baseURL+"/signin", nil)
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("%s/signin shows no sign-in form (%s)", baseURL, res.Status)
	}
	form := url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}}
	req, _ = http.NewRequestWithContext(ctx, "POST", baseURL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, err = client.Do(req); err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("signing in as %s was refused (%s): check the e-mail address and LIANDONG_PASSWORD", email, res.Status)
	}
	u, _ := url.Parse(baseURL)
	var cookies []string
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	return strings.Join(cookies, "; "), nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Report writes the results as a Markdown table, as docs/PERFORMANCE.md keeps them.
func Report(w io.Writer, c Config, rs []Result) {
	fmt.Fprintf(w, "%d clients, %s per endpoint, %s\n\n", c.Clients, c.Duration, c.BaseURL)
	fmt.Fprintln(w, "| endpoint | requests (2xx) | not 2xx (of which 4xx) | per second | p50 | p99 | of baseline | server CPU a request |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		cpu := "—" // the token may not read the metrics
		if r.CPU > 0 {
			cpu = fmt.Sprintf("%.3f ms", float64(r.CPU)/float64(time.Millisecond))
		}
		fmt.Fprintf(w, "| %s | %d | %d (%d) | %.0f | %s | %s | %.2f | %s |\n", r.Target.Name, r.Requests, r.Errors, r.Refused, r.PerSecond,
			r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.OfBaseline, cpu)
	}
}
