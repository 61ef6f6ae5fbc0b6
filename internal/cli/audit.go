package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
)

// auditKeyOptions locate the installation's audit signing key, kept out of
// the database so that write access to it is not enough to sign a history.
type auditKeyOptions struct {
	path string
}

func (o *auditKeyOptions) define(fs *flag.FlagSet) {
	fs.StringVar(&o.path, "audit-key", "",
		"`file` of the Ed25519 key that signs audit checkpoints, created at first use; its verifier keys and the checkpoints issued are kept beside it (default audit.key in the data directory; env LIANDONG_AUDIT_KEY_FILE)")
}

// openFor opens the key (creating it at first use) and gives it to the
// store, whose checkpoints it signs and whose packs print the latest.
func (o *auditKeyOptions) openFor(s *store.Store, dataDir string) error {
	k, err := auditlog.OpenKey(o.file(dataDir))
	if err != nil {
		return err
	}
	s.AuditKey = k
	return nil
}

// openStore opens the current database with the key given to it, for the
// commands that sign.
func (o *auditKeyOptions) openStore(ctx context.Context, db *storeOptions) (*store.Store, error) {
	s, err := db.openCurrent(ctx)
	if err != nil {
		return nil, err
	}
	if err := o.openFor(s, db.dataDir); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (o *auditKeyOptions) file(dataDir string) string {
	if o.path != "" {
		return o.path
	}
	return filepath.Join(dataDir, auditlog.KeyFile)
}

var auditCheckpointCommand = &command{
	name:    "audit checkpoint",
	args:    "[flags]",
	summary: "print the signed checkpoint of the audit log",
	help: `
Seals the events not yet in the audit log's tree and prints the log's
checkpoint: its name, its number of events and its root hash, signed with
the installation's key (a C2SP tlog-checkpoint note). The checkpoint is also
appended to audit-checkpoints beside the key and sent, verbatim, to every
notification channel (delivered by the serving instances); the server issues
and sends one itself every LIANDONG_NOTIFY_CHECKPOINT (24h) when the log grew. Keep it anywhere outside the
database: 'liandong audit verify --checkpoint FILE' later proves that the log
still holds, unchanged, every event the checkpoint covered. A checkpoint is
refused when the log does not extend the last one issued.`,
	setup: setupAuditCheckpoint,
}

func setupAuditCheckpoint(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var key auditKeyOptions
	db.define(fs)
	key.define(fs)
	return func(ctx context.Context) error {
		s, err := key.openStore(ctx, &db)
		if err != nil {
			return err
		}
		defer s.Close()
		c, _, err := s.IssueCheckpoint(ctx, true)
		if err != nil {
			return err
		}
		if _, err := con.stdout.Write(c.Note); err != nil {
			return err
		}
		// The channels' deliveries are jobs the serving instances work.
		n, err := notify.New(s, notify.ConfigFromEnv(con.getenv))
		if err == nil {
			err = n.Migrate(ctx)
		}
		if err != nil {
			return fmt.Errorf("checkpoint issued, not sent to the notification channels: %w", err)
		}
		jobs, err := n.SendCheckpoint(ctx, c)
		if err != nil {
			return fmt.Errorf("checkpoint issued, not sent to the notification channels: %w", err)
		}
		fmt.Fprintf(con.stderr, "sent to %d notification channels\n", jobs)
		return nil
	}
}

var auditVerifyCommand = &command{
	name:    "audit verify",
	args:    "[flags]",
	summary: "check the audit log, and that it extends a checkpoint issued earlier",
	help: `
Seals the events not yet in the audit log's tree, then checks every event
against its hash and its place in the tree, the stored tree against the
events, and every record (item, report, problem …) against the state its
last event recorded. With --checkpoint it also proves that the log extends
each checkpoint in FILE (one or more, as 'liandong audit checkpoint' printed
them; audit-checkpoints beside the key holds all those issued): a rewritten
event or deleted newest events fail. Signatures are checked with the
verifier keys in --verifiers. It prints how many events it checked; if
something does not match it names the first event, checkpoint or record at
fault and exits 1.`,
	setup: setupAuditVerify,
}

func setupAuditVerify(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	var key auditKeyOptions
	var checkpointFile, verifiersFile string
	db.define(fs)
	key.define(fs)
	fs.StringVar(&checkpointFile, "checkpoint", "", "`file` of signed checkpoints the log must extend")
	fs.StringVar(&verifiersFile, "verifiers", "", "`file` of verifier keys, one a line, that may sign the checkpoints (default audit-verifiers beside the key)")
	return func(ctx context.Context) error {
		var trees []tlog.Tree
		if checkpointFile != "" {
			if verifiersFile == "" {
				verifiersFile = filepath.Join(filepath.Dir(key.file(db.dataDir)), auditlog.VerifiersFile)
			}
			verifiers, err := auditlog.ReadVerifierKeys(verifiersFile)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(checkpointFile)
			if err != nil {
				return err
			}
			checkpoints, err := auditlog.Open(data, verifiers)
			if err != nil {
				return fmt.Errorf("%s: %w (verifier keys from %s)", checkpointFile, err, verifiersFile)
			}
			for _, c := range checkpoints {
				trees = append(trees, c.Tree)
			}
		}
		s, err := db.openCurrent(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		checked, err := s.VerifyAudit(ctx, trees...)
		if err != nil {
			return fmt.Errorf("audit log broken (%d events checked): %w", checked, err)
		}
		fmt.Fprintf(con.stdout, "checked %d audit events and the records they describe: the log is intact", checked)
		if len(trees) > 0 {
			fmt.Fprintf(con.stdout, " and extends the %d checkpoints in %s", len(trees), checkpointFile)
		}
		fmt.Fprintln(con.stdout)
		return nil
	}
}
