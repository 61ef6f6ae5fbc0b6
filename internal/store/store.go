// Package store keeps Liandong's records in SQLite or PostgreSQL with the same
// SQL, the same rules and the same results. Every write runs in one
// transaction that also appends its audit event.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
)

// Store is the system of record. It is safe for concurrent use; several
// processes may share one PostgreSQL database.
type Store struct {
	db      *sql.DB
	dialect dialect
	url     string // how it was opened: a PostgreSQL URL, or the SQLite file
	stmtMu  sync.Mutex
	stmts   map[string]*sql.Stmt
	sealer  *sealer
	// writeMu queues the write transactions of this process where the
	// database takes one writer at a time (dialect.oneWriter).
	writeMu sync.Mutex
	// Now is the clock; tests replace it to control time.
	Now func() time.Time
	// AllowPrivateTargets lets notification channels point at loopback,
	// private and link-local addresses (LIANDONG_NOTIFY_ALLOW_PRIVATE=1):
	// an installation whose receivers live on its own network. Off, such a
	// target is refused when the channel is saved and when a reminder is
	// sent. Set it before serving; it is read, never written, afterwards.
	AllowPrivateTargets bool
	// AuditKey signs the audit log's checkpoints (IssueCheckpoint) and
	// keeps those issued beside it (the packs print the latest); nil
	// where no command opened one, and then no checkpoint is issued.
	// Set it before serving.
	AuditKey *auditlog.Key

	Jurisdictions  *Records[domain.Jurisdiction, *domain.Jurisdiction]
	Organizations  *Records[domain.Organization, *domain.Organization]
	Mechanisms     *Records[domain.Mechanism, *domain.Mechanism]
	Meetings       *Records[domain.Meeting, *domain.Meeting]
	Batches        *Records[domain.Batch, *domain.Batch]
	Items          *Records[domain.Item, *domain.Item]
	Reports        *Records[domain.Report, *domain.Report]
	Problems       *Records[domain.Problem, *domain.Problem]
	Tasks          *Records[domain.Task, *domain.Task]
	Agreements     *Records[domain.Agreement, *domain.Agreement]
	Catalogs       *Records[domain.Catalog, *domain.Catalog]
	CatalogEntries *Records[domain.CatalogEntry, *domain.CatalogEntry]
	Indicators     *Records[domain.Indicator, *domain.Indicator]
	Users          *Records[domain.User, *domain.User]
}

// DefaultSQLiteFile is the database file created in the data directory.
const DefaultSQLiteFile = "liandong.db"

// Open connects to the database named by url: a postgres:// URL selects
// PostgreSQL, anything else is a SQLite path ("" means the default file in
// dataDir). It does not migrate; call Migrate.
func Open(ctx context.Context, url, dataDir string) (*Store, error) {
	var d dialect
	var dsn string
	switch {
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		d, dsn = postgresDialect{}, url
	default:
		if url == "" {
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			url = filepath.Join(dataDir, DefaultSQLiteFile)
		}
		d, dsn = sqliteDialect{}, sqliteDSN(url)
	}
	db, err := sql.Open(d.driverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d.name(), err)
	}
	d.configure(db)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", d.name(), err)
	}
	s := &Store{db: db, dialect: d, url: url, Now: time.Now, stmts: map[string]*sql.Stmt{}}
	s.register()
	s.sealer = startSealer(s)
	return s, nil
}

// Close stops the background sealer, then closes the prepared statements
// and the database. Events it had not sealed yet are sealed by the next
// seal of any process.
func (s *Store) Close() error {
	s.sealer.stop()
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[string]*sql.Stmt{}
	s.stmtMu.Unlock()
	return s.db.Close()
}

// URL returns what the store was opened with: a PostgreSQL URL or the
// SQLite file's path.
func (s *Store) URL() string { return s.url }

// Dialect names the database in use: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.name() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// RefreshStatistics has the database sample its tables again after a bulk
// load, so that its planner sees their sizes. On PostgreSQL, before the
// autovacuum got to it, a search of the freshly generated national dataset
// scanned every item (217 ms p50) instead of merging two indexes in id
// order (0.3 ms). SQLite plans these queries well without statistics; with
// sampled ones (PRAGMA optimize) the dashboard's count of a side's items,
// as it was then written, went from 33 to 77 ms, so SQLite keeps none.
func (s *Store) RefreshStatistics(ctx context.Context) error {
	if s.dialect.name() != "postgres" {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, "ANALYZE"); err != nil {
		return domain.Internalf(err, "analyze")
	}
	return nil
}

// DB exposes the handle for tests and tools that inspect the database
// directly (integrity checks, tamper tests).
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Tx is a write transaction with the actor it acts for.
type Tx struct {
	tx    *sql.Tx
	s     *Store
	actor domain.Actor
	now   time.Time
	// confirmed is set while a change both sides confirmed is applied, so
	// that applying it does not ask for confirmation again.
	confirmed bool
	// federated is set while the changes a peer installation sent are
	// applied to the records it keeps (Store.Receive): its agreement, not
	// the policy, decided them, and its side confirmed them as it must.
	federated bool
	// ownSides is set while a replica writes its side's own units of an
	// item (Records.proposeToKeeper): the write is this side's to make here
	// at once, and is proposed to the keeper as well.
	ownSides bool
	// applying is, while a peer's event is applied, who made it there: the
	// audit events written meanwhile are attributed to them.
	applying *remoteActor
	// namingUnits is set while a unit is named or created for a
	// mechanism's ledger under policy.NameUnits, which decided the write.
	namingUnits bool
	// held are the item changes set aside in this transaction (Tx.Held).
	held []domain.ItemChange
	// stmts are the statements of this transaction, when the dialect
	// parses per call (reader.txStmt).
	stmts *txStatements
	// mechanisms are those read by Tx.mechanism, until one is changed;
	// batchMechanisms likewise for Tx.batchMechanism.
	mechanisms      map[int64]*domain.Mechanism
	batchMechanisms map[int64]int64
	// seen holds the records Tx.exists found.
	seen map[recordKey]bool
	// audited is set once the transaction has appended an audit event, for
	// the sealer to seal after its commit.
	audited bool
	// search holds the text index terms to write before commit (indexSearch).
	search map[recordKey]string
}

// Write runs fn in one transaction for actor, committing when fn returns nil.
// Loaders and imports use it to apply many records all or none.
func (s *Store) Write(ctx context.Context, actor domain.Actor, fn func(*Tx) error) error {
	defer s.queueWriter()()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return domain.Internalf(err, "begin transaction")
	}
	defer tx.Rollback()
	t := &Tx{tx: tx, s: s, actor: actor, now: s.now()}
	if s.dialect.preparesPerCall() {
		t.stmts = &txStatements{byQuery: map[string]*sql.Stmt{}}
	}
	if err := fn(t); err != nil {
		return s.dialect.normalize(err)
	}
	if err := t.flushSearch(ctx); err != nil {
		return s.dialect.normalize(err)
	}
	if err := tx.Commit(); err != nil {
		return s.dialect.normalize(domain.Internalf(err, "commit"))
	}
	if t.audited {
		s.sealer.wake()
	}
	t.stmts.pool(ctx, s)
	return nil
}

// sealer seals the audit log in the background: Write wakes it after each
// commit that appended events, and one seal takes every event committed by
// then, so that a burst of commits costs a few seals and no commit waits
// for one.
type sealer struct {
	wakeup chan struct{}
	// sealed tells, without waiting, that a seal ran: the events it
	// placed may be what a reader of the log (the federation's export)
	// waits for.
	sealed chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// sealPause is the least time between two seals of the background sealer.
const sealPause = 50 * time.Millisecond

func startSealer(s *Store) *sealer {
	ctx, cancel := context.WithCancel(context.Background())
	sl := &sealer{wakeup: make(chan struct{}, 1), sealed: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(sl.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sl.wakeup:
				// A failed seal leaves its events to the next one; an
				// explicit SealAudit (audit checkpoint, audit verify)
				// reports why it fails.
				if s.sealAudit(ctx, nil) == nil {
					select {
					case sl.sealed <- struct{}{}:
					default:
					}
				}
			}
			// The pause gathers the commits of a busy moment into one
			// seal: at most a hundred seals a second, whatever the rate
			// of commits, each a transaction competing with them.
			select {
			case <-ctx.Done():
				return
			case <-time.After(sealPause):
			}
		}
	}()
	return sl
}

// Sealed receives after the background sealer has sealed the events of
// this process's commits (at most one signal waits): a change here is in
// the log, ready to be exported.
func (s *Store) Sealed() <-chan struct{} { return s.sealer.sealed }

// wake asks for a seal; a seal already asked for covers this one too.
func (sl *sealer) wake() {
	select {
	case sl.wakeup <- struct{}{}:
	default:
	}
}

func (sl *sealer) stop() {
	sl.cancel()
	<-sl.done
}

// queueWriter waits for this process's turn to write where the database
// takes one writer at a time (SQLite), and returns the function that ends
// it. Writers waiting in SQLite's busy handler sleep in steps of 1 to 100
// ms and take turns in no order; queued on a mutex, the next starts as the
// last commits. The background sealer queues too, between writers. Other
// processes on the same file still wait in the busy handler.
func (s *Store) queueWriter() func() {
	if !s.dialect.oneWriter() {
		return func() {}
	}
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

// txStatements are the prepared statements of one transaction, by query,
// and the queries it met that the pool had not prepared yet.
type txStatements struct {
	byQuery  map[string]*sql.Stmt
	unpooled []string
}

// pool prepares, for the transactions to come, the queries a transaction
// met that the pool did not have. It runs after the transaction has given
// its connection back (see reader.txStmt).
func (ts *txStatements) pool(ctx context.Context, s *Store) {
	if ts == nil {
		return
	}
	for _, q := range ts.unpooled {
		s.reader().stmt(ctx, q)
	}
}

// mechanism reads a mechanism once per transaction: an import checks
// thousands of items against one mechanism's taxonomy. Every write is
// audited, and the audit of a mechanism's change forgets what was read.
// The record is shared: callers read it and do not change it.
func (t *Tx) mechanism(ctx context.Context, id int64) (*domain.Mechanism, error) {
	if m, ok := t.mechanisms[id]; ok {
		return m, nil
	}
	m, err := mechanisms.getIn(ctx, t.reader(), id)
	if err != nil {
		return nil, err
	}
	if t.mechanisms == nil {
		t.mechanisms = map[int64]*domain.Mechanism{}
	}
	t.mechanisms[id] = m
	return m, nil
}

// batchMechanism reads the mechanism a batch belongs to, once per
// transaction; the audit of a batch's change forgets what was read.
func (t *Tx) batchMechanism(ctx context.Context, id int64) (int64, error) {
	if m, ok := t.batchMechanisms[id]; ok {
		return m, nil
	}
	var m int64
	if err := t.reader().queryRow(ctx, "SELECT mechanism_id FROM batches WHERE id = ?", id).Scan(&m); err != nil {
		return 0, domain.Internalf(err, "check batch")
	}
	if t.batchMechanisms == nil {
		t.batchMechanisms = map[int64]int64{}
	}
	t.batchMechanisms[id] = m
	return m, nil
}

// neverDeleted are the tables of the record kit, whose rows are archived
// and never deleted, so a row found once in a transaction is still there
// at its end. Child tables (parties, decisions …) are replaced on update
// and are not among them; a table left out is only checked every time.
var neverDeleted = map[string]bool{
	"jurisdictions": true, "organizations": true, "mechanisms": true, "meetings": true, "batches": true, "items": true,
	"reports": true, "problems": true, "tasks": true, "agreements": true, "catalogs": true, "catalog_entries": true,
	"indicators": true, "users": true,
}

// exists is reader.exists remembering, for the tables in neverDeleted, what
// it found: an import checks the same mechanism, batch and units for every
// row, and on PostgreSQL each check is a round trip.
func (t *Tx) exists(ctx context.Context, table string, id int64) (bool, error) {
	key := recordKey{table, id}
	if t.seen[key] {
		return true, nil
	}
	ok, err := t.reader().exists(ctx, table, id)
	if ok && err == nil {
		t.remember(table, id)
	}
	return ok, err
}

// remember notes that a record of table exists, for the rest of the
// transaction, when its table never loses a row.
func (t *Tx) remember(table string, id int64) {
	if !neverDeleted[table] {
		return
	}
	if t.seen == nil {
		t.seen = map[recordKey]bool{}
	}
	t.seen[recordKey{table, id}] = true
}

// querier is what reads need: the database or an open transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// reader runs queries written with ? placeholders, rebound for the
// dialect, on the database or inside a transaction. Reads outside a
// transaction use statements prepared once, since parsing SQL is a large
// part of a small query's cost.
type reader struct {
	s       *Store
	tx      *sql.Tx       // nil outside a transaction
	txStmts *txStatements // the transaction's prepared statements, or nil
}

func (s *Store) reader() reader { return reader{s: s} }
func (t *Tx) reader() reader    { return reader{s: t.s, tx: t.tx, txStmts: t.stmts} }

// maxCachedStatements bounds the statement cache: lists build their SQL
// from the filters given, and rare shapes are not worth keeping.
const maxCachedStatements = 400

// stmt returns the prepared statement for q, or nil when q is not cached.
func (r reader) stmt(ctx context.Context, q string) *sql.Stmt {
	r.s.stmtMu.Lock()
	st, ok := r.s.stmts[q]
	full := len(r.s.stmts) >= maxCachedStatements
	r.s.stmtMu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := r.s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // let the plain call report the error
	}
	r.s.stmtMu.Lock()
	defer r.s.stmtMu.Unlock()
	if prev, ok := r.s.stmts[q]; ok {
		st.Close()
		return prev
	}
	r.s.stmts[q] = st
	return st
}

func (r reader) bound(ctx context.Context, q string) (*sql.Stmt, string) {
	q = r.s.dialect.rebind(q)
	if r.tx != nil {
		return r.txStmt(ctx, q), q
	}
	return r.stmt(ctx, q), q
}

// txStmt returns q prepared for the transaction, or nil when the
// transaction keeps no statements. A statement the pool has prepared is
// bound to the transaction (Tx.StmtContext), which reuses what was
// prepared on the transaction's connection before: a report submission,
// one transaction, would otherwise spend a quarter of its time parsing
// SQL. A statement the pool lacks is prepared on the transaction alone and
// pooled after the commit: preparing it through the pool here would wait
// for a second connection while holding SQLite's write lock, and with
// every connection held by writers waiting for that lock, nobody moves
// until busy_timeout fails them with SQLITE_BUSY (the mixed-load test
// showed it).
func (r reader) txStmt(ctx context.Context, q string) *sql.Stmt {
	ts := r.txStmts
	if ts == nil {
		return nil
	}
	if st, ok := ts.byQuery[q]; ok {
		return st
	}
	if len(ts.byQuery) >= maxCachedStatements {
		return nil
	}
	r.s.stmtMu.Lock()
	pooled := r.s.stmts[q]
	r.s.stmtMu.Unlock()
	var st *sql.Stmt
	if pooled != nil {
		st = r.tx.StmtContext(ctx, pooled)
	} else {
		var err error
		if st, err = r.tx.PrepareContext(ctx, q); err != nil {
			return nil // let the plain call report the error
		}
		ts.unpooled = append(ts.unpooled, q)
	}
	ts.byQuery[q] = st
	return st
}

func (r reader) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st, q := r.bound(ctx, q); st == nil {
		return r.plain().QueryContext(ctx, q, args...)
	} else {
		return st.QueryContext(ctx, args...)
	}
}

func (r reader) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st, q := r.bound(ctx, q); st == nil {
		return r.plain().QueryRowContext(ctx, q, args...)
	} else {
		return st.QueryRowContext(ctx, args...)
	}
}

func (r reader) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st, q := r.bound(ctx, q); st == nil {
		return r.plain().ExecContext(ctx, q, args...)
	} else {
		return st.ExecContext(ctx, args...)
	}
}

func (r reader) plain() querier {
	if r.tx != nil {
		return r.tx
	}
	return r.s.db
}

// exists reports whether table has a row with this id.
func (r reader) exists(ctx context.Context, table string, id int64) (bool, error) {
	var one int
	err := r.queryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
