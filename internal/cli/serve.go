package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/web"
)

var serveCommand = &command{
	name:    "serve",
	args:    "[flags]",
	summary: "apply pending migrations and serve HTTP until stopped",
	help: `
Opens the database, applies pending migrations and serves the web
application (/), the JSON API (/api/v1/), /healthz, /readyz and /metrics
(an administrator's API token, or --metrics-addr) until SIGINT or SIGTERM, with the reminder queue beside it (e-mail needs
LIANDONG_SMTP_ADDR and LIANDONG_SMTP_FROM; webhooks are set per mechanism). On a
signal it stops accepting connections and lets requests in flight finish,
for at most --shutdown-timeout. Several instances may share one PostgreSQL
database; migrations then run once. With the audit key (--audit-key, made at
first use) it issues a checkpoint of the audit log every
LIANDONG_NOTIFY_CHECKPOINT (24h) when the log grew, and sends it to the
notification channels; meeting packs print the latest one.`,
	setup: setupServe,
}

func setupServe(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var logs logOptions
	var key auditKeyOptions
	var addr, metricsAddr string
	db.define(fs)
	logs.define(fs)
	key.define(fs)
	defineAddr(fs, &addr)
	defineMetricsAddr(fs, &metricsAddr)
	shutdownTimeout := fs.Duration("shutdown-timeout", server.DefaultShutdownTimeout, "how long to wait for requests in flight on shutdown")

	return func(ctx context.Context) error {
		log, err := logs.logger(con.stderr)
		if err != nil {
			return err
		}
		s, err := openMigrated(ctx, &db, log)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := key.openFor(s, db.dataDir); err != nil {
			// Serving goes on; the packs then say no checkpoint was issued.
			log.Warn("no audit key: checkpoints are neither issued nor sent", "error", err)
		}
		stop, err := startReminders(ctx, s, con.getenv, log)
		if err != nil {
			return err
		}
		defer stop()
		stopFederation, err := startFederation(ctx, s, con.getenv, log)
		if err != nil {
			return err
		}
		defer stopFederation()
		alertAfter, err := federation.AlertAfterFrom(con.getenv)
		if err != nil {
			return err
		}
		srv := newServer(server.Config{Addr: addr, MetricsAddr: metricsAddr, ShutdownTimeout: *shutdownTimeout, FederationAlertAfter: alertAfter}, s, con.getenv, log)
		return srv.Run(ctx)
	}
}

// startReminders runs the reminder queue beside the server. Every instance
// runs one; the queue gives each job to one of them. The returned function
// lets the jobs in hand finish before the store closes.
//
// LIANDONG_NOTIFY_ALLOW_PRIVATE=1 lets channels point at loopback, private
// and link-local addresses, for receivers on the installation's own
// network; it is set on the store before anything is served, since saving
// a channel checks it too.
func startReminders(ctx context.Context, s *store.Store, getenv func(string) string, log *slog.Logger) (func(), error) {
	s.AllowPrivateTargets = getenv("LIANDONG_NOTIFY_ALLOW_PRIVATE") == "1"
	n, err := notify.New(s, notify.ConfigFromEnv(getenv))
	if err != nil {
		return nil, fmt.Errorf("reminders: %w", err)
	}
	// Not ctx itself: the signal that cancels it would stop the queue at
	// once, in the middle of its transactions, while the server still
	// finishes requests; the queue stops through the returned function,
	// after them. (A 60-second load run once saw writes wait out
	// busy_timeout from the moment of the signal; this is the suspect.)
	if err := n.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("start reminders: %w", err)
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Stop(stopCtx); err != nil {
			log.Warn("reminders did not stop cleanly", "error", err)
		}
	}, nil
}

// newServer wires the API into the HTTP server; serve and demo share it so
// that the demo serves exactly what production does.
func newServer(cfg server.Config, s *store.Store, getenv func(string) string, log *slog.Logger) *server.Server {
	// web.Must panics only on a broken build (embedded templates that do
	// not parse), which the web package's tests catch first.
	h := web.Must(web.New(s, log))
	server.TuneGC(getenv)
	// Meeting notices go out through the notifier's channels, by mail too.
	h.SetNotify(notify.ConfigFromEnv(getenv))
	h.SetFederationAlert(cfg.FederationAlertAfter)
	cfg.Web = h
	return server.New(cfg, s, api.New(s, log), log)
}
