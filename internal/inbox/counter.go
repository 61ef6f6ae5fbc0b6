package inbox

import (
	"context"
	"sync"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Counter keeps each user's inbox until anything it lists may have changed
// (the store's WorkStamp, read from the database, so every instance sees
// another's writes) or the hour turns (periods begin, problems become
// overdue), so that the menu's count, which every page shows, costs a few
// small queries rather than a reading of every rule. It is safe for
// concurrent use.
type Counter struct {
	s      *store.Store
	mu     sync.Mutex
	byUser map[int64]kept
}

type kept struct {
	stamp   string
	hour    time.Time
	version int64
	in      Inbox
}

// maxKept bounds the users whose inboxes a Counter keeps; past it, it
// starts again.
const maxKept = 10000

// NewCounter returns a Counter over s.
func NewCounter(s *store.Store) *Counter { return &Counter{s: s, byUser: map[int64]kept{}} }

// Inbox returns For(user, now), computed again only when the store
// changed, the hour turned or the user (their grants) changed.
func (c *Counter) Inbox(ctx context.Context, user *domain.User, now time.Time) (Inbox, error) {
	if user == nil {
		return Inbox{Groups: []Group{}}, nil
	}
	stamp, err := c.s.WorkStamp(ctx)
	if err != nil {
		return Inbox{}, err
	}
	return c.inbox(ctx, user, now, stamp)
}

// inbox is Inbox with the store's WorkStamp read.
func (c *Counter) inbox(ctx context.Context, user *domain.User, now time.Time, stamp string) (Inbox, error) {
	hour := now.Truncate(time.Hour)
	c.mu.Lock()
	k, ok := c.byUser[user.ID]
	c.mu.Unlock()
	if ok && k.stamp == stamp && k.hour.Equal(hour) && k.version == user.Version {
		return k.in, nil
	}
	in, err := For(ctx, c.s, user, now)
	if err != nil {
		return Inbox{}, err
	}
	c.mu.Lock()
	if len(c.byUser) >= maxKept {
		c.byUser = map[int64]kept{}
	}
	c.byUser[user.ID] = kept{stamp: stamp, hour: hour, version: user.Version, in: in}
	c.mu.Unlock()
	return in, nil
}

// Unread counts the entries of user's inbox that arose since they last
// opened it: the menu's "待办 N".
func (c *Counter) Unread(ctx context.Context, user *domain.User, now time.Time) (int, error) {
	if user == nil {
		return 0, nil
	}
	stamp, seen, err := c.s.WorkStampSeen(ctx, user.ID)
	if err != nil {
		return 0, err
	}
	return c.UnreadSince(ctx, user, now, stamp, seen)
}

// UnreadSince is Unread with the work stamp and the time the user last
// opened the inbox already read (store.Frame reads them with the session).
func (c *Counter) UnreadSince(ctx context.Context, user *domain.User, now time.Time, stamp string, seen time.Time) (int, error) {
	in, err := c.inbox(ctx, user, now, stamp)
	if err != nil {
		return 0, err
	}
	return in.Since(seen), nil
}
