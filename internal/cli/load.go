package cli

import (
	"context"
	"flag"
	"time"

	"github.com/liandong/liandong/internal/loadgen"
)

var loadCommand = &command{
	name:    "load",
	args:    "--token TOKEN [--url http://127.0.0.1:8080] [--clients 8] [--duration 10s]",
	summary: "measure a running server's latency and throughput (this machine only)",
	help: `
Sends a bounded load to a Liandong server on this machine and prints, per
endpoint, requests, errors, requests per second, p50 and p99, as a Markdown
table. The first endpoint, GET /api/v1/me (authenticated, one small JSON
object), is the baseline: the others' throughput is also shown as a
fraction of it. The endpoints read the dataset of liandong gen: the item
list with three filters (mechanism, status, track), text search for 铁 and
医药, and one item. The URL must be on this machine and the run is bounded
to 60 seconds per endpoint.`,
	setup: setupLoad,
}

func setupLoad(fs *flag.FlagSet, con *console) func(context.Context) error {
	var cfg loadgen.Config
	fs.StringVar(&cfg.BaseURL, "url", "http://127.0.0.1:8080", "the server, on this machine")
	fs.StringVar(&cfg.Token, "token", "", "an API token (liandong token create prints one)")
	fs.IntVar(&cfg.Clients, "clients", 8, "concurrent clients, 1 to 64")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to load each endpoint, at most 60s")
	return func(ctx context.Context) error {
		if cfg.Token == "" {
			return usageErrorf("--token is required: create one with liandong token create")
		}
		if err := cfg.Check(); err != nil {
			return usageErrorf("%v", err)
		}
		rs, err := loadgen.Run(ctx, cfg, []loadgen.Target{
			{Name: "bare: GET /api/v1/me", Path: "/api/v1/me"},
			{Name: "item list, 3 filters", Path: "/api/v1/items?mechanism=2&status=advancing&track=transport&limit=20"},
			{Name: "search 铁", Path: "/api/v1/items?q=%E9%93%81&limit=20"},
			{Name: "search 医药", Path: "/api/v1/items?q=%E5%8C%BB%E8%8D%AF&limit=20"},
			{Name: "one item", Path: "/api/v1/items/1"},
		})
		if err != nil {
			return err
		}
		loadgen.Report(con.stdout, cfg, rs)
		return nil
	}
}
