package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// entity is a pointer to a domain noun that embeds domain.Record.
type entity[T any] interface {
	*T
	domain.Entity
}

// table describes how one noun maps onto its table. The generic Records
// methods do the rest: create, read, versioned update, archive, filtered
// and cursor-paginated lists, reference checks and audit events.
type table[T any, P entity[T]] struct {
	name string // the table, and the entity name in audit events
	// columns after the common record columns, in the order of fields and targets.
	columns []string
	fields  func(P) []any // values to write
	targets func(P) []any // scan destinations
	refs    []ref[T, P]   // references checked before every write
	// conds are rules one SQL condition decides, asked in the same query
	// as the references (one round trip for all) and judged once those
	// exist.
	conds []condition[T, P]
	// check runs in the write transaction after validation and the
	// reference checks, for rules that need other records.
	check func(ctx context.Context, t *Tx, v P) error
	// edit, if set, is the rule for a plain write (Create, Update) given
	// the stored record (nil at creation): a report handed in is locked.
	// The store's own actions on such a record (a report's correction or
	// review) do not pass through it.
	edit func(before, v P) error
	// children loads the lists a record holds (parties, milestones …) for
	// a page of records; save replaces them after a write.
	load func(ctx context.Context, r reader, page []P) error
	// summary, when set, loads what a list's rows show in place of load,
	// for ListQuery.Summary.
	summary func(ctx context.Context, r reader, page []P) error
	// listedText, when set, is some of a record's children read in a
	// list's own query, one text column a row: a second query for a
	// page's children cost as much as the page's own. A summary needs
	// nothing else (no load, no summary); a list of whole records then
	// loads the rest with loadAfterText in place of load.
	listedText    *listedText[P]
	loadAfterText func(ctx context.Context, r reader, page []P) error
	// unshown are the columns a list's row does not show, which a summary
	// does not read: an item's long text and JSON were most of what a page
	// read and decoded, and on SQLite each column read costs the driver a
	// lock and a conversion whatever it holds.
	unshown map[string]bool
	save    func(ctx context.Context, t *Tx, v P) error
	// filters by name; each returns a clause with ? placeholders.
	filters map[string]filter
	sorts   map[string]sortKey
	// groups are what Tally may count by: a name and the SQL expression
	// yielding its value as text.
	groups map[string]string
	// object describes a record to the policy: its mechanism and the units
	// it belongs to. Nil means the record belongs to neither.
	object func(ctx context.Context, r reader, v P) (policy.Object, error)
	// mechanismColumn and unitsClause let a list keep to the records a
	// principal may read: a column or expression yielding the mechanism,
	// and a condition on the units with (?) standing for their list.
	mechanismColumn string
	unitsClause     string
	// submittedClause keeps to the records past their draft, for readers
	// who may not see drafts (reports).
	submittedClause string
	// redact masks the secrets of a record read by someone who does not
	// administer its mechanism (policy.Principal.Administers); nil when the
	// record holds none.
	redact func(v P)
	// hold may set part of a change aside until others confirm it: at
	// creation (before is nil), on update, archive and restore. It runs
	// after every check, before the row is written, and reverts the held
	// part on v; the function it returns, if any, records the held part
	// once v is written, given the version v was written as.
	hold func(ctx context.Context, t *Tx, before, v P) (held func(version int64) error, err error)
	// derived are the JSON names of fields that load fills from other
	// tables and that no audit event of the record states, which the check
	// of rows against their events leaves out (VerifyAudit).
	derived []string
}

// ref is a reference to another table that must exist.
type ref[T any, P entity[T]] struct {
	field string
	table string
	id    func(P) int64
}

// condition is a rule a record must meet that one SQL condition decides,
// such as "the reporting unit is a party of the item".
type condition[T any, P entity[T]] struct {
	field  string
	sql    string // a boolean SQL expression with ? placeholders
	args   func(P) []any
	reason func(P) string // why field is refused when sql is false
}

// filter turns a query parameter value into a WHERE clause.
type filter func(v string) (clause string, args []any, err error)

// sortKey is a sort expression and the kind of its values, which the cursor
// needs to compare them alike on both databases.
type sortKey struct {
	expr string
	kind sortKind
}

type sortKind int

const (
	sortInt sortKind = iota
	sortText
	sortTime
)

// recordColumnNames are the columns every record has, in the order of
// scanTargets; recordColumns reads them as a dialect does
// (dialect.timeColumn).
var recordColumnNames = []string{"id", "version", "source", "created_at", "updated_at", "archived_at"}

func recordColumns(d dialect, alias string) string {
	return strings.Join(recordColumnList(d, alias, nil), ", ")
}

// recordColumnList is recordColumns without those in leave.
func recordColumnList(d dialect, alias string, leave map[string]bool) []string {
	if alias != "" {
		alias += "."
	}
	out := make([]string, 0, len(recordColumnNames))
	for _, c := range recordColumnNames {
		switch {
		case leave[c]:
		case strings.HasSuffix(c, "_at"):
			out = append(out, d.timeColumn(alias+c))
		default:
			out = append(out, alias+c)
		}
	}
	return out
}

// Records is the service for one noun. Its methods return *domain.Error
// values: Invalid (with the fields), NotFound, Conflict (stale version or a
// duplicate key) and Internal.
type Records[T any, P entity[T]] struct {
	s *Store
	t *table[T, P]
}

func (t *table[T, P]) selectColumns(d dialect) string {
	return recordColumns(d, "") + ", " + strings.Join(t.columns, ", ")
}

// columnsOf is selectColumns, each column named as of the table given
// alias in a join.
func (t *table[T, P]) columnsOf(d dialect, alias string) string {
	return recordColumns(d, alias) + ", " + alias + "." + strings.Join(t.columns, ", "+alias+".")
}

// summaryColumns are selectColumns without the columns no list row shows;
// summaryTargets are scanTargets without theirs.
func (t *table[T, P]) summaryColumns(d dialect) string {
	cols := recordColumnList(d, "", t.unshown)
	for _, c := range t.columns {
		if !t.unshown[c] {
			cols = append(cols, c)
		}
	}
	return strings.Join(cols, ", ")
}

func (t *table[T, P]) summaryTargets(v P, more ...any) []any {
	all := t.scanTargets(v, more...)
	record := len(all) - len(t.columns) - len(more)
	out := make([]any, 0, len(all))
	for i, c := range recordColumnNames {
		if !t.unshown[c] {
			out = append(out, all[i])
		}
	}
	for i, c := range t.columns {
		if !t.unshown[c] {
			out = append(out, all[record+i])
		}
	}
	return append(out, more...)
}

// listedText is an SQL expression over the list's table yielding some of
// a row's children as text (NULL for none), and what the record takes of
// it.
type listedText[P any] struct {
	expr string
	take func(v P, text string) error
}

func (t *table[T, P]) scanTargets(v P, more ...any) []any {
	b := v.Base()
	own := t.targets(v)
	// One slice of the final length: a list scans a row at a time, and
	// growing the slice twice a row was a fifth of what a page of 50
	// items allocated.
	out := make([]any, 0, 6+len(own)+len(more))
	out = append(out, &b.ID, &b.Version, &b.Source, timeCol{&b.CreatedAt}, timeCol{&b.UpdatedAt}, nullTime{&b.ArchivedAt})
	return append(append(out, own...), more...)
}

// Get returns the record with id, archived or not, as the system sees it.
// Errors: NotFound.
func (rs *Records[T, P]) Get(ctx context.Context, id int64) (P, error) {
	return rs.get(ctx, rs.s.reader(), id)
}

// GetAs returns the record with id if actor may read it. Errors: NotFound,
// also for a record that exists but is not the actor's to see.
func (rs *Records[T, P]) GetAs(ctx context.Context, actor domain.Actor, id int64) (P, error) {
	r := rs.s.reader()
	v, err := rs.get(ctx, r, id)
	if err != nil {
		return nil, err
	}
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return nil, err
	}
	if err := rs.t.decide(ctx, r, pr, policy.Read, v); err != nil {
		if domain.ErrorCode(err) == domain.Forbidden {
			return nil, notVisible(rs.t.name, id)
		}
		return nil, err
	}
	return v, rs.t.conceal(ctx, r, pr, v)
}

// Allowed reports whether actor may perform action on v, as a Forbidden
// error when not; pages use it to offer only the actions that will work.
func (rs *Records[T, P]) Allowed(ctx context.Context, actor domain.Actor, action policy.Action, v P) error {
	r := rs.s.reader()
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return err
	}
	return rs.t.decide(ctx, r, pr, action, v)
}

func (rs *Records[T, P]) get(ctx context.Context, r reader, id int64) (P, error) {
	v := P(new(T))
	err := r.queryRow(ctx, "SELECT "+rs.t.selectColumns(rs.s.dialect)+" FROM "+rs.t.name+" WHERE id = ?", id).Scan(rs.t.scanTargets(v)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.NotFound, "%s %d not found", singular(rs.t.name), id)
	}
	if err != nil {
		return nil, domain.Internalf(err, "get %s %d", rs.t.name, id)
	}
	if rs.t.load != nil {
		if err := rs.t.load(ctx, r, []P{v}); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Create validates v and stores it as version 1, setting its id and times.
// Errors: Invalid, Conflict.
func (rs *Records[T, P]) Create(ctx context.Context, actor domain.Actor, v P) error {
	return rs.s.Write(ctx, actor, func(t *Tx) error { return rs.CreateTx(ctx, t, v) })
}

// CreateTx is Create within an open transaction, for imports and loaders
// that write many records at once.
func (rs *Records[T, P]) CreateTx(ctx context.Context, t *Tx, v P) error {
	if err := rs.checkEdit(nil, v); err != nil {
		return err
	}
	if err := rs.checkAll(ctx, t, v); err != nil {
		return err
	}
	if err := rs.mayWrite(ctx, t, v); err != nil {
		return err
	}
	b := v.Base()
	b.ArchivedAt = nil
	held, err := rs.holdPart(ctx, t, nil, v)
	if err != nil {
		return err
	}
	b.Version, b.CreatedAt, b.UpdatedAt = 1, t.now, t.now
	cols := "version, source, created_at, updated_at, " + strings.Join(rs.t.columns, ", ")
	args := append([]any{b.Version, b.Source, b.CreatedAt, b.UpdatedAt}, rs.t.fields(v)...)
	q := "INSERT INTO " + rs.t.name + " (" + cols + ") VALUES (" + placeholders(len(args)) + ") RETURNING id"
	if err := t.reader().queryRow(ctx, q, args...).Scan(&b.ID); err != nil {
		return t.s.dialect.normalize(domain.Internalf(err, "insert %s", rs.t.name))
	}
	if err := rs.saveChildren(ctx, t, v); err != nil {
		return err
	}
	if err := t.audit(ctx, "create", rs.t.name, b.ID, nil, v); err != nil {
		return err
	}
	return held(b.Version)
}

// holdPart asks the table's hold, if any, to set aside what others must
// confirm; the function returned records it and is never nil.
func (rs *Records[T, P]) holdPart(ctx context.Context, t *Tx, before, v P) (func(int64) error, error) {
	var held func(int64) error
	if rs.t.hold != nil && !t.federated {
		var err error
		if held, err = rs.t.hold(ctx, t, before, v); err != nil {
			return nil, err
		}
	}
	if held == nil {
		held = func(int64) error { return nil }
	}
	return held, nil
}

// Update stores v over the record with the same id, provided v.Version is
// the version stored; the stored version then grows by one. A stale version
// changes nothing. Errors: Invalid, NotFound, Conflict.
func (rs *Records[T, P]) Update(ctx context.Context, actor domain.Actor, v P) error {
	return rs.s.Write(ctx, actor, func(t *Tx) error { return rs.UpdateTx(ctx, t, v) })
}

// UpdateTx is Update within an open transaction.
func (rs *Records[T, P]) UpdateTx(ctx context.Context, t *Tx, v P) error {
	before, err := rs.get(ctx, t.reader(), v.Base().ID)
	if err != nil {
		return err
	}
	return rs.UpdateTxFrom(ctx, t, before, v)
}

// UpdateTxFrom is UpdateTx for a caller that has just read the stored
// record, as an import that previewed every row has: it does not read it
// again. The row is still written only if its stored version is before's,
// so a record changed since the read is refused as stale, and before is
// what the audit event records as the state replaced.
func (rs *Records[T, P]) UpdateTxFrom(ctx context.Context, t *Tx, before, v P) error {
	return rs.updateTx(ctx, t, before, v, "update")
}

// checkEdit asks the table's rule for plain writes, if any.
func (rs *Records[T, P]) checkEdit(before, v P) error {
	if rs.t.edit == nil {
		return nil
	}
	return rs.t.edit(before, v)
}

// updateTx is UpdateTxFrom audited as action: "update" for a plain write,
// which the table's edit rule must allow, or the name of one of the
// store's own actions on the record, which check their rule themselves.
func (rs *Records[T, P]) updateTx(ctx context.Context, t *Tx, before, v P, action string) error {
	b := v.Base()
	if before.Base().ID != b.ID {
		return domain.Internalf(fmt.Errorf("record %d given as the stored state of %d", before.Base().ID, b.ID), "update %s", rs.t.name)
	}
	// A record another installation keeps changes there: what its
	// reader here would change is proposed to its keeper, and the store's
	// own actions on it (a report's review) are refused. Asked once: the
	// policy's checks below know the record is kept here.
	if !t.federated && !t.confirmed && !t.ownSides {
		keeper, err := t.reader().keeperOf(ctx, rs.t.name, b.ID)
		if err != nil {
			return err
		}
		if keeper != "" && action == "update" {
			return rs.proposeToKeeper(ctx, t, keeper, before, v)
		}
		if keeper != "" {
			return keptBy(rs.t.name, b.ID, keeper)
		}
	}
	// A change the sides have confirmed (Tx.confirmed) was allowed when it
	// was proposed; it is applied for them even where a side confirming it
	// is not yet a party.
	if err := rs.mayWriteKeptHere(ctx, t, before); err != nil {
		return err
	}
	if before.Base().Version != b.Version {
		return staleError(rs.t.name, b.ID, b.Version, before.Base().Version)
	}
	if action == "update" {
		if err := rs.checkEdit(before, v); err != nil {
			return err
		}
	}
	if err := rs.checkAll(ctx, t, v); err != nil {
		return err
	}
	// The changed record must still be the actor's: a liaison may not hand
	// an item over to units it does not act for.
	if err := rs.mayWriteKeptHere(ctx, t, v); err != nil {
		return err
	}
	// Archiving and restoring are changes of their own (Archive, Restore).
	b.CreatedAt, b.ArchivedAt, b.UpdatedAt = before.Base().CreatedAt, before.Base().ArchivedAt, t.now
	held, err := rs.holdPart(ctx, t, before, v)
	if err != nil {
		return err
	}
	sets := make([]string, 0, len(rs.t.columns)+2)
	sets = append(sets, "version = version + 1", "source = ?", "updated_at = ?")
	for _, c := range rs.t.columns {
		sets = append(sets, c+" = ?")
	}
	args := append([]any{b.Source, b.UpdatedAt}, rs.t.fields(v)...)
	args = append(args, b.ID, b.Version)
	res, err := t.reader().exec(ctx, "UPDATE "+rs.t.name+" SET "+strings.Join(sets, ", ")+" WHERE id = ? AND version = ?", args...)
	if err != nil {
		return t.s.dialect.normalize(domain.Internalf(err, "update %s %d", rs.t.name, b.ID))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return staleError(rs.t.name, b.ID, b.Version, b.Version+1)
	}
	b.Version++
	if err := rs.saveChildren(ctx, t, v); err != nil {
		return err
	}
	if err := t.audit(ctx, action, rs.t.name, b.ID, before, v); err != nil {
		return err
	}
	return held(b.Version)
}

// Archive marks the record archived: it leaves the lists but stays readable
// and referenced, and Restore brings it back. version must be the stored
// version. Where others must confirm it (an item's other side), the record
// is returned unchanged with the archive pending. Errors: NotFound, Conflict.
func (rs *Records[T, P]) Archive(ctx context.Context, actor domain.Actor, id, version int64) (P, error) {
	return rs.setArchived(ctx, actor, id, version, true)
}

// Restore brings an archived record back into the lists, as Archive took it
// out; the history shows both. version must be the stored version. Errors:
// NotFound; Conflict for a stale version or a record that is not archived.
func (rs *Records[T, P]) Restore(ctx context.Context, actor domain.Actor, id, version int64) (P, error) {
	return rs.setArchived(ctx, actor, id, version, false)
}

func (rs *Records[T, P]) setArchived(ctx context.Context, actor domain.Actor, id, version int64, archive bool) (P, error) {
	var out P
	err := rs.s.Write(ctx, actor, func(t *Tx) error {
		before, err := rs.get(ctx, t.reader(), id)
		if err != nil {
			return err
		}
		if err := rs.mayWrite(ctx, t, before); err != nil {
			return err
		}
		if before.Base().Version != version {
			return staleError(rs.t.name, id, version, before.Base().Version)
		}
		if !archive && before.Base().ArchivedAt == nil {
			return domain.Errorf(domain.Conflict, "%s %d is not archived", singular(rs.t.name), id).
				With(domain.FieldError{Field: "archived_at", Reason: "is not set: there is nothing to restore"})
		}
		want := P(new(T))
		*want = *before
		want.Base().ArchivedAt = nil
		if archive {
			now := t.now
			want.Base().ArchivedAt = &now
		}
		held, err := rs.holdPart(ctx, t, before, want)
		if err != nil {
			return err
		}
		if (want.Base().ArchivedAt != nil) == archive { // not held
			if _, err := rs.archiveTx(ctx, t, before, archive); err != nil {
				return err
			}
		}
		if err := held(before.Base().Version); err != nil {
			return err
		}
		out, err = rs.get(ctx, t.reader(), id)
		return err
	})
	return out, err
}

// archiveTx archives (or restores) the stored record before, audited as
// "archive" (or "restore"), and returns it as it now stands.
func (rs *Records[T, P]) archiveTx(ctx context.Context, t *Tx, before P, archive bool) (P, error) {
	id, version := before.Base().ID, before.Base().Version
	action, at := "restore", any(nil)
	if archive {
		action, at = "archive", t.now
	}
	res, err := t.reader().exec(ctx, "UPDATE "+rs.t.name+" SET version = version + 1, updated_at = ?, archived_at = ? WHERE id = ? AND version = ?", t.now, at, id, version)
	if err != nil {
		return nil, domain.Internalf(err, "%s %s %d", action, rs.t.name, id)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, staleError(rs.t.name, id, version, version+1)
	}
	out, err := rs.get(ctx, t.reader(), id)
	if err != nil {
		return nil, err
	}
	return out, t.audit(ctx, action, rs.t.name, id, before, out)
}

// mayWriteKeptHere is mayWrite for a record known to be kept here, except
// while a change every side confirmed is applied (Tx.confirmed).
func (rs *Records[T, P]) mayWriteKeptHere(ctx context.Context, t *Tx, v P) error {
	if t.confirmed || rs.policyWaived(t) {
		return nil
	}
	return rs.mayDecide(ctx, t, v)
}

// mayWrite asks the policy whether the transaction's actor may change v. A
// record the actor may not even read answers NotFound, as reads do; one
// another installation keeps is refused, naming its keeper.
func (rs *Records[T, P]) mayWrite(ctx context.Context, t *Tx, v P) error {
	if rs.policyWaived(t) {
		return nil
	}
	if err := t.reader().keptElsewhere(ctx, rs.t.name, v.Base().ID); err != nil {
		return err
	}
	return rs.mayDecide(ctx, t, v)
}

// policyWaived says whether something other than the policy decided the
// transaction's writes: a unit named for a ledger under policy.NameUnits,
// or a peer's changes applied under its agreement (Store.Receive).
func (rs *Records[T, P]) policyWaived(t *Tx) bool {
	return t.namingUnits && rs.t.name == "organizations" || t.federated
}

// mayDecide is mayWrite's question to the policy alone.
func (rs *Records[T, P]) mayDecide(ctx context.Context, t *Tx, v P) error {
	r := t.reader()
	pr, err := r.principal(ctx, t.actor.User)
	if err != nil {
		return err
	}
	err = rs.t.decide(ctx, r, pr, policy.Write, v)
	if domain.ErrorCode(err) == domain.Forbidden && v.Base().ID != 0 && rs.t.decide(ctx, r, pr, policy.Read, v) != nil {
		return notVisible(rs.t.name, v.Base().ID)
	}
	return err
}

func staleError(table string, id, got, stored int64) error {
	return domain.Errorf(domain.Conflict, "%s %d has changed: your change was based on version %d, the stored version is %d; reload and try again", singular(table), id, got, stored).
		With(domain.FieldErrorf("version", "is %d, the stored version is %d", got, stored))
}

func (rs *Records[T, P]) checkAll(ctx context.Context, t *Tx, v P) error {
	if err := v.Validate(); err != nil {
		return err
	}
	// One query asks whether every reference not met before in the
	// transaction exists and whether each condition holds: on PostgreSQL
	// each query is a round trip.
	found := make([]bool, len(rs.t.refs))
	var asked []int // indexes into rs.t.refs
	var exprs []string
	var args []any
	for i, rf := range rs.t.refs {
		switch id := rf.id(v); {
		case id == 0:
		case t.seen[recordKey{rf.table, id}]:
			found[i] = true
		default:
			asked = append(asked, i)
			exprs, args = append(exprs, "EXISTS (SELECT 1 FROM "+rf.table+" WHERE id = ?)"), append(args, id)
		}
	}
	for _, c := range rs.t.conds {
		exprs, args = append(exprs, c.sql), append(args, c.args(v)...)
	}
	holds := make([]bool, len(exprs))
	if len(exprs) > 0 {
		dest := make([]any, len(holds))
		for i := range holds {
			dest[i] = &holds[i]
		}
		if err := t.reader().queryRow(ctx, "SELECT "+strings.Join(exprs, ", "), args...).Scan(dest...); err != nil {
			return domain.Internalf(err, "check the references of %s", singular(rs.t.name))
		}
	}
	for k, i := range asked {
		if found[i] = holds[k]; found[i] {
			t.remember(rs.t.refs[i].table, rs.t.refs[i].id(v))
		}
	}
	var p domain.Problems
	for i, rf := range rs.t.refs {
		id := rf.id(v)
		if id == 0 {
			continue
		}
		ok, err := found[i], error(nil)
		if ok {
			ok, err = t.visible(ctx, rf.table, id)
		}
		if err != nil {
			return domain.Internalf(err, "check %s", rf.field)
		}
		if !ok {
			p.Addf(rf.field, "refers to %s %d, which does not exist", singular(rf.table), id)
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	for i, c := range rs.t.conds {
		if !holds[len(asked)+i] {
			p.Add(c.field, c.reason(v))
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	if rs.t.check != nil {
		return rs.t.check(ctx, t, v)
	}
	return nil
}

func (rs *Records[T, P]) saveChildren(ctx context.Context, t *Tx, v P) error {
	if rs.t.save == nil {
		return nil
	}
	return rs.t.save(ctx, t, v)
}

// List returns one page of records matching q. Errors: Invalid, naming the
// filter, sort or cursor that is refused.
func (rs *Records[T, P]) List(ctx context.Context, q domain.ListQuery) (domain.Page[P], error) {
	var page domain.Page[P]
	var p domain.Problems
	where, args, scoped, err := rs.conditions(ctx, q, &p)
	if err != nil {
		return page, err
	}
	sk := sortKey{expr: "id", kind: sortInt}
	if q.Sort != "" && q.Sort != "id" {
		var ok bool
		if sk, ok = rs.t.sorts[q.Sort]; !ok {
			p.Addf("sort", "must be one of id, %s", strings.Join(rs.SortNames(), ", "))
		}
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = domain.DefaultPageSize
	case limit < 0 || limit > domain.MaxPageSize:
		p.Addf("limit", "must be between 1 and %d", domain.MaxPageSize)
	}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	// The count is of every page: the filters without the cursor, on the
	// table itself (searchDrive rewrites the list's where in place).
	var countWhere []string
	countArgs := args
	if q.Count {
		countWhere = slices.Clone(where)
	}
	from, order := rs.t.name, sk.expr
	if _, search := q.Filters["q"]; search && len(q.Filters) == 1 && !scoped && sk.expr == "id" {
		// Nothing but the search narrows the list: let the index drive.
		// Other filters or a viewer's scope may leave few rows, which
		// are better checked against the index than found in it.
		from, order = searchDrive(rs.s.dialect, rs.t.name, where)
	}
	if q.Cursor != "" {
		key, id, err := decodeCursor(q.Cursor, sk.kind)
		switch {
		case err != nil:
			p.Add("cursor", "is not a cursor from this list")
		case sk.expr == "id":
			// One column, so that an index read in id order can seek to it.
			where = append(where, order+" "+op+" ?")
			args = append(args, id)
		default:
			where = append(where, "("+order+", id) "+op+" (?, ?)")
			args = append(args, key, id)
		}
	}
	if err := p.Err(); err != nil {
		return page, err
	}
	columns := rs.t.selectColumns(rs.s.dialect)
	var text sql.NullString
	var extra []any
	if q.Summary {
		columns = rs.t.summaryColumns(rs.s.dialect)
	}
	if rs.t.listedText != nil {
		columns += ", " + rs.t.listedText.expr
		extra = append(extra, &text)
	}
	total := -1
	if q.Count {
		// Uncorrelated, so both databases count once for the page, not
		// once a row; its placeholders come before the WHERE's.
		columns += ", (" + rs.countQuery(countWhere) + ")"
		extra = append(extra, &total)
		args = append(slices.Clip(countArgs), args...)
	}
	key := order // each row's sort key, for the cursor after the last
	if sk.kind == sortTime {
		key = rs.s.dialect.timeColumn(order) // parsed for the last row only (encodeCursor)
	}
	query := "SELECT " + columns + ", " + key + " FROM " + from + whereClause(where)
	query += " ORDER BY " + order + " " + dir
	if sk.expr != "id" {
		query += ", id " + dir // ties of the sort key
	}
	query += " LIMIT " + strconv.Itoa(limit+1)
	r := rs.s.reader()
	rows, err := r.query(ctx, expandSearch(rs.s.dialect, query), args...)
	if err != nil {
		return page, domain.Internalf(err, "list %s", rs.t.name)
	}
	defer rows.Close()
	var lastKey any
	keys := make([]any, 0, limit+1)
	// Rows are scanned into one record through one set of targets and
	// copied out: building the targets for every row was a fifth of what
	// a page of items allocated. The record is cleared before each row,
	// so that nothing a row leaves (a JSON column read into a map) reaches
	// the next.
	row := P(new(T))
	targetsOf := rs.t.scanTargets
	if q.Summary {
		targetsOf = rs.t.summaryTargets
	}
	targets := targetsOf(row, append(extra, &lastKey)...)
	for rows.Next() {
		var zero T
		*row = zero
		if err := rows.Scan(targets...); err != nil {
			return page, domain.Internalf(err, "scan %s", rs.t.name)
		}
		v := P(new(T))
		*v = *row
		if rs.t.listedText != nil {
			if err := rs.t.listedText.take(v, text.String); err != nil {
				return page, domain.Internalf(err, "read %s", rs.t.name)
			}
		}
		page.Items = append(page.Items, v)
		keys = append(keys, lastKey)
	}
	if err := rows.Err(); err != nil {
		return page, domain.Internalf(err, "list %s", rs.t.name)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(keys[limit-1], sk.kind, last.Base().ID)
	}
	if page.Items == nil {
		page.Items = []P{}
		if q.Count && q.Cursor == "" {
			total = 0 // no row to carry the count, and none to count
		}
	}
	page.Total = total
	load := rs.t.load
	switch {
	case !q.Summary && rs.t.listedText != nil:
		load = rs.t.loadAfterText
	case !q.Summary:
	case rs.t.listedText != nil:
		load = nil
	case rs.t.summary != nil:
		load = rs.t.summary
	}
	if load != nil && len(page.Items) > 0 {
		if err := load(ctx, r, page.Items); err != nil {
			return page, err
		}
	}
	if rs.t.redact != nil && q.Viewer != nil {
		pr, err := r.principal(ctx, q.Viewer)
		if err != nil {
			return page, err
		}
		for _, v := range page.Items {
			if err := rs.t.conceal(ctx, r, pr, v); err != nil {
				return page, err
			}
		}
	}
	return page, nil
}

// conditions turns q's filters, the archive flag and the viewer's read
// scope into WHERE clauses, and says whether the scope narrows the list;
// a refused filter is added to p.
func (rs *Records[T, P]) conditions(ctx context.Context, q domain.ListQuery, p *domain.Problems) (where []string, args []any, scoped bool, err error) {
	if !q.Archived {
		where = append(where, "archived_at IS NULL")
	}
	pr, err := rs.s.reader().principal(ctx, q.Viewer)
	if err != nil {
		return nil, nil, false, err
	}
	if clause, a := rs.t.scopeClause(policy.ReadScope(pr, rs.t.name)); clause != "" {
		where = append(where, clause)
		args = append(args, a...)
		scoped = true
	}
	for name, val := range q.Filters {
		f, ok := rs.t.filters[name]
		if !ok {
			p.Addf(name, "is not a filter of this list; use one of %s", strings.Join(rs.FilterNames(), ", "))
			continue
		}
		clause, a, err := f(val)
		if err != nil {
			p.Add(name, err.Error())
			continue
		}
		where = append(where, clause)
		args = append(args, a...)
	}
	return where, args, scoped, nil
}

// Count is how many records share one combination of the grouped columns'
// values, in the order the columns were named.
type Count struct {
	Keys  []string
	Count int
}

// Tally counts the records q's filters select, grouped by the named
// columns, narrowed to what q.Viewer may read exactly as List is: a
// dashboard's figures are the sizes of the lists its links open. Counting
// happens in the database, so the cost does not grow with the records
// counted. Errors: Invalid, naming a refused filter or column.
func (rs *Records[T, P]) Tally(ctx context.Context, q domain.ListQuery, groups ...string) ([]Count, error) {
	var p domain.Problems
	where, args, _, err := rs.conditions(ctx, q, &p)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(groups))
	for i, g := range groups {
		expr, ok := rs.t.groups[g]
		if !ok {
			p.Addf("group", "%s is not a column this list counts by; use one of %s", g, strings.Join(sortedKeys(rs.t.groups), ", "))
		}
		cols[i] = expr
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	query := "SELECT " + strings.Join(append(cols, "COUNT(*)"), ", ") + " FROM " + rs.t.name + whereClause(where)
	if len(groups) > 0 {
		query += " GROUP BY " + strings.Join(cols, ", ")
	}
	rows, err := rs.s.reader().query(ctx, expandSearch(rs.s.dialect, query), args...)
	if err != nil {
		return nil, domain.Internalf(err, "count %s", rs.t.name)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		c := Count{Keys: make([]string, len(groups))}
		dest := make([]any, 0, len(groups)+1)
		for i := range c.Keys {
			dest = append(dest, &c.Keys[i])
		}
		if err := rows.Scan(append(dest, &c.Count)...); err != nil {
			return nil, domain.Internalf(err, "scan counts of %s", rs.t.name)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "count %s", rs.t.name)
	}
	return out, nil
}

// countQuery counts the records of the table that meet where.
func (rs *Records[T, P]) countQuery(where []string) string {
	return "SELECT COUNT(*) FROM " + rs.t.name + whereClause(where)
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// FilterNames lists the filters List accepts, sorted.
func (rs *Records[T, P]) FilterNames() []string { return sortedKeys(rs.t.filters) }

// SortNames lists the sort keys List accepts besides id, sorted.
func (rs *Records[T, P]) SortNames() []string { return sortedKeys(rs.t.sorts) }

// Entity names the noun in audit events and messages.
func (rs *Records[T, P]) Entity() string { return rs.t.name }

type cursor struct {
	Key any   `json:"k"`
	ID  int64 `json:"i"`
}

func encodeCursor(key any, kind sortKind, id int64) string {
	switch v := key.(type) {
	case []byte:
		key = string(v)
	case time.Time:
		key = v.UTC().Format(time.RFC3339Nano)
	case string:
		if kind == sortTime {
			if t, err := parseDBTime(v); err == nil {
				key = t.Format(time.RFC3339Nano)
			}
		}
	}
	b, _ := json.Marshal(cursor{Key: key, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, kind sortKind) (any, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, 0, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var c cursor
	if err := dec.Decode(&c); err != nil {
		return nil, 0, err
	}
	switch kind {
	case sortInt:
		n, ok := c.Key.(json.Number)
		if !ok {
			return nil, 0, errors.New("bad key")
		}
		i, err := n.Int64()
		return i, c.ID, err
	case sortTime:
		s, ok := c.Key.(string)
		if !ok {
			return nil, 0, errors.New("bad key")
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		return t, c.ID, err
	default:
		s, ok := c.Key.(string)
		if !ok {
			return nil, 0, errors.New("bad key")
		}
		return s, c.ID, nil
	}
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// singular turns a table name into the noun for messages.
func singular(table string) string {
	switch {
	case strings.HasSuffix(table, "ies"):
		return strings.TrimSuffix(table, "ies") + "y"
	case strings.HasSuffix(table, "ches"):
		return strings.TrimSuffix(table, "es")
	}
	return strings.TrimSuffix(strings.ReplaceAll(table, "_", " "), "s")
}

// stampColumn reads the stamp name of record_stamps (ReferencesStamp,
// Frame.ViewsStamp) as a column of a query.
func stampColumn(name string) string {
	return "(SELECT version FROM record_stamps WHERE name = '" + name + "')"
}

// ReferencesStamp returns a number that changes whenever a unit, a place
// (jurisdiction), a mechanism or a batch is written, on any instance, and only once
// the write has committed: the database's triggers keep it
// (0034_record_stamps.sql). Pages keep those reference lists until it
// changes.
func (s *Store) ReferencesStamp(ctx context.Context) (int64, error) {
	var v int64
	if err := s.reader().queryRow(ctx, "SELECT "+stampColumn("references")).Scan(&v); err != nil {
		return 0, domain.Internalf(err, "read the references stamp")
	}
	return v, nil
}
