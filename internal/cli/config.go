package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/liandong/liandong/internal/store"
)

// environment names the variable that supplies each flag when the command
// line leaves it unset. A command only reads the variables of the flags it
// has.
var environment = map[string]string{
	"database-url": "LIANDONG_DATABASE_URL",
	"data":         "LIANDONG_DATA_DIR",
	"addr":         "LIANDONG_ADDR",
	"metrics-addr": "LIANDONG_METRICS_ADDR",
	"log-level":    "LIANDONG_LOG_LEVEL",
	"password":     "LIANDONG_PASSWORD",
	"audit-key":    "LIANDONG_AUDIT_KEY_FILE",
}

// completeFromEnvironment sets each flag the command line did not set from
// its environment variable, so that a flag always wins over the
// environment and the environment over the built-in default.
func completeFromEnvironment(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, variable := range environment {
		value := getenv(variable)
		if given[name] || fs.Lookup(name) == nil || value == "" {
			continue
		}
		if err := fs.Set(name, value); err != nil {
			return usageErrorf("%s: %v", variable, err)
		}
	}
	return nil
}

// defaultAddr keeps a fresh server private to the machine; serving the
// network is a deliberate choice (--addr :8080).
const defaultAddr = "127.0.0.1:8080"

func defineAddr(fs *flag.FlagSet, addr *string) {
	fs.StringVar(addr, "addr", defaultAddr, "`address` to listen on, host:port (env LIANDONG_ADDR)")
}

// defineMetricsAddr is the flag of a separate address for /metrics, served
// there without a token; without it /metrics is on --addr and needs an
// administrator's API token.
func defineMetricsAddr(fs *flag.FlagSet, addr *string) {
	fs.StringVar(addr, "metrics-addr", "", "separate `address` serving /metrics without a token, host:port; empty: /metrics on --addr with an administrator's token (env LIANDONG_METRICS_ADDR)")
}

// storeOptions are the flags of every command that opens the database.
type storeOptions struct {
	databaseURL string
	dataDir     string
}

func (o *storeOptions) define(fs *flag.FlagSet) {
	fs.StringVar(&o.databaseURL, "database-url", "",
		"PostgreSQL `URL` (postgres://user:pass@host/db); empty keeps a SQLite file in the data directory (env LIANDONG_DATABASE_URL)")
	fs.StringVar(&o.dataDir, "data", "./data", "data `directory`, home of the SQLite database (env LIANDONG_DATA_DIR)")
}

func (o *storeOptions) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, o.databaseURL, o.dataDir)
}

// where names the database for messages without repeating a URL that may
// hold a password.
func (o *storeOptions) where() string {
	if o.databaseURL != "" {
		return "the database at --database-url"
	}
	return o.dataDir
}

// logOptions are the flags of the commands that log while they serve.
type logOptions struct {
	level string
}

func (o *logOptions) define(fs *flag.FlagSet) {
	fs.StringVar(&o.level, "log-level", "info", "least severe `level` logged: debug, info, warn or error (env LIANDONG_LOG_LEVEL)")
}

// logger returns a text logger at the chosen level, writing to w.
func (o *logOptions) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.level)); err != nil {
		return nil, usageErrorf("--log-level %q: want debug, info, warn or error", o.level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), nil
}

// openMigrated opens the store and applies pending migrations, logging each,
// as the serving commands do at start-up.
func openMigrated(ctx context.Context, o *storeOptions, log *slog.Logger) (*store.Store, error) {
	s, err := o.open(ctx)
	if err != nil {
		return nil, err
	}
	applied, err := s.Migrate(ctx)
	for _, name := range applied {
		log.Info("applied migration", "name", name)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return s, nil
}

// openCurrent opens the store for an administrative command and refuses a
// schema that is behind, which would otherwise surface as a cryptic
// "no such table" from the middle of the work.
func (o *storeOptions) openCurrent(ctx context.Context) (*store.Store, error) {
	s, err := o.open(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := s.Pending(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	if pending > 0 {
		s.Close()
		return nil, fmt.Errorf("%s has %d pending migrations: run 'liandong migrate' first", o.where(), pending)
	}
	return s, nil
}
