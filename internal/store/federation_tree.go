package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/liandong/liandong/internal/domain"
)

// The ends of the two logs kept per peer, read by their last place rather
// than counted: a node that keeps the logs' hash trees in memory asks, on
// every pull and checkpoint, only how far the store has got and whether
// the last envelope is still the one it hashed (issue 14, 10,000 events).

// OutboxTail is the size of the log kept for peer and its last envelope
// (nil when the log is empty).
func (s *Store) OutboxTail(ctx context.Context, peer *domain.Peer) (int64, []byte, error) {
	return outboxTail(ctx, s.reader(), peer.ID)
}

// InboxTail is how many envelopes of peer's log this installation holds
// and the last of them (nil when none). Envelopes are kept at places 0, 1,
// 2 … without a gap (Receive refuses any other place), so the last place
// plus one is the count Held gives, read from the index alone.
func (s *Store) InboxTail(ctx context.Context, peer *domain.Peer) (int64, []byte, error) {
	var seq int64
	var env string
	err := s.reader().queryRow(ctx, "SELECT seq, envelope FROM federation_inbox WHERE peer_id = ? ORDER BY seq DESC LIMIT 1", peer.ID).Scan(&seq, &env)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, domain.Internalf(err, "read envelopes received")
	}
	return seq + 1, []byte(env), nil
}
