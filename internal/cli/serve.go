package cli

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/store"
)

var serveCommand = &command{
	name:    "serve",
	args:    "[flags]",
	summary: "apply pending migrations and serve HTTP until stopped",
	help: `
Opens the database, applies pending migrations and serves the JSON API
(/api/v1/), /healthz, /readyz and /metrics until SIGINT or SIGTERM. On a
signal it stops accepting connections and lets requests in flight finish,
for at most --shutdown-timeout. Several instances may share one PostgreSQL
database; migrations then run once.`,
	setup: setupServe,
}

func setupServe(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var logs logOptions
	var addr string
	db.define(fs)
	logs.define(fs)
	defineAddr(fs, &addr)
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
		srv := newServer(addr, *shutdownTimeout, s, log)
		return srv.Run(ctx)
	}
}

// newServer wires the API into the HTTP server; serve and demo share it so
// that the demo serves exactly what production does.
func newServer(addr string, shutdownTimeout time.Duration, s *store.Store, log *slog.Logger) *server.Server {
	return server.New(server.Config{Addr: addr, ShutdownTimeout: shutdownTimeout}, s, api.New(s, log), log)
}
