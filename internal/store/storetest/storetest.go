// Package storetest opens real, migrated, isolated databases for tests: a
// SQLite file in a temporary directory always, and a private PostgreSQL
// schema when LIANDONG_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/store"
)

// ForEachDB runs body against a fresh SQLite database and, when
// LIANDONG_TEST_POSTGRES_URL is set, against a fresh PostgreSQL schema.
func ForEachDB(t *testing.T, body func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		body(t, MustOpenSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		s := MustOpenPostgres(t)
		if s == nil {
			t.Skip("LIANDONG_TEST_POSTGRES_URL is not set")
		}
		body(t, s)
	})
}

// MustOpenSQLite opens a migrated database in a temporary directory with a
// fixed clock.
func MustOpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	return migrated(t, s)
}

var schemaSeq atomic.Int64

// MustOpenPostgres opens a migrated, private schema on the test server, or
// returns nil when no server is configured.
func MustOpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	stores := MustOpenPostgresInstances(t, 1)
	if stores == nil {
		return nil
	}
	return stores[0]
}

// Start is the fixed clock's first reading; each reading advances a second.
var Start = time.Date(2024, 11, 25, 2, 0, 0, 0, time.UTC)

// FixedClock returns a clock that starts at Start and advances a second
// at each reading; it is safe for concurrent use, as servers read it.
func FixedClock() func() time.Time {
	var mu sync.Mutex
	clock := Start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
}

func migrated(t testing.TB, s *store.Store) *store.Store {
	t.Helper()
	t.Cleanup(func() { s.Close() })
	s.Now = FixedClock()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
