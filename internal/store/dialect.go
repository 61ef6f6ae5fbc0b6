package store

import (
	"database/sql"
	"strconv"
	"strings"
)

// dialect holds everything that differs between SQLite and PostgreSQL, so
// that queries elsewhere are written once.
type dialect interface {
	name() string
	driverName() string
	configure(db *sql.DB)
	// rebind turns ? placeholders into the dialect's own.
	rebind(q string) string
	// ddl adapts a migration written with the portable macros below.
	ddl(q string) string
	// normalize maps driver errors (unique and foreign-key violations,
	// serialization failures) to domain errors; others pass through.
	normalize(err error) error
	// preparesPerCall is true when the driver parses a query's SQL on every
	// call (modernc SQLite), so a transaction that repeats statements keeps
	// them prepared; pgx already caches prepared statements per connection.
	preparesPerCall() bool
	// sealLock serializes, within a transaction, the sealing of the audit
	// log and the application of migrations.
	sealLock() string
	// oneWriter is true when the database takes one write transaction at
	// a time (SQLite), so that the writers of a process queue for it in
	// the process (Store.queueWriter).
	oneWriter() bool
	// searchIndex returns the statements that store the terms (text with
	// spaces) of record id in table's text index; searchMatch the
	// sub-select of the ids whose terms contain all of ?.
	searchIndex(table string) []string
	searchMatch(table string) string
	// searchJoin, where the index yields matches in id order, returns the
	// join of table's index, the condition matching ? and the expression
	// of the index's id; ok is false otherwise (searchDrive).
	searchJoin(table string) (join, match, id string, ok bool)
	// timeColumn is how a query's select list reads a timestamp column
	// (not always under the column's name): the store's scanners
	// (timeCol, nullTime) take a time or its text.
	timeColumn(col string) string
}

// expandSearch replaces {{match:TABLE}} in a query with the dialect's
// sub-select over that table's text index.
func expandSearch(d dialect, q string) string {
	for {
		i := strings.Index(q, "{{match:")
		if i < 0 {
			return q
		}
		j := strings.Index(q[i:], "}}")
		q = q[:i] + d.searchMatch(q[i+len("{{match:"):i+j]) + q[i+j+2:]
	}
}

// Migrations are portable SQL except for these macros.
const (
	macroPK = "{{pk}}" // an auto-assigned 64-bit primary key
)

func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
