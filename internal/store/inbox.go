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
// mechanism's members — appends an audit event in its own transaction, so
// the stamp is made of the events: the newest event's id, which a commit
// usually raises, and the size of the sealed log, which grows when the
// sealer places an event committed after a newer one (ids are taken before
// commit, and commits no longer wait for each other; the sealer places it
// within a moment). Both are read through indexes whatever the size of the
// tables. A cache of inboxes keyed by the stamp stays right on every
// instance sharing the database. Errors: Internal.
func (s *Store) WorkStamp(ctx context.Context) (string, error) {
	stamp, _, err := s.workStamp(ctx, 0)
	return stamp, err
}

// WorkStampSeen is WorkStamp and InboxSeen in one query: what the menu's
// count asks on every page. Errors: Internal.
func (s *Store) WorkStampSeen(ctx context.Context, userID int64) (string, time.Time, error) {
	return s.workStamp(ctx, userID)
}

// workStampColumns read the work stamp's parts: the newest event's id and
// the sealed log's size (formatWorkStamp).
const workStampColumns = "(SELECT COALESCE(MAX(id), 0) FROM audit_events), (SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_events)"

func formatWorkStamp(last, sealed int64) string {
	return strconv.FormatInt(last, 10) + "/" + strconv.FormatInt(sealed, 10)
}

func (s *Store) workStamp(ctx context.Context, userID int64) (string, time.Time, error) {
	var last, sealed int64
	var seen *time.Time
	err := s.reader().queryRow(ctx, "SELECT "+workStampColumns+", (SELECT seen_at FROM inbox_seen WHERE user_id = ?)", userID).Scan(&last, &sealed, nullTime{&seen})
	if err != nil {
		return "", time.Time{}, domain.Internalf(err, "read the newest audit event")
	}
	stamp := formatWorkStamp(last, sealed)
	if seen == nil {
		return stamp, time.Time{}, nil
	}
	return stamp, *seen, nil
}
