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
	// auditLock serializes appends to the audit chain within a transaction.
	auditLock() string
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
