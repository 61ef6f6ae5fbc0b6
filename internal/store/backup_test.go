package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestOnlineBackupHoldsEveryAcknowledgedWrite takes a SQLite backup while
// writers keep writing, opens it as a database, and finds it sound, its
// audit chain intact and every write acknowledged before the backup began.
func TestOnlineBackupHoldsEveryAcknowledgedWrite(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpenSQLite(t)
	root := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Name: "重庆市", Kind: domain.Municipality})
	var acked sync.Map
	var count atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				j := &domain.Jurisdiction{ParentID: root.ID, Name: "区", Kind: domain.District}
				if err := s.Jurisdictions.Create(ctx, domain.Actor{}, j); err == nil {
					acked.Store(j.ID, true)
					count.Add(1)
				}
			}
		}()
	}
	for count.Load() < 50 {
		time.Sleep(time.Millisecond)
	}
	var before []int64
	acked.Range(func(k, _ any) bool { before = append(before, k.(int64)); return true })
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()

	b, err := store.Open(ctx, dest, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := b.VerifyAudit(ctx); err != nil || n < len(before) {
		t.Fatalf("audit in backup: %d events, %v", n, err)
	}
	for _, id := range before {
		if _, err := b.Jurisdictions.Get(ctx, id); err != nil {
			t.Fatalf("jurisdiction %d, acknowledged before the backup began, is missing: %v", id, err)
		}
	}
	if err := s.Backup(ctx, dest); domain.ErrorCode(err) != domain.Conflict {
		t.Fatalf("backup over an existing file: %v", err)
	}
}

// TestPostgresBackupRestores dumps a PostgreSQL schema with pg_dump under
// write load, restores it into a new database with pg_restore, and finds
// every write acknowledged before the dump began and an intact audit chain.
func TestPostgresBackupRestores(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpenPostgres(t)
	if s == nil {
		t.Skip("LIANDONG_TEST_POSTGRES_URL is not set")
	}
	root := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Name: "四川省", Kind: domain.Province})
	var ids []int64
	for i := 0; i < 30; i++ {
		ids = append(ids, mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: root.ID, Name: "县", Kind: domain.County}).ID)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				s.Jurisdictions.Create(ctx, domain.Actor{}, &domain.Jurisdiction{ParentID: root.ID, Name: "区", Kind: domain.District})
			}
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup.dump")
	err := s.Backup(ctx, dest)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	restored := storetest.RestorePostgres(t, dest)
	if err := restored.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := restored.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := restored.Jurisdictions.Get(ctx, id); err != nil {
			t.Fatalf("jurisdiction %d missing from the restored copy: %v", id, err)
		}
	}
}
