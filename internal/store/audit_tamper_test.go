package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
	"golang.org/x/mod/sumdb/tlog"
)

// allEvents reads every audit event through History, oldest first.
func allEvents(t *testing.T, s *store.Store) []domain.AuditEvent {
	t.Helper()
	rows, err := s.DB().Query("SELECT DISTINCT entity, entity_id FROM audit_events")
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		entity string
		id     int64
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.entity, &k.id); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	var out []domain.AuditEvent
	for _, k := range keys {
		h, err := s.History(context.Background(), k.entity, k.id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// rechain rewrites the after-state of event id and recomputes the hash of
// it and of every later event the way the hash chain computes them, as
// someone with write access to the database and the source would.
func rechain(t *testing.T, s *store.Store, id int64, after string) {
	t.Helper()
	prev := ""
	for _, ev := range allEvents(t, s) {
		if ev.ID < id {
			prev = ev.Hash
			continue
		}
		if ev.ID == id {
			ev.After = after
		}
		h := sha256.New()
		for _, f := range []string{prev, ev.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(ev.ActorID, 10),
			ev.Action, ev.Entity, strconv.FormatInt(ev.EntityID, 10), ev.Before, ev.After} {
			fmt.Fprintf(h, "%d:%s;", len(f), f)
		}
		hash := hex.EncodeToString(h.Sum(nil))
		if _, err := s.DB().Exec(rebind(s, "UPDATE audit_events SET after_json = ?, prev_hash = ?, hash = ? WHERE id = ?"), ev.After, prev, hash, ev.ID); err != nil {
			t.Fatal(err)
		}
		prev = hash
	}
}

func rebind(s *store.Store, q string) string {
	if s.Dialect() != "postgres" {
		return q
	}
	for n := 1; strings.Contains(q, "?"); n++ {
		q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
	}
	return q
}

// sealed seals the log and returns its tree, as a checkpoint issued then
// would hold it.
func sealed(t *testing.T, s *store.Store) tlog.Tree {
	t.Helper()
	tree, err := s.SealAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// rebuildTree throws the tree away and seals every event again, as someone
// who rewrote events and knows how the log is sealed would.
func rebuildTree(t *testing.T, s *store.Store) {
	t.Helper()
	mustExec(t, s, "DELETE FROM audit_tree", "UPDATE audit_events SET seq = NULL")
	sealed(t, s)
}

// mustExec runs queries as one transaction, as a tamperer would, so that
// the background sealer sees the database before or after the edit, never
// halfway (it would seal what the next statement then cuts away).
func mustExec(t *testing.T, s *store.Store, queries ...string) {
	t.Helper()
	tx, err := s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range queries {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func mustFail(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("verify = %v, want an error saying %q", err, want)
	}
}

// TestAuditRewriteCaught: an event rewritten with every later hash
// recomputed fails verification; when its author also rebuilt the tree and
// changed the row to match, only a checkpoint issued before catches it.
func TestAuditRewriteCaught(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		checkpoint := sealed(t, s)
		mustCreate(t, s.Items, w.item("成渝中线高铁", nil, ""))
		sealed(t, s)
		var id int64
		var after string
		if err := s.DB().QueryRow("SELECT id, after_json FROM audit_events WHERE entity = 'batches'").Scan(&id, &after); err != nil {
			t.Fatal(err)
		}
		forged := strings.Replace(after, "第一批合作项目", "改写的批次", 1)
		rechain(t, s, id, forged)
		t.Run("HashesRecomputed", func(t *testing.T) {
			_, err := s.VerifyAudit(ctx)
			mustFail(t, err, fmt.Sprintf("audit event %d is not the event sealed at its place", id))
		})
		if _, err := s.DB().Exec(rebind(s, "UPDATE batches SET name = ? WHERE id = ?"), "改写的批次", w.batch.ID); err != nil {
			t.Fatal(err)
		}
		rebuildTree(t, s)
		t.Run("TreeRebuilt", func(t *testing.T) {
			if n, err := s.VerifyAudit(ctx); err != nil {
				t.Fatalf("without a checkpoint a rebuilt log is consistent, yet verify says (%d events): %v", n, err)
			}
			_, err := s.VerifyAudit(ctx, checkpoint)
			mustFail(t, err, fmt.Sprintf("does not extend the checkpoint of %d events", checkpoint.N))
		})
	})
}

// TestAuditTruncationCaught: the newest events deleted, with their part
// of the tree, fail verification against a checkpoint that held them.
func TestAuditTruncationCaught(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		it := mustCreate(t, s.Items, w.item("成渝中线高铁", nil, ""))
		before := sealed(t, s)
		it.Title = "成渝中线高速铁路"
		if err := s.Items.Update(ctx, system, it); err != nil {
			t.Fatal(err)
		}
		checkpoint := sealed(t, s)
		mustExec(t, s, fmt.Sprintf("DELETE FROM audit_events WHERE seq >= %d", before.N),
			fmt.Sprintf("DELETE FROM audit_tree WHERE idx >= %d", tlog.StoredHashIndex(0, before.N)))
		_, err := s.VerifyAudit(ctx, checkpoint)
		mustFail(t, err, fmt.Sprintf("holds %d events, fewer than the %d of a checkpoint", before.N, checkpoint.N))
		// Without the checkpoint, the row no longer matching its last
		// event gives the deletion away.
		_, err = s.VerifyAudit(ctx)
		mustFail(t, err, fmt.Sprintf("item %d differs from its last audit event (title is", it.ID))
	})
}

// TestAuditRowEditCaught: a business row changed or added without an
// event fails verification, naming the row.
func TestAuditRowEditCaught(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		it := mustCreate(t, s.Items, w.item("成渝中线高铁", nil, ""))
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("untouched: %v", err)
		}
		if _, err := s.DB().Exec(rebind(s, "UPDATE items SET title = ? WHERE id = ?"), "改过的标题", it.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.VerifyAudit(ctx)
		mustFail(t, err, fmt.Sprintf(`item %d differs from its last audit event (title is "改过的标题" in the row, "成渝中线高铁" in the event)`, it.ID))
		if _, err := s.DB().Exec(rebind(s, "UPDATE items SET title = ? WHERE id = ?"), it.Title, it.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(rebind(s, "INSERT INTO organizations (version, source, created_at, updated_at, jurisdiction_id, name, kind) VALUES (1, '', ?, ?, ?, ?, ?)"),
			storetest.Start, storetest.Start, w.cd.ID, "未经记录的单位", string(domain.Department)); err != nil {
			t.Fatal(err)
		}
		_, err = s.VerifyAudit(ctx)
		mustFail(t, err, "has no audit event recording its state: it was written without one")
	})
}

// TestAuditExtendsCheckpoints: a clean log that grew after its checkpoints
// verifies against all of them, the empty one included.
func TestAuditExtendsCheckpoints(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		empty := sealed(t, s)
		w := newWorld(t, s)
		first := sealed(t, s)
		mustCreate(t, s.Items, w.item("成渝中线高铁", nil, ""))
		second := sealed(t, s)
		mustCreate(t, s.Items, w.item("川渝电网一体化", nil, ""))
		n, err := s.VerifyAudit(ctx, empty, first, second)
		if err != nil {
			t.Fatal(err)
		}
		if int64(n) <= second.N || empty.N != 0 || first.N >= second.N {
			t.Errorf("%d events verified against checkpoints of %d, %d and %d", n, empty.N, first.N, second.N)
		}
	})
}

// TestAuditUnsealedEventsSealed: events committed but not yet sealed when
// the process died (their places and tree hashes never written) are sealed
// by the next seal, after those sealed before, and the log still extends
// the checkpoints issued before.
func TestAuditUnsealedEventsSealed(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		checkpoint := sealed(t, s)
		mustCreate(t, s.Items, w.item("成渝中线高铁", nil, ""))
		mustCreate(t, s.Items, w.item("川渝电网一体化", nil, ""))
		sealed(t, s)
		// The crash is staged under the seal's lock: a background seal
		// woken by the commits above must not run between its two steps
		// (on PostgreSQL it would read the events unsealed and the tree
		// not yet cut).
		staged := []string{fmt.Sprintf("UPDATE audit_events SET seq = NULL WHERE seq >= %d", checkpoint.N),
			fmt.Sprintf("DELETE FROM audit_tree WHERE idx >= %d", tlog.StoredHashIndex(0, checkpoint.N))}
		if s.Dialect() == "postgres" {
			staged = append([]string{"SELECT pg_advisory_xact_lock(7244330)"}, staged...)
		}
		mustExec(t, s, staged...)
		n, err := s.VerifyAudit(ctx, checkpoint)
		if err != nil {
			t.Fatal(err)
		}
		var events, unsealed int
		if err := s.DB().QueryRow("SELECT COUNT(*), COUNT(*) - COUNT(seq) FROM audit_events").Scan(&events, &unsealed); err != nil {
			t.Fatal(err)
		}
		if n != events || unsealed != 0 || int64(n) <= checkpoint.N {
			t.Errorf("verified %d of %d events, %d left unsealed; want all sealed after the %d of the checkpoint", n, events, unsealed, checkpoint.N)
		}
	})
}
