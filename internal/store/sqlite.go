package store

import (
	"database/sql"
	"errors"
	"net/url"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

type sqliteDialect struct{}

// sqliteDSN opens the file in WAL mode with a busy timeout, so that several
// connections wait for each other instead of failing, and with immediate
// transactions, so that a write transaction takes the lock when it begins
// rather than failing on its first write. Each connection caches 16 MiB of
// pages (SQLite's default is 2 MiB): at national scale a dashboard's
// queries read pages again and again, and every page read through the
// driver's file layer costs more than in C; four connections stay well
// inside the 200 MB the server may use.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "cache_size(-16384)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// uriPath escapes what a file name may hold and an SQLite URI reads as
// something else: a data directory named "a#1" would otherwise open "a",
// the same database as "a#2".
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// timeColumn reads a timestamp as an expression, +col, which SQLite
// evaluates to the column's text unchanged. The driver parses a column
// declared TIMESTAMP by trying the layout of time.Time.String first,
// which fails for every value this store writes and allocates its error,
// then its own layouts; an expression has no declared type, so its text
// reaches the store's scanner, whose first layout is the one the store
// writes (parseDBTime). A list of 50 items read 150 timestamps, and their
// parsing was a tenth of the page's CPU. The expression is not named
// after the column: an ORDER BY of the column would take the name for the
// expression's, and sort the rows rather than read them in an index's
// order.
func (sqliteDialect) timeColumn(col string) string { return "+" + col }

func (sqliteDialect) name() string       { return "sqlite" }
func (sqliteDialect) driverName() string { return "sqlite" }
func (sqliteDialect) configure(db *sql.DB) {
	// One writer at a time is SQLite's nature; a few connections let reads
	// proceed beside it under WAL.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
}
func (sqliteDialect) rebind(q string) string { return q }
func (sqliteDialect) ddl(q string) string {
	return strings.ReplaceAll(q, macroPK, "INTEGER PRIMARY KEY")
}
func (sqliteDialect) sealLock() string      { return "" }
func (sqliteDialect) oneWriter() bool       { return true }
func (sqliteDialect) preparesPerCall() bool { return true }

func (sqliteDialect) normalize(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &domain.Error{Code: domain.Conflict, Message: "a record with the same key already exists", Err: err}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &domain.Error{Code: domain.Invalid, Message: "a referenced record does not exist or is still referenced", Err: err}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return &domain.Error{Code: domain.Invalid, Message: "a value breaks a rule of the database", Err: err}
	}
	return err
}

func (sqliteDialect) searchIndex(table string) []string {
	return []string{
		"DELETE FROM " + table + "_search WHERE rowid = ?",
		"INSERT INTO " + table + "_search (rowid, terms) VALUES (?, ?)",
	}
}

func (sqliteDialect) searchMatch(table string) string {
	return "SELECT rowid FROM " + table + "_search WHERE " + table + "_search MATCH ?"
}

func (sqliteDialect) searchJoin(table string) (join, match, id string, ok bool) {
	index := table + "_search"
	return "JOIN " + index + " ON " + index + ".rowid = " + table + ".id", index + " MATCH ?", index + ".rowid", true
}
