package notify

import (
	"context"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// NoticeKind is the kind, and the first part of the key, of a meeting
// notice (会议通知); a generic webhook receives it with this kind.
const NoticeKind = "meeting_notice"

// Sent is what Announce did: how many channels the mechanism has and how
// many of them took the message.
type Sent struct {
	Channels  int
	Delivered int
}

// Announce sends r now, once, on every active channel of its mechanism —
// a message a person sends and waits for, such as a meeting notice, not a
// reminder the scan repeats. Each attempt is written to the delivery log
// as a reminder's are, so the secretariat reads both in one place. cfg
// gives the mail server; its zero value sends webhooks only. It fails only
// when the channels cannot be read; a channel that refuses is counted and
// logged, not retried.
func Announce(ctx context.Context, s *store.Store, cfg Config, r Reminder) (Sent, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = webhookClient(s.AllowPrivateTargets)
	}
	cfg.defaults()
	n := &Notifier{s: s, cfg: cfg}
	channels, err := s.ActiveChannels(ctx, r.MechanismID)
	if err != nil {
		return Sent{}, err
	}
	out := Sent{Channels: len(channels)}
	for _, c := range channels {
		d := &domain.Delivery{At: time.Now().UTC().Truncate(time.Microsecond), MechanismID: r.MechanismID, ChannelID: c.ID,
			ReminderKey: r.Key, Subject: r.Subject, Attempt: 1, Status: domain.Delivered}
		if err := n.send(ctx, c, r); err != nil {
			d.Status, d.Error = domain.Failed, err.Error()
		} else {
			out.Delivered++
		}
		n.log(ctx, d)
	}
	return out, nil
}
