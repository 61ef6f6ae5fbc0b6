package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/store"
)

// federationCollector exports, per peer, what the operator's alert watches
// (issue 14, point 5): entries not yet countersigned, whether the receipt
// is overdue, and forks of the peer's log. It reads the store at each
// scrape, a few indexed queries per peer (federation.AlertOf), so the
// figures are never older than the scrape.
type federationCollector struct {
	store *store.Store
	after time.Duration
	log   *slog.Logger
	lag   *prometheus.Desc
	late  *prometheus.Desc
	forks *prometheus.Desc
}

// scrapeTimeout bounds the store reads of one scrape: a scraper gives up
// after 10 s by default, and a locked database must not pile scrapes up.
const scrapeTimeout = 5 * time.Second

func newFederationCollector(s *store.Store, after time.Duration, log *slog.Logger) *federationCollector {
	if after <= 0 {
		after = federation.DefaultAlertAfter
	}
	peer := []string{"peer"}
	return &federationCollector{store: s, after: after, log: log,
		lag: prometheus.NewDesc("liandong_federation_lag_entries",
			"Entries of the log kept for the peer that it has not countersigned yet.", peer, nil),
		late: prometheus.NewDesc("liandong_federation_receipt_overdue",
			"1 when an entry has waited for the peer's receipt longer than LIANDONG_FEDERATION_ALERT_AFTER, 0 otherwise.", peer, nil),
		forks: prometheus.NewDesc("liandong_federation_forks",
			"Checkpoints of the peer's log refused because they contradict one seen before, kept as evidence.", peer, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *federationCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lag
	ch <- c.late
	ch <- c.forks
}

// Collect implements prometheus.Collector. A failed read is logged and the
// peers' series are left out of this scrape, which the alert rules see as
// absent rather than as a reassuring zero.
func (c *federationCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	peers, err := c.store.Peers(ctx)
	if err != nil {
		c.log.Error("metrics: read federation peers", "error", err)
		return
	}
	for _, p := range peers {
		st, err := federation.AlertOf(ctx, c.store, p)
		if err != nil {
			c.log.Error("metrics: read federation status", "peer", p.Name, "error", err)
			continue
		}
		overdue := 0.0
		if st.Overdue(st.CheckedAt, c.after) {
			overdue = 1
		}
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(st.Lag()), p.Name)
		ch <- prometheus.MustNewConstMetric(c.late, prometheus.GaugeValue, overdue, p.Name)
		ch <- prometheus.MustNewConstMetric(c.forks, prometheus.GaugeValue, float64(st.Forks), p.Name)
	}
}
