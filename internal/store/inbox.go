package store

import (
	"context"
	"fmt"
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
// may have changed: the records that owe or await work (items, reports,
// problems, tasks), the changes waiting for a side's confirmation, and
// the users' grants, the mechanisms' members and rules, and the units of each place. A cache of inboxes keyed by
// it stays right on every instance sharing the database.
func (s *Store) WorkStamp(ctx context.Context) (string, error) {
	st, err := s.Stamp(ctx, "items", "reports", "problems", "tasks", "users", "mechanisms", "organizations", "jurisdictions")
	if err != nil {
		return "", err
	}
	var n, last, pending int64
	err = s.reader().queryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0) FROM item_changes").Scan(&n, &last, &pending)
	if err != nil {
		return "", domain.Internalf(err, "stamp item_changes")
	}
	return st + fmt.Sprintf("item_changes:%d:%d:%d;", n, last, pending), nil
}
