package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/store"
)

// MustOpenPostgresInstances opens n stores on one fresh, migrated
// PostgreSQL schema, as n instances of the program share one database in
// production; it returns nil when no server is configured.
func MustOpenPostgresInstances(t testing.TB, n int) []*store.Store {
	t.Helper()
	base := os.Getenv("LIANDONG_TEST_POSTGRES_URL")
	if base == "" {
		return nil
	}
	schema := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	out := make([]*store.Store, n)
	for i := range out {
		s, err := store.Open(context.Background(), u.String(), "")
		if err != nil {
			t.Fatal(err)
		}
		out[i] = migrated(t, s)
	}
	return out
}
