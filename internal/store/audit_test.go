package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestAuditChainAcrossOneTransaction: many events in one transaction (an
// import's) chain one to the next, and concurrent transactions of single
// events chain after them; the whole chain verifies.
func TestAuditChainAcrossOneTransaction(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		err := s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
			for i := range 5 {
				if err := s.Items.CreateTx(ctx, tx, w.item(fmt.Sprintf("同一事务%d", i), nil, "")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		for i := range 4 {
			go func() { done <- s.Items.Create(ctx, domain.Actor{}, w.item(fmt.Sprintf("并发%d", i), nil, "")) }()
		}
		for range 4 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.VerifyAudit(ctx)
		if err != nil {
			t.Fatalf("chain of %d events: %v", n, err)
		}
		var linked int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON b.id = (SELECT MIN(id) FROM audit_events WHERE id > a.id) WHERE b.prev_hash = a.hash`).Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked != n-1 {
			t.Errorf("%d of %d events follow the one before them", linked, n-1)
		}
	})
}
