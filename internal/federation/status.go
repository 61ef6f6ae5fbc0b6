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
}

// Lag is how many entries of the log kept for the peer it has not yet
// countersigned.
func (st Status) Lag() int64 { return st.LogSize - st.Countersigned }

// StatusOf reads the status of peer p.
func StatusOf(ctx context.Context, s *store.Store, p *domain.Peer) (Status, error) {
	st := Status{Shares: p.Shares}
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
	st.Forks = len(forks)
	return st, err
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
	if st.Forks > 0 {
		fmt.Fprintf(&b, "  ALARM        %d checkpoints of their log contradict one seen before: kept as evidence\n", st.Forks)
	}
	return b.String()
}
