package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// itemAt reads the item's state at the end of day d from its trail.
func itemAt(t *testing.T, tr *store.Trail, id int64, d string) (domain.Item, bool) {
	t.Helper()
	var it domain.Item
	ok, err := tr.StateAt(id, domain.MustDate(d), &it)
	if err != nil {
		t.Fatal(err)
	}
	return it, ok
}

// TestOccurredDates: a fact recorded today with the day it happened is,
// in the trail, what it was on that day; the day is checked, kept on the
// event, covered by its hash, and events without one are as before.
func TestOccurredDates(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		it := w.item("成渝中线高铁", map[string]int64{"chengdu": w.cdDRC.ID}, "")
		it.Status = domain.NotStarted
		decided := store.WithOccurred(ctx, domain.MustDate("2022-09-15"), domain.DayPrecision)
		if err := s.Items.Create(decided, system, it); err != nil {
			t.Fatal(err)
		}
		it.Status = domain.Advancing
		if err := s.Items.Update(store.WithOccurred(ctx, domain.MustDate("2023-03-01"), domain.DayPrecision), system, it); err != nil {
			t.Fatal(err)
		}
		trail, err := s.Trail(ctx, "items", []int64{it.ID}, w.mech.Location())
		if err != nil {
			t.Fatal(err)
		}

		t.Run("StateFollowsTheDayItHappened", func(t *testing.T) {
			if _, ok := itemAt(t, trail, it.ID, "2022-09-14"); ok {
				t.Error("the item exists on 2022-09-14, the day before it was decided")
			}
			if got, ok := itemAt(t, trail, it.ID, "2022-12-31"); !ok || got.Status != domain.NotStarted {
				t.Errorf("at the end of 2022: exists %v, status %q; want %q", ok, got.Status, domain.NotStarted)
			}
			if got, ok := itemAt(t, trail, it.ID, "2023-05-12"); !ok || got.Status != domain.Advancing {
				t.Errorf("on 2023-05-12: exists %v, status %q; want %q", ok, got.Status, domain.Advancing)
			}
			day, stated, ok := trail.Occurred(it.ID)
			if !ok || !stated || day.String() != "2022-09-15" {
				t.Errorf("Occurred = %s, stated %v, %v; want 2022-09-15, stated", day, stated, ok)
			}
			if at, _ := trail.Recorded(it.ID); at.Year() != storetest.Start.Year() {
				t.Errorf("Recorded = %s, want the day it was entered", at)
			}
		})

		t.Run("HistoryKeepsBothDates", func(t *testing.T) {
			h, err := s.History(ctx, "items", it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 2 || h[0].OccurredOn.String() != "2022-09-15" || h[0].OccurredPrecision != domain.DayPrecision ||
				h[1].OccurredOn.String() != "2023-03-01" || h[0].At.Year() != storetest.Start.Year() {
				t.Fatalf("history %+v", h)
			}
		})

		t.Run("MonthAndYearPrecisionKept", func(t *testing.T) {
			on, precision, err := domain.ParseOccurred("2022-09")
			if err != nil {
				t.Fatal(err)
			}
			other := w.item("算力资源", map[string]int64{"chengdu": w.cdDRC.ID}, "")
			if err := s.Items.Create(store.WithOccurred(ctx, on, precision), system, other); err != nil {
				t.Fatal(err)
			}
			h, err := s.History(ctx, "items", other.ID)
			if err != nil {
				t.Fatal(err)
			}
			if h[0].OccurredOn.String() != "2022-09-01" || h[0].OccurredPrecision != domain.MonthPrecision {
				t.Fatalf("occurred %s (%s), want 2022-09-01 (month)", h[0].OccurredOn, h[0].OccurredPrecision)
			}
		})

		t.Run("FutureDayRefused", func(t *testing.T) {
			// The clock reads 2024-11-25 10:00 in Shanghai: that day may
			// be stated, the next may not.
			late := w.item("明日项目", map[string]int64{"chengdu": w.cdDRC.ID}, "")
			err := s.Items.Create(store.WithOccurred(ctx, domain.MustDate("2024-11-26"), domain.DayPrecision), system, late)
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "occurred_on")
			if err := s.Items.Create(store.WithOccurred(ctx, domain.MustDate("2024-11-25"), domain.DayPrecision), system, late); err != nil {
				t.Fatalf("today refused: %v", err)
			}
		})

		t.Run("DayBeforeMinYearRefused", func(t *testing.T) {
			old := w.item("古代项目", map[string]int64{"chengdu": w.cdDRC.ID}, "")
			err := s.Items.Create(store.WithOccurred(ctx, domain.NewDate(1899, 12, 31), domain.DayPrecision), system, old)
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "occurred_on")
		})

		t.Run("EventsWithoutADayKeepTheirHash", func(t *testing.T) {
			h, err := s.History(ctx, "batches", w.batch.ID)
			if err != nil {
				t.Fatal(err)
			}
			ev := h[0]
			if !ev.OccurredOn.IsZero() || ev.OccurredPrecision != "" {
				t.Fatalf("an event written without a day has one: %s (%s)", ev.OccurredOn, ev.OccurredPrecision)
			}
			// The hash as events were hashed before migration 0014.
			sum := sha256.New()
			for _, f := range []string{ev.PrevHash, ev.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(ev.ActorID, 10),
				ev.Action, ev.Entity, strconv.FormatInt(ev.EntityID, 10), ev.Before, ev.After} {
				fmt.Fprintf(sum, "%d:%s;", len(f), f)
			}
			if got := hex.EncodeToString(sum.Sum(nil)); got != ev.Hash {
				t.Errorf("hash %s, want the hash without a day %s", ev.Hash, got)
			}
			if n, err := s.VerifyAudit(ctx); err != nil {
				t.Fatalf("verify (%d events): %v", n, err)
			}
		})

		t.Run("EditedDayCaught", func(t *testing.T) {
			sealed(t, s)
			var id int64
			if err := s.DB().QueryRow(rebind(s, "SELECT id FROM audit_events WHERE entity = 'items' AND entity_id = ? AND action = 'create'"), it.ID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().Exec(rebind(s, "UPDATE audit_events SET occurred_on = ? WHERE id = ?"), "2021-01-01", id); err != nil {
				t.Fatal(err)
			}
			_, err := s.VerifyAudit(ctx)
			mustFail(t, err, fmt.Sprintf("audit event %d does not match its hash", id))
		})
	})
}

// TestOccurredDayOnAnEventWithoutOneCaught: giving a day to an event
// sealed without one is an edit too.
func TestOccurredDayOnAnEventWithoutOneCaught(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		sealed(t, s)
		var id int64
		if err := s.DB().QueryRow(rebind(s, "SELECT id FROM audit_events WHERE entity = 'batches' AND entity_id = ?"), w.batch.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		mustExec(t, s, fmt.Sprintf("UPDATE audit_events SET occurred_on = '2020-01-01', occurred_precision = 'day' WHERE id = %d", id))
		_, err := s.VerifyAudit(context.Background())
		mustFail(t, err, fmt.Sprintf("audit event %d does not match its hash", id))
	})
}
