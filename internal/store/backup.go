package store

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Backup writes a consistent copy of the database to dest while the
// database keeps serving. On SQLite it is VACUUM INTO, a snapshot taken in
// one read transaction, openable as a database of its own. On PostgreSQL it
// is pg_dump's custom format, also one snapshot, restored with pg_restore.
// dest must not exist yet.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return domain.Errorf(domain.Conflict, "%s exists already; choose a new file", dest)
	}
	if s.dialect.name() == "sqlite" {
		if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
			return fmt.Errorf("back up to %s: %w", dest, err)
		}
		return nil
	}
	conn, schema, err := pgDumpTarget(s.url)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--no-owner", "--file=" + dest, "--dbname=" + conn}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_dump", args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// pgDumpTarget splits a search_path parameter, which libpq does not know,
// off a PostgreSQL URL: pg_dump takes the schema as a flag instead.
func pgDumpTarget(raw string) (conn, schema string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	schema = q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

// CheckIntegrity asks the database whether its storage is sound: on SQLite
// the integrity and foreign-key checks; on PostgreSQL, whose pages are
// checksummed and whose constraints are never deferred here, that every
// table can be read through.
func (s *Store) CheckIntegrity(ctx context.Context) error {
	if s.dialect.name() == "sqlite" {
		var res string
		if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if res != "ok" {
			return fmt.Errorf("integrity check: %s", res)
		}
		rows, err := s.db.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		defer rows.Close()
		if rows.Next() {
			return fmt.Errorf("foreign key check: a row refers to a missing record")
		}
		return rows.Err()
	}
	for _, table := range []string{"jurisdictions", "organizations", "mechanisms", "meetings", "batches", "items", "reports", "problems", "tasks", "audit_events"} {
		var n int64
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
	}
	return nil
}
