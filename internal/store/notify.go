package store

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// notificationChannels are where each mechanism's reminders go.
var notificationChannels = &table[domain.NotificationChannel, *domain.NotificationChannel]{
	name:    "notification_channels",
	columns: []string{"mechanism_id", "name", "kind", "target", "secret"},
	fields: func(c *domain.NotificationChannel) []any {
		return []any{c.MechanismID, c.Name, string(c.Kind), c.Target, c.Secret}
	},
	targets: func(c *domain.NotificationChannel) []any {
		return []any{&c.MechanismID, &c.Name, &c.Kind, &c.Target, &c.Secret}
	},
	refs: []ref[domain.NotificationChannel, *domain.NotificationChannel]{
		{"mechanism_id", "mechanisms", func(c *domain.NotificationChannel) int64 { return c.MechanismID }},
	},
	// A target on the installation's own network is refused unless the
	// operator allows it (names are checked again when resolved, at each
	// delivery). The secret is never sent back, so an update that leaves
	// it empty keeps the stored one.
	check: func(ctx context.Context, t *Tx, c *domain.NotificationChannel) error {
		if u, err := url.Parse(c.Target); err == nil && c.Kind != domain.SMTPChannel && !t.s.AllowPrivateTargets && domain.InternalHost(u.Hostname()) {
			var p domain.Problems
			p.Add("target", "is an internal address (loopback, private or link-local); the operator may allow these with LIANDONG_NOTIFY_ALLOW_PRIVATE=1")
			return p.Err()
		}
		if c.ID == 0 || c.Secret != "" {
			return nil
		}
		err := t.reader().queryRow(ctx, "SELECT secret FROM notification_channels WHERE id = ?", c.ID).Scan(&c.Secret)
		if err != nil && !isNoRows(err) {
			return domain.Internalf(err, "read channel secret")
		}
		return nil
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"kind":      byEnum("kind", domain.ChannelKinds),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}},
	// The mechanism's secretariat manages them.
	object: func(_ context.Context, _ reader, c *domain.NotificationChannel) (policy.Object, error) {
		return policy.Object{MechanismID: c.MechanismID}, nil
	},
	mechanismColumn: "mechanism_id",
	redact: func(c *domain.NotificationChannel) {
		c.Target, c.Secret = domain.MaskTarget(c.Kind, c.Target), ""
	},
}

// NotificationChannels is the service for notification channels.
func (s *Store) NotificationChannels() *Records[domain.NotificationChannel, *domain.NotificationChannel] {
	return &Records[domain.NotificationChannel, *domain.NotificationChannel]{s, notificationChannels}
}

// ActiveChannels returns the channels of a mechanism that are not
// archived, secrets included, for the notifier.
func (s *Store) ActiveChannels(ctx context.Context, mechanismID int64) ([]*domain.NotificationChannel, error) {
	t := notificationChannels
	rows, err := s.reader().query(ctx, "SELECT "+t.selectColumns(s.dialect)+" FROM notification_channels WHERE archived_at IS NULL AND mechanism_id = ? ORDER BY id", mechanismID)
	if err != nil {
		return nil, domain.Internalf(err, "list channels")
	}
	defer rows.Close()
	var out []*domain.NotificationChannel
	for rows.Next() {
		c := new(domain.NotificationChannel)
		if err := rows.Scan(t.scanTargets(c)...); err != nil {
			return nil, domain.Internalf(err, "scan channel")
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "list channels")
	}
	return out, nil
}

// LogDelivery appends one delivery attempt to the delivery log. The log is
// the notifier's own record, not a change of the system of record, so it
// carries no audit event.
func (s *Store) LogDelivery(ctx context.Context, d *domain.Delivery) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	err := s.reader().queryRow(ctx, `INSERT INTO delivery_log (at, mechanism_id, channel_id, reminder_key, subject, status, attempt, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.At, d.MechanismID, d.ChannelID, d.ReminderKey, d.Subject, string(d.Status), d.Attempt, d.Error).Scan(&d.ID)
	if err != nil {
		return domain.Internalf(err, "log delivery")
	}
	return nil
}

// DeliveryQuery selects from the delivery log; zero fields select all.
type DeliveryQuery struct {
	MechanismID int64
	ChannelID   int64
	Status      domain.DeliveryStatus
	Before      int64 // ids below this one: the next page
	Limit       int
}

// Deliveries lists the delivery log, newest first. Errors: Invalid.
func (s *Store) Deliveries(ctx context.Context, q DeliveryQuery) ([]domain.Delivery, error) {
	where, args := "1 = 1", []any{}
	if q.MechanismID != 0 {
		where, args = where+" AND mechanism_id = ?", append(args, q.MechanismID)
	}
	if q.ChannelID != 0 {
		where, args = where+" AND channel_id = ?", append(args, q.ChannelID)
	}
	if q.Status != "" {
		where, args = where+" AND status = ?", append(args, string(q.Status))
	}
	if q.Before != 0 {
		where, args = where+" AND id < ?", append(args, q.Before)
	}
	limit := q.Limit
	if limit <= 0 || limit > domain.MaxPageSize {
		limit = domain.DefaultPageSize
	}
	rows, err := s.reader().query(ctx, "SELECT id, at, mechanism_id, channel_id, reminder_key, subject, status, attempt, error FROM delivery_log WHERE "+
		where+" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, domain.Internalf(err, "list deliveries")
	}
	defer rows.Close()
	out := []domain.Delivery{}
	for rows.Next() {
		var d domain.Delivery
		if err := rows.Scan(&d.ID, timeCol{&d.At}, &d.MechanismID, &d.ChannelID, &d.ReminderKey, &d.Subject, &d.Status, &d.Attempt, &d.Error); err != nil {
			return nil, domain.Internalf(err, "scan delivery")
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "list deliveries")
	}
	return out, nil
}

// MechanismClock is what the notifier needs of a mechanism to find its
// current period.
type MechanismClock struct {
	ID       int64
	Name     string
	TimeZone string
	Cadence  domain.Cadence
}

// ActiveMechanisms lists the mechanisms that are not archived.
func (s *Store) ActiveMechanisms(ctx context.Context) ([]MechanismClock, error) {
	var out []MechanismClock
	err := s.scanAll(ctx, "SELECT id, name, time_zone, cadence FROM mechanisms WHERE archived_at IS NULL ORDER BY id", nil, func(rows *sql.Rows) error {
		var m MechanismClock
		out = append(out, m)
		p := &out[len(out)-1]
		return rows.Scan(&p.ID, &p.Name, &p.TimeZone, &p.Cadence)
	})
	return out, err
}

// MilestoneDue is a milestone not yet done that falls due soon.
type MilestoneDue struct {
	ItemID      int64
	ItemTitle   string
	MilestoneID int64
	Title       string
	DueOn       domain.Date
}

// MilestonesDue lists the open milestones of a mechanism's open items due
// from from to to, both included.
func (s *Store) MilestonesDue(ctx context.Context, mechanismID int64, from, to domain.Date) ([]MilestoneDue, error) {
	var out []MilestoneDue
	err := s.scanAll(ctx, `SELECT i.id, i.title, m.id, m.title, m.due_on FROM item_milestones m JOIN items i ON i.id = m.item_id
		WHERE i.mechanism_id = ? AND i.archived_at IS NULL AND m.done_on IS NULL AND m.due_on >= ? AND m.due_on <= ?
		ORDER BY m.due_on, m.id`, []any{mechanismID, from.String(), to.String()}, func(rows *sql.Rows) error {
		var d MilestoneDue
		err := rows.Scan(&d.ItemID, &d.ItemTitle, &d.MilestoneID, &d.Title, &d.DueOn)
		out = append(out, d)
		return err
	})
	return out, err
}

func (s *Store) scanAll(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return domain.Internalf(err, "query")
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return domain.Internalf(err, "scan")
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Internalf(err, "query")
	}
	return nil
}

// ItemsAwaitingConfirmation lists the items of a mechanism with a change
// waiting for a side's confirmation, archived ones too: a held restore
// waits on an archived item.
func (s *Store) ItemsAwaitingConfirmation(ctx context.Context, mechanismID int64) ([]int64, error) {
	var out []int64
	err := s.scanAll(ctx, `SELECT DISTINCT c.item_id FROM item_changes c JOIN items i ON i.id = c.item_id
		WHERE c.state = 'pending' AND i.mechanism_id = ? ORDER BY c.item_id`, []any{mechanismID}, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}
