package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestAuditLogAcrossTransactions: the events of one transaction (an
// import's) and of concurrent single-event transactions all enter the
// log's tree, each at its own place, and the whole log verifies.
func TestAuditLogAcrossTransactions(t *testing.T) {
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
			t.Fatalf("log of %d events: %v", n, err)
		}
		var events, places, first, last int
		if err := s.DB().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM audit_events`).Scan(&events, &places, &first, &last); err != nil {
			t.Fatal(err)
		}
		if events != n || places != n || first != 0 || last != n-1 {
			t.Errorf("%d events verified; %d events hold %d places from %d to %d, want each its own place from 0", n, events, places, first, last)
		}
	})
}
