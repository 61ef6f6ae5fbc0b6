package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
)

// The audit trail is an append-only log. Each event is written in the
// transaction of the change it records, with the hash of its own content
// and without any lock; a sealer then gives it the next place (seq)
// among the leaves of an RFC 6962 Merkle tree, whose hashes audit_tree
// keeps by tlog storage index. Signed checkpoints of the tree (size and
// root hash) leave the database (internal/auditlog), and VerifyAudit proves
// the log still extends any of them: an event rewritten, even with every
// later hash recomputed, or the newest events deleted, change the tree.
//
// The hash chain the events formed before (each event's hash covering the
// one before it) cost a lock held from the first event of a transaction to
// the end of its commit, so commits could not share a WAL flush: PostgreSQL
// stayed near 1,000 submissions a second however many clients wrote.

// audit appends an event inside the caller's transaction, so a change and
// its record of who made it commit or fail together. before and after are
// the record's states, nil when absent.
func (t *Tx) audit(ctx context.Context, action, entity string, id int64, before, after any) error {
	switch entity { // changed: read them again
	case mechanisms.name:
		t.mechanisms = nil
	case batches.name:
		t.batchMechanisms = nil
	}
	ev := domain.AuditEvent{At: t.now, ActorID: t.actor.UserID, Action: action, Entity: entity, EntityID: id}
	state := after
	if state == nil {
		state = before
	}
	o, err := t.occurredOf(ctx, entity, id, state)
	if err != nil {
		return err
	}
	ev.OccurredOn, ev.OccurredPrecision = o.on, o.precision
	if ev.Before, err = auditJSON(before); err != nil {
		return err
	}
	if ev.After, err = auditJSON(after); err != nil {
		return err
	}
	ev.Hash = eventHash(ev)
	const insert = `INSERT INTO audit_events (at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash, occurred_on, occurred_precision)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{ev.At, optID(ev.ActorID), ev.Action, ev.Entity, ev.EntityID, ev.Before, ev.After, ev.PrevHash, ev.Hash, ev.OccurredOn, optText(string(ev.OccurredPrecision))}
	if t.applying != nil {
		err = t.reader().queryRow(ctx, insert+" RETURNING id", args...).Scan(&ev.ID)
		if err == nil {
			err = t.attribute(ctx, ev.ID)
		}
	} else {
		_, err = t.reader().exec(ctx, insert, args...)
	}
	if err != nil {
		return domain.Internalf(err, "append audit event")
	}
	t.audited = true
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", domain.Internalf(err, "encode audit state")
	}
	return string(b), nil
}

// eventHash covers every field of the event. Events written before the log
// was sealed (migration 0009) also cover the hash of the event before them,
// PrevHash; later events have none, their order being the tree's. The day
// a change happened (migration 0014) is covered only when the event states
// one, so that the events written before keep their hashes.
func eventHash(ev domain.AuditEvent) string {
	h := sha256.New()
	fields := []string{ev.PrevHash, ev.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(ev.ActorID, 10),
		ev.Action, ev.Entity, strconv.FormatInt(ev.EntityID, 10), ev.Before, ev.After}
	if !ev.OccurredOn.IsZero() || ev.OccurredPrecision != "" {
		fields = append(fields, "occurred", ev.OccurredOn.String(), string(ev.OccurredPrecision))
	}
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// leafHash is the tree's leaf for an event: its id and the hash of its
// content, so that the tree fixes both what happened and where History
// and the packs find it.
func leafHash(id int64, hash string) tlog.Hash {
	return tlog.RecordHash([]byte("liandong audit event\n" + strconv.FormatInt(id, 10) + "\n" + hash + "\n"))
}

const auditColumns = "id, at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash, occurred_on, COALESCE(occurred_precision, '')"

func scanAudit(sc interface{ Scan(...any) error }, ev *domain.AuditEvent, more ...any) error {
	return sc.Scan(append([]any{&ev.ID, timeCol{&ev.At}, idCol{&ev.ActorID}, &ev.Action, &ev.Entity, &ev.EntityID, &ev.Before, &ev.After,
		&ev.PrevHash, &ev.Hash, &ev.OccurredOn, &ev.OccurredPrecision}, more...)...)
}

// History returns the audit events of one record, oldest first.
func (s *Store) History(ctx context.Context, entity string, id int64) ([]domain.AuditEvent, error) {
	rows, err := s.reader().query(ctx, "SELECT "+auditColumns+" FROM audit_events WHERE entity = ? AND entity_id = ? ORDER BY id", entity, id)
	if err != nil {
		return nil, domain.Internalf(err, "read history")
	}
	defer rows.Close()
	out := []domain.AuditEvent{}
	for rows.Next() {
		var ev domain.AuditEvent
		if err := scanAudit(rows, &ev); err != nil {
			return nil, domain.Internalf(err, "scan history")
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read history")
	}
	return out, nil
}

// sealBatch is how many events one statement of a seal places.
const sealBatch = 500

// SealAudit gives every committed event not yet in the log's tree its
// place there, in id order after those sealed before, stores the tree's new
// hashes, and returns the tree: its size and root hash, what a checkpoint
// signs. Sealers of every instance take turns under one lock (PostgreSQL's
// advisory lock, SQLite's write lock), each in a short transaction of its
// own; the background sealer runs one after the commits whose events it
// seals. An event committed but not yet sealed when the process died is
// sealed by the next seal.
func (s *Store) SealAudit(ctx context.Context) (tlog.Tree, error) {
	var tree tlog.Tree
	err := s.sealAudit(ctx, func(size int64, hashes tlog.HashReader) error {
		root, err := tlog.TreeHash(size, hashes)
		if err != nil {
			return domain.Internalf(err, "hash audit tree")
		}
		tree = tlog.Tree{N: size, Hash: root}
		return nil
	})
	return tree, err
}

// sealAudit seals in a transaction of its own and, unless done is nil,
// hands the tree's size and hashes to done before committing. The
// background sealer needs no root hash, which would cost a read.
func (s *Store) sealAudit(ctx context.Context, done func(size int64, hashes tlog.HashReader) error) error {
	defer s.queueWriter()()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return domain.Internalf(err, "begin seal")
	}
	defer tx.Rollback()
	r := reader{s: s, tx: tx}
	if lock := s.dialect.sealLock(); lock != "" {
		if _, err := r.exec(ctx, lock); err != nil {
			return domain.Internalf(err, "lock audit log")
		}
	}
	size, hashes, sealed, err := seal(ctx, r)
	if err != nil {
		return err
	}
	if done != nil {
		if err := done(size, hashes); err != nil {
			return err
		}
	}
	if sealed {
		if err := tx.Commit(); err != nil {
			return s.dialect.normalize(domain.Internalf(err, "commit seal"))
		}
	}
	return nil
}

// seal places the unsealed events within the transaction of r, which holds
// the seal lock, and returns the tree's size and a reader of its hashes.
func seal(ctx context.Context, r reader) (int64, *treeHashes, bool, error) {
	size, err := sealedSize(ctx, r)
	if err != nil {
		return 0, nil, false, err
	}
	hashes := &treeHashes{ctx: ctx, r: r}
	// Hashes stored past the last sealed event mean sealed events were
	// deleted; sealing on would overwrite the evidence.
	var beyond int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM audit_tree WHERE idx >= ?", tlog.StoredHashIndex(0, size)).Scan(&beyond); err != nil {
		return 0, nil, false, domain.Internalf(err, "read audit tree")
	}
	if beyond > 0 {
		return 0, nil, false, fmt.Errorf("the audit tree holds hashes past its %d sealed events: the newest events were deleted", size)
	}
	sealed := false
	for {
		batch, err := unsealedEvents(ctx, r)
		if err != nil {
			return 0, nil, false, err
		}
		if len(batch) == 0 {
			return size, hashes, sealed, nil
		}
		// Each batch reads what it needs of the tree again, so that a
		// first seal of millions of events holds only one batch's hashes.
		hashes.cached = map[int64]tlog.Hash{}
		places := make([]any, 0, 3*len(batch))
		ids := make([]any, 0, len(batch))
		stored := make([]any, 0, 4*len(batch))
		for _, ev := range batch {
			hs, err := tlog.StoredHashesForRecordHash(size, leafHash(ev.id, ev.hash), hashes)
			if err != nil {
				return 0, nil, false, domain.Internalf(err, "seal audit event %d", ev.id)
			}
			at := tlog.StoredHashIndex(0, size)
			for i, h := range hs {
				hashes.cached[at+int64(i)] = h
				stored = append(stored, at+int64(i), h.String())
			}
			places = append(places, ev.id, size)
			ids = append(ids, ev.id)
			size++
		}
		// Each event found by its id, its place chosen by CASE. The same
		// as a join with a VALUES list, which SQLite planned as a walk
		// through an index of every event: 30 ms a seal at national scale,
		// three fifths of the CPU of eight clients submitting reports.
		q := "UPDATE audit_events SET seq = CASE id" + strings.Repeat(" WHEN ? THEN CAST(? AS BIGINT)", len(batch)) + " END WHERE id IN (" + placeholders(len(batch)) + ")"
		if _, err := r.exec(ctx, q, append(places, ids...)...); err != nil {
			return 0, nil, false, domain.Internalf(err, "seal audit events")
		}
		if _, err := r.exec(ctx, "INSERT INTO audit_tree (idx, hash) VALUES "+rowsOf("(?, ?)", len(stored)/2), stored...); err != nil {
			return 0, nil, false, domain.Internalf(err, "store audit tree")
		}
		sealed = true
		if len(batch) < sealBatch {
			return size, hashes, sealed, nil // no more were waiting
		}
	}
}

func rowsOf(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// sealedSize is the number of events in the tree: one more than the last
// place given.
func sealedSize(ctx context.Context, r reader) (int64, error) {
	var size int64
	if err := r.queryRow(ctx, "SELECT COALESCE(MAX(seq), -1) + 1 FROM audit_events").Scan(&size); err != nil {
		return 0, domain.Internalf(err, "read audit log size")
	}
	return size, nil
}

type unsealedEvent struct {
	id   int64
	hash string
}

func unsealedEvents(ctx context.Context, r reader) ([]unsealedEvent, error) {
	rows, err := r.query(ctx, "SELECT id, hash FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT "+strconv.Itoa(sealBatch))
	if err != nil {
		return nil, domain.Internalf(err, "read unsealed audit events")
	}
	defer rows.Close()
	var out []unsealedEvent
	for rows.Next() {
		var ev unsealedEvent
		if err := rows.Scan(&ev.id, &ev.hash); err != nil {
			return nil, domain.Internalf(err, "read unsealed audit events")
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read unsealed audit events")
	}
	return out, nil
}

// treeHashes reads the tree's stored hashes (tlog.HashReader), those of
// the seal under way from memory.
type treeHashes struct {
	ctx    context.Context
	r      reader
	cached map[int64]tlog.Hash
}

func (th *treeHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []any
	for i, idx := range indexes {
		if h, ok := th.cached[idx]; ok {
			out[i] = h
		} else {
			missing = append(missing, idx)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := treeRows(th.ctx, th.r, "idx IN ("+placeholders(len(missing))+")", missing...)
	if err != nil {
		return nil, err
	}
	for i, idx := range indexes {
		if _, ok := th.cached[idx]; ok {
			continue
		}
		h, ok := found[idx]
		if !ok {
			return nil, fmt.Errorf("the audit tree has no hash at %d: it was cut short", idx)
		}
		out[i] = h
	}
	return out, nil
}

// ErrNoAuditKey is IssueCheckpoint's error when the store has no AuditKey.
var ErrNoAuditKey = errors.New("no audit key: checkpoints are signed with the installation's key, which this process did not open")

// IssueCheckpoint seals the audit log and has the store's AuditKey sign a
// checkpoint of its tree, appended to the file of those issued, and returns
// it with issued true. Unless always, a log that has not grown since the
// last checkpoint issued gets no new one: that last one is returned, with
// issued false (a zero Signed when the log is empty and none was issued).
// No checkpoint is signed for a tree that does not extend the last one
// issued. Issuers of every instance take turns under the seal lock, so the
// file lists growing trees.
func (s *Store) IssueCheckpoint(ctx context.Context, always bool) (auditlog.Signed, bool, error) {
	k := s.AuditKey
	if k == nil {
		return auditlog.Signed{}, false, ErrNoAuditKey
	}
	if _, err := s.SealAudit(ctx); err != nil {
		return auditlog.Signed{}, false, err
	}
	// The tree signed is the committed one: a seal rolled back after its
	// tree was signed could leave a checkpoint the log never held.
	defer s.queueWriter()()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return auditlog.Signed{}, false, domain.Internalf(err, "begin checkpoint")
	}
	defer tx.Rollback()
	r := reader{s: s, tx: tx}
	if lock := s.dialect.sealLock(); lock != "" {
		if _, err := r.exec(ctx, lock); err != nil {
			return auditlog.Signed{}, false, domain.Internalf(err, "lock audit log")
		}
	}
	size, err := sealedSize(ctx, r)
	if err != nil {
		return auditlog.Signed{}, false, err
	}
	hashes := &treeHashes{ctx: ctx, r: r}
	root, err := tlog.TreeHash(size, hashes)
	if err != nil {
		return auditlog.Signed{}, false, domain.Internalf(err, "hash audit tree")
	}
	tree := tlog.Tree{N: size, Hash: root}
	last, err := k.Latest()
	if err != nil {
		return auditlog.Signed{}, false, err
	}
	if !always && last.N == tree.N {
		return last, false, nil
	}
	if err := proveExtends(hashes, tree, last.Tree); err != nil {
		return auditlog.Signed{}, false, fmt.Errorf("no checkpoint issued: %w", err)
	}
	signed, err := k.Issue(tree)
	if err != nil {
		return auditlog.Signed{}, false, err
	}
	return signed, true, nil
}

// LatestCheckpoint is the last checkpoint the store's AuditKey issued, or a
// zero Signed when none was, or when the store has no key: what a meeting
// pack prints in its footer.
func (s *Store) LatestCheckpoint() (auditlog.Signed, error) {
	if s.AuditKey == nil {
		return auditlog.Signed{}, nil
	}
	return s.AuditKey.Latest()
}

// verifyPage is how many events, or rows, VerifyAudit reads at a time.
const verifyPage = 1000

// VerifyAudit seals what is pending, then checks in one snapshot of the
// database that the log is whole and that the records are what it says:
//   - each event matches its hash, and the events hold the places 0, 1, 2 …
//     of the tree with nothing missing;
//   - each event is the leaf stored at its place, and the stored tree's
//     root is the one computed from the events;
//   - the tree extends each checkpoint given (a tree signed earlier, see
//     internal/auditlog): its first N events have the checkpoint's root,
//     and the stored hashes prove it (tlog.ProveTree). Only a checkpoint
//     kept outside the database catches a rewrite whose author also
//     rebuilt the tree, or the deletion of the newest events;
//   - each record's row equals the state its last event recorded, so that
//     a row changed without an event is caught.
//
// It returns the number of events checked and, when something does not
// match, an error naming the first event, checkpoint or row at fault.
func (s *Store) VerifyAudit(ctx context.Context, checkpoints ...tlog.Tree) (int, error) {
	if _, err := s.SealAudit(ctx); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return 0, domain.Internalf(err, "begin verification")
	}
	defer tx.Rollback()
	r := reader{s: s, tx: tx}
	n, err := verifyLog(ctx, r, checkpoints)
	if err != nil {
		return n, err
	}
	for _, t := range s.statefulTables() {
		if err := t.checkRows(ctx, r); err != nil {
			return n, err
		}
	}
	return n, nil
}

func verifyLog(ctx context.Context, r reader, checkpoints []tlog.Tree) (int, error) {
	size, err := sealedSize(ctx, r)
	if err != nil {
		return 0, err
	}
	var tree auditlog.Tree
	// reached compares the tree, grown to a checkpoint's size, with it.
	reached := func() error {
		for _, c := range checkpoints {
			if c.N == tree.Size() && c.Hash != tree.Hash() {
				return fmt.Errorf("the audit log does not extend the checkpoint of %d events: its first %d events are not those the checkpoint sealed (one was rewritten or removed)", c.N, c.N)
			}
		}
		return nil
	}
	if err := reached(); err != nil {
		return 0, err
	}
	for from := int64(0); from < size; from += verifyPage {
		to := min(from+verifyPage, size)
		events, seqs, err := sealedEvents(ctx, r, from, to)
		if err != nil {
			return int(tree.Size()), err
		}
		leaves, err := storedLeaves(ctx, r, from, to)
		if err != nil {
			return int(tree.Size()), err
		}
		for i, ev := range events {
			if seqs[i] != tree.Size() {
				return int(tree.Size()), fmt.Errorf("audit event %d does not follow the event before it: an event was deleted or reordered", ev.ID)
			}
			if eventHash(ev) != ev.Hash {
				return int(tree.Size()), fmt.Errorf("audit event %d does not match its hash: it was edited", ev.ID)
			}
			leaf := leafHash(ev.ID, ev.Hash)
			if stored, ok := leaves[seqs[i]]; !ok || stored != leaf {
				return int(tree.Size()), fmt.Errorf("audit event %d is not the event sealed at its place in the log: it was rewritten after sealing", ev.ID)
			}
			tree.Add(leaf)
			if err := reached(); err != nil {
				return int(tree.Size()), err
			}
		}
		if int64(len(events)) < to-from {
			return int(tree.Size()), fmt.Errorf("the audit log lacks its event number %d of %d: events were deleted", tree.Size()+1, size)
		}
	}
	n := int(size)
	hashes := &treeHashes{ctx: ctx, r: r}
	root, err := tlog.TreeHash(size, hashes)
	if err != nil {
		return n, fmt.Errorf("read the stored audit tree: %w", err)
	}
	if root != tree.Hash() {
		return n, fmt.Errorf("the stored audit tree does not match its %d events", size)
	}
	for _, c := range checkpoints {
		if err := proveExtends(hashes, tlog.Tree{N: size, Hash: root}, c); err != nil {
			return n, err
		}
	}
	return n, nil
}

// AuditExtends checks that the sealed tree extends an earlier one, from
// the stored hashes alone (at most a few dozen): the proof a holder of the
// earlier checkpoint, without the events, would be given. audit checkpoint
// signs no tree that does not extend the last it issued. Errors name the
// earlier tree.
func (s *Store) AuditExtends(ctx context.Context, tree, earlier tlog.Tree) error {
	return proveExtends(&treeHashes{ctx: ctx, r: s.reader()}, tree, earlier)
}

func proveExtends(hashes tlog.HashReader, tree, earlier tlog.Tree) error {
	if earlier.N > tree.N {
		return fmt.Errorf("the audit log holds %d events, fewer than the %d of a checkpoint issued earlier: the newest events were deleted", tree.N, earlier.N)
	}
	if earlier.N == 0 {
		return nil
	}
	proof, err := tlog.ProveTree(tree.N, earlier.N, hashes)
	if err == nil {
		err = tlog.CheckTree(proof, tree.N, tree.Hash, earlier.N, earlier.Hash)
	}
	if err != nil {
		return fmt.Errorf("the audit log does not extend the checkpoint of %d events: %w", earlier.N, err)
	}
	return nil
}

// sealedEvents reads the events at places [from, to) of the tree, in order.
func sealedEvents(ctx context.Context, r reader, from, to int64) ([]domain.AuditEvent, []int64, error) {
	rows, err := r.query(ctx, "SELECT "+auditColumns+", seq FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq", from, to)
	if err != nil {
		return nil, nil, domain.Internalf(err, "read audit log")
	}
	defer rows.Close()
	var events []domain.AuditEvent
	var seqs []int64
	for rows.Next() {
		var ev domain.AuditEvent
		var seq int64
		if err := scanAudit(rows, &ev, &seq); err != nil {
			return nil, nil, domain.Internalf(err, "scan audit log")
		}
		events, seqs = append(events, ev), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, domain.Internalf(err, "read audit log")
	}
	return events, seqs, nil
}

// storedLeaves reads the leaf hashes stored for places [from, to), by place.
func storedLeaves(ctx context.Context, r reader, from, to int64) (map[int64]tlog.Hash, error) {
	stored, err := treeRows(ctx, r, "idx >= ? AND idx <= ?", tlog.StoredHashIndex(0, from), tlog.StoredHashIndex(0, to-1))
	if err != nil {
		return nil, err
	}
	out := map[int64]tlog.Hash{}
	for idx, h := range stored {
		if level, n := tlog.SplitStoredHashIndex(idx); level == 0 {
			out[n] = h
		}
	}
	return out, nil
}

// treeRows reads the stored hashes of the tree that match the condition,
// by storage index.
func treeRows(ctx context.Context, r reader, where string, args ...any) (map[int64]tlog.Hash, error) {
	rows, err := r.query(ctx, "SELECT idx, hash FROM audit_tree WHERE "+where, args...)
	if err != nil {
		return nil, domain.Internalf(err, "read audit tree")
	}
	defer rows.Close()
	out := map[int64]tlog.Hash{}
	for rows.Next() {
		var idx int64
		var text string
		if err := rows.Scan(&idx, &text); err != nil {
			return nil, domain.Internalf(err, "read audit tree")
		}
		h, err := tlog.ParseHash(text)
		if err != nil {
			return nil, fmt.Errorf("the audit tree's hash at %d is not a hash: it was edited", idx)
		}
		out[idx] = h
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read audit tree")
	}
	return out, nil
}

// stateful is a table whose events record each row's whole state, which
// its row must still equal: the record kit's tables (create, update,
// archive and restore events) and the few written beside it
// (audit_rows.go).
type stateful interface {
	checkRows(ctx context.Context, r reader) error
}

func (s *Store) statefulTables() []stateful {
	return []stateful{s.Jurisdictions, s.Organizations, s.Mechanisms, s.Meetings, s.Batches, s.Items, s.Reports,
		s.Problems, s.Tasks, s.Agreements, s.Catalogs, s.CatalogEntries, s.Indicators, s.Users,
		s.NotificationChannels(), s.ColumnMappings(), checkFunc(checkTokens), checkFunc(checkPublications), checkFunc(checkChanges)}
}

// checkRows compares every row of the table, as the store loads it, with
// the state its last create, update or archive event recorded.
func (rs *Records[T, P]) checkRows(ctx context.Context, r reader) error {
	noun := singular(rs.t.name)
	var after int64
	for {
		page, err := rs.rowsAfter(ctx, r, after)
		if err != nil {
			return err
		}
		last := int64(1<<63 - 1) // the last page also takes events of ids past every row
		if len(page) == verifyPage {
			last = page[len(page)-1].Base().ID
		}
		states, err := lastStates(ctx, r, rs.t.name, after, last)
		if err != nil {
			return err
		}
		for _, v := range page {
			id := v.Base().ID
			state, ok := states[id]
			if !ok {
				return fmt.Errorf("%s %d has no audit event recording its state: it was written without one", noun, id)
			}
			delete(states, id)
			row, err := json.Marshal(v)
			if err != nil {
				return domain.Internalf(err, "encode %s %d", noun, id)
			}
			if diff := stateDiff(row, []byte(state), rs.t.derived); diff != "" {
				return fmt.Errorf("%s %d differs from its last audit event (%s): it was changed without one", noun, id, diff)
			}
		}
		if len(states) > 0 {
			gone := int64(1<<63 - 1)
			for id := range states {
				gone = min(gone, id)
			}
			return fmt.Errorf("%s %d is recorded by audit events but gone from its table: it was deleted without one", noun, gone)
		}
		if len(page) < verifyPage {
			return nil
		}
		after = last
	}
}

// rowsAfter loads the next page of records, by id, with their children.
func (rs *Records[T, P]) rowsAfter(ctx context.Context, r reader, after int64) ([]P, error) {
	rows, err := r.query(ctx, "SELECT "+rs.t.selectColumns(rs.s.dialect)+" FROM "+rs.t.name+" WHERE id > ? ORDER BY id LIMIT "+strconv.Itoa(verifyPage), after)
	if err != nil {
		return nil, domain.Internalf(err, "read %s", rs.t.name)
	}
	var page []P
	for rows.Next() {
		v := P(new(T))
		if err := rows.Scan(rs.t.scanTargets(v)...); err != nil {
			rows.Close()
			return nil, domain.Internalf(err, "scan %s", rs.t.name)
		}
		page = append(page, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "read %s", rs.t.name)
	}
	if rs.t.load != nil && len(page) > 0 {
		if err := rs.t.load(ctx, r, page); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// lastStates reads, for the records of entity with ids in (after, last],
// the state their latest event that writes a record recorded: create,
// update, archive, restore, and a report's correct, accept and return.
func lastStates(ctx context.Context, r reader, entity string, after, last int64) (map[int64]string, error) {
	rows, err := r.query(ctx, `SELECT entity_id, after_json FROM audit_events WHERE entity = ? AND entity_id > ? AND entity_id <= ?
		AND action IN ('create', 'update', 'archive', 'restore', 'correct', 'accept', 'return') ORDER BY entity_id, id`, entity, after, last)
	if err != nil {
		return nil, domain.Internalf(err, "read audit states")
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var state string
		if err := rows.Scan(&id, &state); err != nil {
			return nil, domain.Internalf(err, "read audit states")
		}
		out[id] = state
	}
	return out, rows.Err()
}

// stateDiff compares a row's JSON with an event's, leaving out the derived
// fields, and names the first field that differs, or returns "". Both sides
// are made canonical first: empty values (null, "", 0, false, [], {}) are
// left out, as a row read back cannot tell them from absent ones, and
// times compare at the microsecond the databases keep.
func stateDiff(row, event []byte, derived []string) string {
	var a, b map[string]any
	if err := json.Unmarshal(row, &a); err != nil {
		return "the row cannot be read as JSON"
	}
	if err := json.Unmarshal(event, &b); err != nil {
		return "the event's state is not JSON"
	}
	for _, k := range derived {
		delete(a, k)
		delete(b, k)
	}
	ca, _ := canonical(a).(map[string]any)
	cb, _ := canonical(b).(map[string]any)
	keys := map[string]bool{}
	for k := range ca {
		keys[k] = true
	}
	for k := range cb {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		x, _ := json.Marshal(ca[k])
		y, _ := json.Marshal(cb[k])
		if string(x) != string(y) {
			return fmt.Sprintf("%s is %s in the row, %s in the event", k, x, y)
		}
	}
	return ""
}

func canonical(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if c := canonical(x); c != nil {
				out[k] = c
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = canonical(x)
		}
		return out
	case string:
		if v == "" {
			return nil
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
		}
		return v
	case float64:
		if v == 0 {
			return nil
		}
		return v
	case bool:
		if !v {
			return nil
		}
		return v
	}
	return v
}
