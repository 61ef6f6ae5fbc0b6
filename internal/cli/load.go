package cli

import (
	"context"
	"flag"
	"time"

	"github.com/liandong/liandong/internal/loadgen"
)

var loadCommand = &command{
	name:    "load",
	args:    "--token TOKEN [--email E] [--url http://127.0.0.1:8080] [--clients 8] [--duration 10s]",
	summary: "measure a running server's latency, throughput and CPU per request (this machine only)",
	help: `
Sends a bounded load to a Liandong server on this machine and prints, per
endpoint, requests, errors, requests per second, p50, p99 and the server's
CPU time per request, as a Markdown table. The first endpoint, GET
/api/v1/me (authenticated, one small JSON object), is the baseline: the
others' throughput is also shown as a fraction of it. The endpoints read
the dataset of liandong gen: the item list with three filters
(mechanism, status, track), a page of 50 items in order of their last
change, text search for 铁 and 医药, and one item. With --email (and the
password in LIANDONG_PASSWORD or --password) it signs in as a browser does
and loads the web item list too, a page of 50 with its count, in order of
number and of last change. The CPU column reads the server's
process_cpu_seconds_total from /metrics, which needs an administrator's
token; on PostgreSQL the database's processes are not in it. The URL must
be on this machine and the run is bounded to 60 seconds per endpoint.`,
	setup: setupLoad,
}

func setupLoad(fs *flag.FlagSet, con *console) func(context.Context) error {
	var cfg loadgen.Config
	fs.StringVar(&cfg.BaseURL, "url", "http://127.0.0.1:8080", "the server, on this machine")
	fs.StringVar(&cfg.Token, "token", "", "an API token (liandong token create prints one)")
	fs.IntVar(&cfg.Clients, "clients", 8, "concurrent clients, 1 to 64")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to load each endpoint, at most 60s")
	email := fs.String("email", "", "sign in as this user to load the web pages too")
	password := fs.String("password", "", "the user's `password` (env LIANDONG_PASSWORD, preferred)")
	return func(ctx context.Context) error {
		if cfg.Token == "" {
			return usageErrorf("--token is required: create one with liandong token create")
		}
		if err := cfg.Check(); err != nil {
			return usageErrorf("%v", err)
		}
		targets := []loadgen.Target{
			{Name: "bare: GET /api/v1/me", Path: "/api/v1/me"},
			{Name: "item list, 3 filters", Path: "/api/v1/items?mechanism=2&status=advancing&track=transport&limit=20"},
			{Name: "item list, 50 by last change", Path: "/api/v1/items?mechanism=2&sort=updated_at&order=desc&limit=50"},
			{Name: "search 铁", Path: "/api/v1/items?q=%E9%93%81&limit=20"},
			{Name: "search 医药", Path: "/api/v1/items?q=%E5%8C%BB%E8%8D%AF&limit=20"},
			{Name: "one item", Path: "/api/v1/items/1"},
		}
		if *email != "" {
			session, err := loadgen.SignIn(ctx, cfg.BaseURL, *email, *password)
			if err != nil {
				return err
			}
			cfg.Session = session
			targets = append(targets,
				loadgen.Target{Name: "page: item list, 50 with count", Path: "/items?mechanism=2", Page: true},
				loadgen.Target{Name: "page: item list, 50 by last change", Path: "/items?mechanism=2&sort=-updated_at", Page: true})
		}
		rs, err := loadgen.Run(ctx, cfg, targets)
		if err != nil {
			return err
		}
		loadgen.Report(con.stdout, cfg, rs)
		return nil
	}
}
