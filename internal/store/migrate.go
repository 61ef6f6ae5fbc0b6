package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Migrations are embedded, numbered and append-only: a released file is
// never edited, a change is a new file. Each runs in its own transaction and
// is recorded in schema_migrations.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// afterMigration holds the work some migrations need done in Go once they
// are applied, such as filling a new index from existing rows.
var afterMigration = map[string]func(*Store, context.Context) error{
	"0007_search": (*Store).ReindexSearch,
	// The events chained before the log was sealed enter its tree.
	"0009_audit_log": func(s *Store, ctx context.Context) error {
		_, err := s.SealAudit(ctx)
		return err
	},
}

// Migration is one schema step and whether it has been applied.
type Migration struct {
	Name    string
	Applied bool
}

// migrationNames lists the migrations for dialect: portable files
// (NNNN_name.sql) and the dialect's own (NNNN_name.sqlite.sql,
// NNNN_name.postgres.sql) for what only one database can express.
func migrationNames(dialect string) ([]string, error) {
	all, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range all {
		base := strings.TrimSuffix(n, ".sql")
		if i := strings.LastIndex(base, "."); i >= 0 && base[i+1:] != dialect {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func (s *Store) ensureMigrationTable(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`)
	return err
}

// MigrationStatus lists every embedded migration and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]Migration, error) {
	if err := s.ensureMigrationTable(ctx); err != nil {
		return nil, domain.Internalf(err, "create schema_migrations")
	}
	applied := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, domain.Internalf(err, "read schema_migrations")
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, domain.Internalf(err, "scan schema_migrations")
		}
		applied[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read schema_migrations")
	}
	names, err := migrationNames(s.dialect.name())
	if err != nil {
		return nil, err
	}
	out := make([]Migration, len(names))
	for i, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		out[i] = Migration{Name: base, Applied: applied[base]}
	}
	return out, nil
}

// Pending reports how many migrations are not yet applied.
func (s *Store) Pending(ctx context.Context) (int, error) {
	ms, err := s.MigrationStatus(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		if !m.Applied {
			n++
		}
	}
	return n, nil
}

// Migrate applies every pending migration in order and returns their names.
// Instances starting together on PostgreSQL are serialized by a lock, so
// each migration runs once.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := s.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, m := range ms {
		if m.Applied {
			continue
		}
		applied, err := s.applyMigration(ctx, m.Name)
		if err != nil {
			return done, err
		}
		if applied {
			done = append(done, m.Name)
		}
	}
	for _, name := range done {
		if after, ok := afterMigration[strings.SplitN(name, ".", 2)[0]]; ok {
			if err := after(s, ctx); err != nil {
				return done, fmt.Errorf("after migration %s: %w", name, err)
			}
		}
	}
	// Events committed but not sealed when a process died are sealed as
	// the next one starts.
	s.sealer.wake()
	return done, nil
}

func (s *Store) applyMigration(ctx context.Context, name string) (bool, error) {
	body, err := migrationFiles.ReadFile("migrations/" + name)
	if err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", name, err)
	}
	defer tx.Rollback()
	if lock := s.dialect.sealLock(); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return false, fmt.Errorf("migration %s: lock: %w", name, err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.dialect.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil {
		return false, fmt.Errorf("migration %s: %w", name, err)
	}
	if n > 0 {
		return false, nil // another instance applied it while we waited
	}
	for _, stmt := range splitStatements(s.dialect.ddl(string(body))) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %s: %w\n%s", name, err, stmt)
		}
	}
	if _, err := tx.ExecContext(ctx, s.dialect.rebind(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`), name, s.now()); err != nil {
		return false, fmt.Errorf("migration %s: record: %w", name, err)
	}
	return true, tx.Commit()
}

// splitStatements splits a migration on semicolons that end a line, after
// removing -- comments. Migrations hold no semicolons inside literals.
func splitStatements(sql string) []string {
	var lines []string
	for _, l := range strings.Split(sql, "\n") {
		if i := strings.Index(l, "--"); i >= 0 {
			l = l[:i]
		}
		lines = append(lines, l)
	}
	var out []string
	for _, st := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		st = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(st), ";"))
		if st != "" {
			out = append(out, st)
		}
	}
	return out
}
