package cli

import (
	"context"
	"flag"
	"fmt"
)

var migrateUpCommand = &command{
	name:    "migrate up",
	args:    "[flags]",
	summary: "apply pending database migrations (also: liandong migrate)",
	help: `
Applies every pending migration in order, each in its own transaction, and
lists the ones applied. Migrations are embedded in the binary and never
drop data; serve and demo apply them too, at start-up. See also
'liandong migrate status'.`,
	setup: setupMigrateUp,
}

var migrateStatusCommand = &command{
	name:    "migrate status",
	args:    "[flags]",
	summary: "list the migrations and whether each is applied",
	help: `
Lists every migration embedded in this binary, in order, each marked
"applied" or "pending". It changes no schema.`,
	setup: setupMigrateStatus,
}

func setupMigrateUp(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	return func(ctx context.Context) error {
		s, err := db.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		applied, err := s.Migrate(ctx)
		for _, name := range applied {
			fmt.Fprintf(con.stdout, "applied %s\n", name)
		}
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if len(applied) == 0 {
			fmt.Fprintln(con.stdout, "nothing to apply: the schema is up to date")
		}
		return nil
	}
}

func setupMigrateStatus(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	return func(ctx context.Context) error {
		s, err := db.open(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		migrations, err := s.MigrationStatus(ctx)
		if err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		for _, m := range migrations {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(con.stdout, "%-8s %s\n", state, m.Name)
		}
		return nil
	}
}
