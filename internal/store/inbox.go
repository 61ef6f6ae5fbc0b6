package store

import (
	"context"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// Principal returns actor's grants as the policy resolves them (a unit, the
// units of a jurisdiction, a mechanism's member units), for callers that
// gather what is due from the units a user acts for. Errors: Internal.
func (s *Store) Principal(ctx context.Context, actor domain.Actor) (*policy.Principal, error) {
	return s.reader().principal(ctx, actor.User)
}

// InboxSeen returns when the user last opened their inbox; the zero time
// when they never did. Errors: Internal.
func (s *Store) InboxSeen(ctx context.Context, userID int64) (time.Time, error) {
	var at time.Time
	err := s.reader().queryRow(ctx, "SELECT seen_at FROM inbox_seen WHERE user_id = ?", userID).Scan(timeCol{&at})
	if isNoRows(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, domain.Internalf(err, "read when the inbox was seen")
	}
	return at, nil
}

// MarkInboxSeen records that the user opened their inbox now, by the
// store's clock (the clock that dates the records the inbox lists), and
// returns that time. Errors: Internal.
func (s *Store) MarkInboxSeen(ctx context.Context, userID int64) (time.Time, error) {
	now := s.now()
	_, err := s.reader().exec(ctx, "INSERT INTO inbox_seen (user_id, seen_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET seen_at = EXCLUDED.seen_at", userID, now)
	if err != nil {
		return time.Time{}, domain.Internalf(err, "record that the inbox was seen")
	}
	return now, nil
}

// WorkStamp returns a value that changes whenever anything an inbox lists
// may have changed. Every change of a record — items, reports, problems,
// tasks, a change proposed, confirmed or rejected, a user's grants, a
// mechanism's members — appends an audit event in its own transaction, one
// after another along the hash chain, so the newest event's id is such a
// value, read through the primary key whatever the size of the tables. A
// cache of inboxes keyed by it stays right on every instance sharing the
// database. Errors: Internal.
func (s *Store) WorkStamp(ctx context.Context) (string, error) {
	var last int64
	if err := s.reader().queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM audit_events").Scan(&last); err != nil {
		return "", domain.Internalf(err, "read the newest audit event")
	}
	return strconv.FormatInt(last, 10), nil
}
