// Package notify reminds the units of a mechanism of what is due — reports
// of the current period, milestones near their date, problems past the time
// limit of their tier, confirmations waiting — and delivers each reminder by
// e-mail and by webhooks (a generic JSON body signed with HMAC, and the group
// robots of WeCom, DingTalk and Feishu).
//
// It runs on river, a job queue kept in the store's own database (SQLite or
// PostgreSQL), so that several instances share the work and each job runs
// once. A periodic scan finds the reminders and inserts one delivery job per
// reminder and channel; the job's uniqueness key (channel and reminder key,
// per RemindEvery period) keeps two instances, or two scans, from doubling
// it. A delivery that fails is retried with backoff, and every attempt is
// written to the delivery log the secretariat reads.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Config tunes the notifier; zero values take the defaults.
type Config struct {
	// SMTPAddr is the mail server, host:port; smtp channels need it.
	SMTPAddr     string
	SMTPFrom     string // the sender address; default liandong@localhost
	SMTPUser     string // PLAIN authentication when set
	SMTPPassword string

	// HTTPClient posts to webhooks. The default has a 10 s timeout and
	// refuses to connect to internal addresses (domain.InternalAddress)
	// unless the store allows private targets; it connects directly, not
	// through HTTP_PROXY, since a proxy would connect where it is told.
	HTTPClient *http.Client

	ScanEvery     time.Duration // how often the periodic scan runs; default 1 h
	PollInterval  time.Duration // how often an instance looks for jobs; default 1 s
	RemindEvery   time.Duration // a reminder repeats at most once per period; default 24 h
	ReportDays    int           // remind of a period's reports in its last N days; default 10
	MilestoneDays int           // remind of milestones due within N days; default 7
	MaxAttempts   int           // delivery attempts before giving up; default 8
	// Backoff is the wait before attempt n+1 after attempt n failed;
	// default n⁴ seconds plus 30 s, capped at 6 h.
	Backoff func(attempt int) time.Duration
	// CheckpointEvery is how often a checkpoint of the audit log is issued
	// and sent to every channel, when the log grew since the last one and
	// the store has an AuditKey; default 24 h.
	CheckpointEvery time.Duration
	// SiteURL is the address people open Liandong at
	// (https://liandong.example.gov.cn); reminders link to the inbox under
	// it, or by its path alone when it is empty.
	SiteURL string
	// Now is the clock of the scan; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	ID     string // the instance's name in river; default generated
}

func (c *Config) defaults() {
	if c.SMTPFrom == "" {
		c.SMTPFrom = "liandong@localhost"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.ScanEvery <= 0 {
		c.ScanEvery = time.Hour
	}
	if c.CheckpointEvery <= 0 {
		c.CheckpointEvery = 24 * time.Hour
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.RemindEvery <= 0 {
		c.RemindEvery = 24 * time.Hour
	}
	if c.ReportDays <= 0 {
		c.ReportDays = 10
	}
	if c.MilestoneDays <= 0 {
		c.MilestoneDays = 7
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.Backoff == nil {
		c.Backoff = func(n int) time.Duration {
			d := time.Duration(n*n*n*n)*time.Second + 30*time.Second
			return min(d, 6*time.Hour)
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Notifier finds reminders and delivers them through river.
type Notifier struct {
	s      *store.Store
	cfg    Config
	driver riverdriver.Driver[*sql.Tx]
	client *river.Client[*sql.Tx]
}

// New returns a notifier on the store's database. It does not start; call
// Start (which also applies river's migrations).
func New(s *store.Store, cfg Config) (*Notifier, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = webhookClient(s.AllowPrivateTargets)
	}
	cfg.defaults()
	n := &Notifier{s: s, cfg: cfg}
	switch s.Dialect() {
	case "sqlite":
		n.driver = riversqlite.New(s.DB())
	default:
		n.driver = riverdatabasesql.New(s.DB())
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &scanWorker{n: n})
	river.AddWorker(workers, &deliverWorker{n: n})
	river.AddWorker(workers, &checkpointWorker{n: n})
	periodic := []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.ScanEvery),
		func() (river.JobArgs, *river.InsertOpts) {
			return scanArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: cfg.ScanEvery}}
		}, &river.PeriodicJobOpts{RunOnStart: true, ID: "liandong.scan"})}
	if s.AuditKey != nil {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cfg.CheckpointEvery),
			func() (river.JobArgs, *river.InsertOpts) {
				return checkpointArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: cfg.CheckpointEvery}}
			}, &river.PeriodicJobOpts{RunOnStart: true, ID: "liandong.checkpoint"}))
	}
	client, err := river.NewClient(n.driver, &river.Config{
		ID:                cfg.ID,
		Logger:            cfg.Logger,
		FetchCooldown:     min(100*time.Millisecond, cfg.PollInterval),
		FetchPollInterval: cfg.PollInterval,
		MaxAttempts:       cfg.MaxAttempts,
		PollOnly:          true, // database/sql connections cannot LISTEN
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           workers,
		PeriodicJobs:      periodic,
	})
	if err != nil {
		return nil, fmt.Errorf("notify: river client: %w", err)
	}
	n.client = client
	return n, nil
}

// Migrate applies river's own migrations; it is idempotent, and instances
// starting together on PostgreSQL take turns under an advisory lock.
func (n *Notifier) Migrate(ctx context.Context) error {
	m, err := rivermigrate.New(n.driver, nil)
	if err != nil {
		return fmt.Errorf("notify: migrator: %w", err)
	}
	// River's PostgreSQL migrations alter enums, which cannot run in one
	// transaction; a session lock on a connection of its own serializes
	// instances instead.
	if n.s.Dialect() == "postgres" {
		conn, err := n.s.DB().Conn(ctx)
		if err != nil {
			return fmt.Errorf("notify: migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7244331)"); err != nil {
			return fmt.Errorf("notify: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7244331)")
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("notify: migrate: %w", err)
	}
	return nil
}

// Start applies river's migrations and starts working jobs until ctx ends
// or Stop is called.
func (n *Notifier) Start(ctx context.Context) error {
	if err := n.Migrate(ctx); err != nil {
		return err
	}
	if err := n.client.Start(ctx); err != nil {
		return fmt.Errorf("notify: start: %w", err)
	}
	return nil
}

// Stop finishes the jobs in hand and stops.
func (n *Notifier) Stop(ctx context.Context) error {
	if err := n.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Scan finds the reminders due now and inserts a delivery job for each
// reminder and channel of its mechanism, skipping those already inserted in
// this RemindEvery period (by this instance or another). It returns how many
// jobs it inserted.
func (n *Notifier) Scan(ctx context.Context) (int, error) {
	mechs, err := n.s.ActiveMechanisms(ctx)
	if err != nil {
		return 0, err
	}
	inserted := 0
	for _, m := range mechs {
		channels, err := n.s.ActiveChannels(ctx, m.ID)
		if err != nil {
			return inserted, err
		}
		if len(channels) == 0 {
			continue
		}
		rs, err := Reminders(ctx, n.s, m, n.cfg.Now(), n.cfg.ReportDays, n.cfg.MilestoneDays)
		if err != nil {
			return inserted, err
		}
		if len(rs) == 0 {
			continue
		}
		k, err := n.insert(ctx, channels, rs)
		inserted += k
		if err != nil {
			return inserted, err
		}
	}
	return inserted, nil
}

// Enqueue inserts the delivery jobs of one reminder on every channel of its
// mechanism, unless they were inserted in this RemindEvery period already,
// and returns how many it inserted. The scan uses the same path; tools and
// tests use it to send one reminder now.
func (n *Notifier) Enqueue(ctx context.Context, r Reminder) (int, error) {
	channels, err := n.s.ActiveChannels(ctx, r.MechanismID)
	if err != nil || len(channels) == 0 {
		return 0, err
	}
	return n.insert(ctx, channels, []Reminder{r})
}

// insert adds the delivery jobs of one mechanism in one transaction. Two
// instances scanning at once insert the same unique jobs; PostgreSQL may
// then abort one transaction as a deadlock, which is run again (the other
// instance's jobs are then found and skipped as duplicates).
func (n *Notifier) insert(ctx context.Context, channels []*domain.NotificationChannel, rs []Reminder) (int, error) {
	for attempt := 1; ; attempt++ {
		k, err := n.insertOnce(ctx, channels, rs)
		if err == nil || attempt == 3 || !store.Collided(err) {
			return k, err
		}
	}
}

func (n *Notifier) insertOnce(ctx context.Context, channels []*domain.NotificationChannel, rs []Reminder) (int, error) {
	tx, err := n.s.DB().BeginTx(ctx, nil)
	if err != nil {
		return 0, domain.Internalf(err, "begin")
	}
	defer tx.Rollback()
	k := 0
	for _, r := range rs {
		for _, c := range channels {
			res, err := n.client.InsertTx(ctx, tx, deliverArgs{ChannelID: c.ID, ReminderKey: r.Key, MechanismID: r.MechanismID, Subject: r.Subject, Text: r.Body(n.cfg.SiteURL)},
				&river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: n.cfg.RemindEvery}})
			if err != nil {
				return 0, domain.Internalf(err, "insert delivery job")
			}
			if !res.UniqueSkippedAsDuplicate {
				k++
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, domain.Internalf(err, "commit delivery jobs")
	}
	return k, nil
}

// scanArgs is the periodic scan.
type scanArgs struct{}

func (scanArgs) Kind() string { return "liandong.scan" }

type scanWorker struct {
	river.WorkerDefaults[scanArgs]
	n *Notifier
}

func (w *scanWorker) Work(ctx context.Context, _ *river.Job[scanArgs]) error {
	k, err := w.n.Scan(ctx)
	w.n.cfg.Logger.InfoContext(ctx, "reminder scan", slog.Int("jobs", k), slog.Any("error", err))
	return err
}

// deliverArgs is one reminder for one channel. Its uniqueness key is the
// channel and the reminder key; the text may change between scans.
type deliverArgs struct {
	ChannelID   int64  `json:"channel_id" river:"unique"`
	ReminderKey string `json:"reminder_key" river:"unique"`
	MechanismID int64  `json:"mechanism_id"`
	Subject     string `json:"subject"`
	Text        string `json:"text"`
}

func (deliverArgs) Kind() string { return "liandong.deliver" }

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	n *Notifier
}

func (w *deliverWorker) NextRetry(job *river.Job[deliverArgs]) time.Time {
	return time.Now().Add(w.n.cfg.Backoff(job.Attempt))
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	a := job.Args
	// The log keeps the wall-clock time of the attempt: it is what happened,
	// not a date of the plan that Config.Now may shift.
	d := &domain.Delivery{At: time.Now().UTC().Truncate(time.Microsecond), MechanismID: a.MechanismID, ChannelID: a.ChannelID, ReminderKey: a.ReminderKey, Subject: a.Subject, Attempt: job.Attempt}
	c, err := w.n.s.NotificationChannels().Get(ctx, a.ChannelID)
	if domain.ErrorCode(err) == domain.NotFound || err == nil && c.ArchivedAt != nil {
		err = errors.New("the channel was archived or removed")
		d.Status, d.Error = domain.Failed, err.Error()
		w.n.log(ctx, d)
		return river.JobCancel(err)
	}
	if err == nil {
		err = w.n.send(ctx, c, Reminder{Key: a.ReminderKey, MechanismID: a.MechanismID, Subject: a.Subject, Text: a.Text})
	}
	d.Status = domain.Delivered
	if err != nil {
		d.Status, d.Error = domain.Failed, err.Error()
	}
	w.n.log(ctx, d)
	return err
}

func (n *Notifier) log(ctx context.Context, d *domain.Delivery) {
	if err := n.s.LogDelivery(ctx, d); err != nil {
		n.cfg.Logger.ErrorContext(ctx, "delivery log", slog.Any("error", err))
	}
}
