package store_test

import (
	"context"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestReferencesStamp: the stamp pages keep their reference lists by moves
// on every write to a unit, a place, a mechanism or a batch (created, updated,
// archived, or written in SQL behind the store's back), only once the
// write commits, and not on writes to other records.
func TestReferencesStamp(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		last, err := s.ReferencesStamp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		moved := func(t *testing.T, what string, want bool) {
			t.Helper()
			now, err := s.ReferencesStamp(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if (now != last) != want {
				t.Errorf("%s: stamp %d then %d, want it to move: %v", what, last, now, want)
			}
			last = now
		}
		mustCreate(t, s.Items, w.item("成渝中线高铁", nil, ""))
		moved(t, "an item created", false)

		u := mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: w.cd.ID, Name: "成都市经济和信息化局", Kind: domain.Department})
		moved(t, "a unit created", true)
		u.Name = "成都市经济和信息化局（更名）"
		if err := s.Organizations.Update(ctx, system, u); err != nil {
			t.Fatal(err)
		}
		moved(t, "a unit renamed", true)
		if _, err := s.Organizations.Archive(ctx, system, u.ID, u.Version); err != nil {
			t.Fatal(err)
		}
		moved(t, "a unit archived", true)

		w.mech.Name = "成渝双核联动工作组（更名）"
		if err := s.Mechanisms.Update(ctx, system, w.mech); err != nil {
			t.Fatal(err)
		}
		moved(t, "a mechanism renamed", true)
		mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: w.cd.ID, Name: "郫都区", Kind: domain.District})
		moved(t, "a place created", true)
		mustCreate(t, s.Batches, &domain.Batch{MechanismID: w.mech.ID, Name: "第二批合作项目"})
		moved(t, "a batch created", true)

		// A write in SQL, which no code of the store sees.
		if _, err := s.DB().Exec(rebind(s, "UPDATE jurisdictions SET name = ? WHERE id = ?"), "温江", w.wj.ID); err != nil {
			t.Fatal(err)
		}
		moved(t, "a place renamed in SQL", true)

		// Until a write commits, readers see the stamp it had.
		tx, err := s.DB().Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(rebind(s, "UPDATE organizations SET name = ? WHERE id = ?"), "未提交的名称", w.cdDRC.ID); err != nil {
			t.Fatal(err)
		}
		moved(t, "a unit renamed, not yet committed", false)
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		moved(t, "a unit renamed and rolled back", false)
	})
}
