package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/liandong/liandong/internal/store"
)

// RestorePostgres restores a pg_dump file made by store.Backup into a new
// database on the test server and opens it; the database is dropped when
// the test ends.
func RestorePostgres(t testing.TB, dump string) *store.Store {
	t.Helper()
	base := os.Getenv("LIANDONG_TEST_POSTGRES_URL")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("restore_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP DATABASE " + name + " WITH (FORCE)")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	if out, err := exec.Command("pg_restore", "--no-owner", "--dbname="+u.String(), dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v: %s", err, out)
	}
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	var schema string
	err = db.QueryRow("SELECT table_schema FROM information_schema.tables WHERE table_name = 'audit_events'").Scan(&schema)
	db.Close()
	if err != nil {
		t.Fatalf("find the restored schema: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := store.Open(context.Background(), u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
