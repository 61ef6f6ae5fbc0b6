package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestLedgerUploadsKeptForTheirOwnerForADay: an upload reads back byte for
// byte (an XLSX is binary) for its uploader only; it is gone after a day,
// swept by the next upload, and gone once deleted.
func TestLedgerUploadsKeptForTheirOwnerForADay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		owner := mustCreate(t, s.Users, &domain.User{Email: "owner@example.gov.cn", Name: "秘书处", Locale: "zh-CN", Password: "correct horse battery"})
		other := mustCreate(t, s.Users, &domain.User{Email: "other@example.gov.cn", Name: "别人", Locale: "zh-CN", Password: "correct horse battery"})
		now := storetest.Start
		s.Now = func() time.Time { return now }
		file := []byte("PK\x03\x04\x00\xff\xfe 台账 \x00")
		up := &store.LedgerUpload{UserID: owner.ID, MechanismID: w.mech.ID, BatchID: w.batch.ID, Name: "台账.xlsx", Format: "xlsx", Bytes: file}
		if err := s.SaveLedgerUpload(ctx, up); err != nil || up.ID == 0 {
			t.Fatalf("save: %v", err)
		}
		got, err := s.LedgerUpload(ctx, owner.ID, up.ID)
		if err != nil || !bytes.Equal(got.Bytes, file) || got.Name != "台账.xlsx" || got.BatchID != w.batch.ID || got.Format != "xlsx" {
			t.Fatalf("read back %+v, %v", got, err)
		}
		_, err = s.LedgerUpload(ctx, other.ID, up.ID)
		wantCode(t, err, domain.NotFound)
		wantField(t, s.SaveLedgerUpload(ctx, &store.LedgerUpload{UserID: owner.ID, MechanismID: w.mech.ID, BatchID: w.batch.ID, Format: "xls", Bytes: file}), "format")

		now = now.Add(store.LedgerUploadLifetime)
		_, err = s.LedgerUpload(ctx, owner.ID, up.ID)
		wantCode(t, err, domain.NotFound)
		fresh := &store.LedgerUpload{UserID: other.ID, MechanismID: w.mech.ID, BatchID: w.batch.ID, Name: "b.csv", Format: "csv", Bytes: []byte("编号,项目名称\n")}
		if err := s.SaveLedgerUpload(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM ledger_uploads").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after the sweep %d uploads (%v), want only the fresh one", n, err)
		}
		if err := s.DeleteLedgerUpload(ctx, owner.ID, fresh.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LedgerUpload(ctx, other.ID, fresh.ID); err != nil {
			t.Fatalf("another user deleted the upload: %v", err)
		}
		if err := s.DeleteLedgerUpload(ctx, other.ID, fresh.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.LedgerUpload(ctx, other.ID, fresh.ID)
		wantCode(t, err, domain.NotFound)
	})
}
