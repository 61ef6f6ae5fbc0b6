package cli

import (
	"context"
	"flag"
	"fmt"
)

var backupCommand = &command{
	name:    "backup",
	args:    "--to FILE [flags]",
	summary: "copy the database to a file while it keeps serving",
	help: `
Writes a consistent copy of the database to a new file without stopping
the server. On SQLite the copy is itself a database file: to restore, stop
the server and put it in place of liandong.db. On PostgreSQL it is a
pg_dump archive (custom format): restore it with pg_restore into an empty
database. The file must not exist yet.`,
	setup: setupBackup,
}

func setupBackup(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var to string
	db.define(fs)
	fs.StringVar(&to, "to", "", "the new file to write the copy to (required)")
	return func(ctx context.Context) error {
		if to == "" {
			return usageErrorf("--to is required: name the new file to write the copy to")
		}
		s, err := db.openCurrent(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Backup(ctx, to); err != nil {
			return err
		}
		fmt.Fprintf(con.stdout, "backed up the %s database to %s\n", s.Dialect(), to)
		return nil
	}
}
