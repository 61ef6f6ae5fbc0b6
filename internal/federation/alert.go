package federation

import (
	"context"
	"fmt"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// DefaultAlertAfter is how long an entry of the log kept for a peer may
// wait for the peer's receipt before the operator's alert fires (issue 14,
// point 5): a sync runs every 30 seconds, so ten minutes without a receipt
// means the peer is down or refuses our log, not that it is slow.
const DefaultAlertAfter = 10 * time.Minute

// AlertAfterFrom reads LIANDONG_FEDERATION_ALERT_AFTER through getenv:
// a duration such as 10m, DefaultAlertAfter when unset.
func AlertAfterFrom(getenv func(string) string) (time.Duration, error) {
	v := getenv("LIANDONG_FEDERATION_ALERT_AFTER")
	if v == "" {
		return DefaultAlertAfter, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("LIANDONG_FEDERATION_ALERT_AFTER=%q: want a duration such as 10m", v)
	}
	return d, nil
}

// AlertOf reads the part of peer p's status the alert and the metrics
// need: the log's size, what the receipts cover and since when the oldest
// entry waits, and the forks. It leaves out what was received, which would
// read every envelope's outcome: it is cheap enough for every scrape.
func AlertOf(ctx context.Context, s *store.Store, p *domain.Peer) (Status, error) {
	rc, err := s.Receipts(ctx, p)
	if err != nil {
		return Status{}, err
	}
	return Status{Shares: p.Shares, LogSize: rc.LogSize, Countersigned: rc.Countersigned, LastReceipt: rc.LastReceipt,
		OldestWaiting: rc.OldestWaiting, Forks: rc.Forks, CheckedAt: s.Now(), AlertAfter: DefaultAlertAfter}, nil
}
