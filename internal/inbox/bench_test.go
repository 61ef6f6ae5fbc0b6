package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// benchLiaison is a liaison of 温江区人民政府 on the demo, whose inbox
// holds the demo's report due.
func benchLiaison(b *testing.B) (*store.Store, *domain.User) {
	s := storetest.MustOpenSQLite(b)
	u, _, _ := demoLiaison(b, s, "bench-inbox@example.gov.cn")
	return s, u
}

var benchNow = time.Date(2024, 11, 26, 3, 0, 0, 0, time.UTC)

// BenchmarkFor reads every rule of a liaison's inbox on the demo: what the
// inbox page and the API pay.
func BenchmarkFor(b *testing.B) {
	s, u := benchLiaison(b)
	ctx := context.Background()
	for b.Loop() {
		in, err := inbox.For(ctx, s, u, benchNow)
		if err != nil || in.Total == 0 {
			b.Fatalf("inbox: %d entries, %v", in.Total, err)
		}
	}
}

// BenchmarkUnread is the menu's count on every page once the inbox is
// kept (nothing changed since): the stamp of the tables it lists and when
// the user last looked.
func BenchmarkUnread(b *testing.B) {
	s, u := benchLiaison(b)
	ctx := context.Background()
	c := inbox.NewCounter(s)
	for b.Loop() {
		if n, err := c.Unread(ctx, u, benchNow); err != nil || n == 0 {
			b.Fatalf("unread: %d, %v", n, err)
		}
	}
}
