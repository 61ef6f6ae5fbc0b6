package federation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Status is what an installation knows of one peer: what it sent and the
// peer countersigned, what it received and what became of it.
type Status struct {
	Shares        []string
	LogSize       int64     // entries in the log kept for the peer
	Countersigned int64     // of which the peer's last receipt covers
	LastReceipt   time.Time // when that receipt came; zero if none
	Applied       int       // envelopes received and applied
	Duplicates    int       // received again, changing nothing
	Refused       []store.InboxOutcome
	Witnessed     int64     // size of the peer's log last witnessed
	LastWitnessed time.Time // when
	Forks         int       // checkpoints refused as a fork, kept as evidence
	// OldestWaiting is when the oldest entry the peer has not countersigned
	// was written; zero when it has countersigned them all.
	OldestWaiting time.Time
	// CheckedAt is when the status was read (the store's clock), and
	// AlertAfter how long an entry may wait for its receipt before String
	// raises the alarm (DefaultAlertAfter unless the caller sets it).
	CheckedAt  time.Time
	AlertAfter time.Duration
}

// Lag is how many entries of the log kept for the peer it has not yet
// countersigned.
func (st Status) Lag() int64 { return st.LogSize - st.Countersigned }

// StatusOf reads the status of peer p.
func StatusOf(ctx context.Context, s *store.Store, p *domain.Peer) (Status, error) {
	st := Status{Shares: p.Shares, CheckedAt: s.Now(), AlertAfter: DefaultAlertAfter}
	var err error
	if st.LogSize, err = s.OutboxSize(ctx, p); err != nil {
		return st, err
	}
	sent, err := s.Checkpoints(ctx, p, store.SentCheckpoint)
	if err != nil {
		return st, err
	}
	for _, c := range sent {
		if c.Size >= st.Countersigned {
			st.Countersigned, st.LastReceipt = c.Size, c.CosignedAt
		}
	}
	outcomes, err := s.Outcomes(ctx, p)
	if err != nil {
		return st, err
	}
	for _, o := range outcomes {
		switch o.Outcome {
		case store.Applied:
			st.Applied++
		case store.Duplicate:
			st.Duplicates++
		default:
			st.Refused = append(st.Refused, o)
		}
	}
	seen, err := s.Checkpoints(ctx, p, store.WitnessedCheckpoint)
	if err != nil {
		return st, err
	}
	if len(seen) > 0 {
		last := seen[len(seen)-1]
		st.Witnessed, st.LastWitnessed = last.Size, last.RecordedAt
	}
	forks, err := s.Checkpoints(ctx, p, store.ForkedCheckpoint)
	if err != nil {
		return st, err
	}
	st.Forks = len(forks)
	rc, err := s.Receipts(ctx, p)
	if rc.Countersigned == st.Countersigned {
		st.OldestWaiting = rc.OldestWaiting
	}
	return st, err
}

// Overdue says whether the operator's alert fires at now: the peer has not
// countersigned some entry of the log kept for it, and the oldest such
// entry was written more than after ago.
func (st Status) Overdue(now time.Time, after time.Duration) bool {
	return st.Lag() > 0 && !st.OldestWaiting.IsZero() && now.Sub(st.OldestWaiting) > after
}

// String is the status as 'liandong federation status' prints it.
func (st Status) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  shares       %s\n", strings.Join(st.Shares, ", "))
	fmt.Fprintf(&b, "  sent         %d entries, %d countersigned", st.LogSize, st.Countersigned)
	if !st.LastReceipt.IsZero() {
		fmt.Fprintf(&b, " (receipt %s)", st.LastReceipt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "\n  received     %d applied, %d duplicates, %d refused\n", st.Applied, st.Duplicates, len(st.Refused))
	for _, o := range st.Refused {
		fmt.Fprintf(&b, "    refused #%d %s: %s\n", o.Seq, o.EventID, o.Reason)
	}
	fmt.Fprintf(&b, "  witnessed    their log at %d entries", st.Witnessed)
	if !st.LastWitnessed.IsZero() {
		fmt.Fprintf(&b, " (%s)", st.LastWitnessed.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n")
	if st.Lag() > 0 && !st.OldestWaiting.IsZero() {
		fmt.Fprintf(&b, "  waiting      %d entries not countersigned, the oldest since %s\n", st.Lag(), st.OldestWaiting.UTC().Format(time.RFC3339))
	}
	if st.Overdue(st.CheckedAt, st.AlertAfter) {
		fmt.Fprintf(&b, "  ALARM        no receipt for %s: the peer has not countersigned entries written more than %s ago\n",
			st.CheckedAt.Sub(st.OldestWaiting).Round(time.Second), st.AlertAfter)
	}
	if st.Forks > 0 {
		fmt.Fprintf(&b, "  ALARM        %d checkpoints of their log contradict one seen before: kept as evidence\n", st.Forks)
	}
	return b.String()
}
