package notify

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/liandong/liandong/internal/auditlog"
)

// CheckpointKind is the kind, and the first part of the key, of the
// messages that carry a signed checkpoint of the audit log; a generic
// webhook receives them with event "checkpoint".
const CheckpointKind = "checkpoint"

// SendCheckpoint sends a signed checkpoint to every channel of every
// active mechanism, the note verbatim as the message's text, so that
// whoever receives it can keep it and later hold the installation to it
// (liandong audit verify --checkpoint). It returns how many delivery jobs
// it inserted; a checkpoint already sent in this RemindEvery period is not
// sent again.
func (n *Notifier) SendCheckpoint(ctx context.Context, c auditlog.Signed) (int, error) {
	mechs, err := n.s.ActiveMechanisms(ctx)
	if err != nil {
		return 0, err
	}
	inserted := 0
	for _, m := range mechs {
		r := Reminder{
			Key:         fmt.Sprintf("%s/%d/%x", CheckpointKind, c.N, c.Hash[:8]),
			MechanismID: m.ID, Kind: CheckpointKind,
			Subject: fmt.Sprintf("审计日志检查点：%d条事件 Audit log checkpoint: %d events", c.N, c.N),
			Text:    string(c.Note),
		}
		k, err := n.Enqueue(ctx, r)
		inserted += k
		if err != nil {
			return inserted, err
		}
	}
	return inserted, nil
}

// checkpointArgs is the periodic issue of a checkpoint.
type checkpointArgs struct{}

func (checkpointArgs) Kind() string { return "liandong.checkpoint" }

type checkpointWorker struct {
	river.WorkerDefaults[checkpointArgs]
	n *Notifier
}

// Work issues a checkpoint when the log grew since the last one issued
// (by this job or by the audit checkpoint command) and sends it.
func (w *checkpointWorker) Work(ctx context.Context, _ *river.Job[checkpointArgs]) error {
	c, issued, err := w.n.s.IssueCheckpoint(ctx, false)
	if err != nil || !issued {
		w.n.cfg.Logger.InfoContext(ctx, "audit checkpoint", slog.Bool("issued", false), slog.Any("error", err))
		return err
	}
	k, err := w.n.SendCheckpoint(ctx, c)
	w.n.cfg.Logger.InfoContext(ctx, "audit checkpoint", slog.Bool("issued", true), slog.Int64("events", c.N), slog.Int("jobs", k), slog.Any("error", err))
	return err
}
