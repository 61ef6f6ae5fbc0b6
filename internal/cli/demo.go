package cli

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/server"
	"github.com/liandong/liandong/internal/store"
)

// demoAdminEmail is the administrator the demo creates on its first run.
const demoAdminEmail = "admin@liandong.local"

var demoCommand = &command{
	name:    "demo",
	args:    "[--addr 127.0.0.1:8080] [--data DIR]",
	summary: "load the demo dataset, print an admin login and a token, and serve",
	help: `
The quickest way to see Liandong. On the first run in a data directory it
creates the database, loads the demo dataset (the Chengdu–Chongqing
twin-core linkage), creates the administrator ` + demoAdminEmail + ` with a
random password and an API token, prints them with a curl example, and
serves. Later runs reuse the data and print how to get a new token; the
password is shown only once. Stop it with Ctrl-C.`,
	setup: setupDemo,
}

func setupDemo(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var logs logOptions
	var key auditKeyOptions
	var addr, metricsAddr string
	db.define(fs)
	logs.define(fs)
	key.define(fs)
	defineAddr(fs, &addr)
	defineMetricsAddr(fs, &metricsAddr)

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
		srv := newServer(server.Config{Addr: addr, MetricsAddr: metricsAddr}, s, con.getenv, log)
		// Bind before creating the admin: if the port is taken, the
		// one-time password must not have been printed and lost already.
		if err := srv.Listen(); err != nil {
			return err
		}
		site := siteURL(srv.Addr())
		if err := prepareDemo(ctx, s, con.stdout, site, &db); err != nil {
			srv.Close()
			return err
		}
		stop, err := startReminders(ctx, s, con.getenv, log)
		if err != nil {
			srv.Close()
			return err
		}
		defer stop()
		stopFederation, err := startFederation(ctx, s, con.getenv, log)
		if err != nil {
			srv.Close()
			return err
		}
		defer stopFederation()
		fmt.Fprintf(con.stdout, "Serving on %s (Ctrl-C to stop).\n", site)
		return srv.Run(ctx)
	}
}

// prepareDemo loads the demo dataset and creates its administrator unless
// they are there already, and tells the person at the terminal how to get
// in. Each step is checked on its own, so a first run interrupted between
// loading and creating the administrator is completed by the next run.
func prepareDemo(ctx context.Context, s *store.Store, out io.Writer, site string, db *storeOptions) error {
	loaded, err := demo.IsLoaded(ctx, s)
	if err != nil {
		return fmt.Errorf("look for the demo dataset: %w", err)
	}
	if !loaded {
		fmt.Fprintf(out, "Loading the demo dataset into %s.\n", db.where())
		if err := demo.Load(ctx, s); err != nil {
			return fmt.Errorf("load the demo dataset: %w", err)
		}
	}
	_, err = s.UserByEmail(ctx, demoAdminEmail)
	switch domain.ErrorCode(err) {
	case "":
		printDemoReused(out, site, db)
		return nil
	case domain.NotFound:
		return createDemoAdmin(ctx, s, out, site)
	default:
		return err
	}
}

func createDemoAdmin(ctx context.Context, s *store.Store, out io.Writer, site string) error {
	// 26 base32 characters, 130 random bits: nothing to guess, easy to copy.
	password := rand.Text()
	admin := &domain.User{
		Email:    demoAdminEmail,
		Name:     "管理员",
		Locale:   "zh-CN",
		Password: password,
		Grants:   []domain.Grant{{Role: domain.Admin}},
	}
	if err := s.Users.Create(ctx, operator, admin); err != nil {
		return fmt.Errorf("create the demo administrator: %w", err)
	}
	token, _, err := s.CreateToken(ctx, operator, admin.ID, "demo")
	if err != nil {
		return fmt.Errorf("create the demo API token: %w", err)
	}
	fmt.Fprintf(out, `The demo is ready. Keep these: they are not shown again.
Sign in:   %s
E-mail:    %s
Password:  %s
API token: %s
Try the API:
  curl -H "Authorization: Bearer %s" %sapi/v1/items
`, site, demoAdminEmail, password, token, token, site)
	return nil
}

func printDemoReused(out io.Writer, site string, db *storeOptions) {
	where := "--data " + shellQuote(db.dataDir)
	if db.databaseURL != "" {
		where = "--database-url URL"
	}
	self := selfCommand()
	fmt.Fprintf(out, `Reusing the demo data in %s.
Sign in at %s as %s with the password printed on the first run.
Lost it? Set a new one (printed once): %s user password --email %s %s
For a new API token: %s token create --user %s %s
`, db.where(), site, demoAdminEmail, self, demoAdminEmail, where, self, demoAdminEmail, where)
}

// siteURL is the address to open in a browser for a server bound to addr:
// a wildcard host (":8080", "0.0.0.0", "::") is reachable as localhost.
func siteURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// shellQuote quotes a path for a POSIX shell when it needs it, so that the
// printed command can be pasted as it is.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"'`$\\!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
