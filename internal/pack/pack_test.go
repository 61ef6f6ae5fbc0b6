package pack_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/pack/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func mustLoadDemo(t *testing.T, s *store.Store) {
	t.Helper()
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// meetingNamed finds a meeting by its title.
func meetingNamed(t *testing.T, s *store.Store, title string) *domain.Meeting {
	t.Helper()
	ms, err := store.All(context.Background(), s.Meetings, map[string]string{"q": title}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Title == title {
			return m
		}
	}
	t.Fatalf("no meeting %q", title)
	return nil
}

// forEachDB runs body on each database, SQLite first.
func forEachDB(t *testing.T, body func(t *testing.T, s *store.Store)) { storetest.ForEachDB(t, body) }

// TestDemo compiles, from the demo dataset, the pack of the working group's
// meeting no. 2 (what changed since meeting no. 1) and the first batch's
// annual report for 2024, on the fixed clock.
func TestDemo(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		mustLoadDemo(t, s)
		mt := meetingNamed(t, s, "成渝双核联动工作组第二次会议")
		p, err := pack.Build(context.Background(), s, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		doc := p.Doc()
		for _, f := range []pack.Format{pack.Markdown, pack.HTML} {
			b, err := doc.Bytes(f)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "demo-working-group-2.golden."+f.Ext(), b)
		}
		first, err := store.All(context.Background(), s.Batches, map[string]string{"q": "第一批"}, false)
		if err != nil || len(first) != 1 {
			t.Fatalf("first batch: %v", err)
		}
		a, err := pack.BuildAnnual(context.Background(), s, first[0].ID, 2024, storetest.Start)
		if err != nil {
			t.Fatal(err)
		}
		b, err := a.Doc().Bytes(pack.Markdown)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "demo-first-batch-annual-2024.golden.md", b)
	})
}
