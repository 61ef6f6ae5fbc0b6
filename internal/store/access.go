package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// principal resolves a user's grants into what the policy decides on. A
// jurisdiction grant covers the units of that jurisdiction and of every
// jurisdiction below it (a district's units, a city's districts' units); a
// liaison's mechanism grant covers the mechanism's member units, on that
// mechanism's records.
func (r reader) principal(ctx context.Context, u *domain.User) (*policy.Principal, error) {
	p := &policy.Principal{User: u}
	if u == nil {
		return p, nil
	}
	p.Admin = u.IsAdmin()
	for _, g := range u.Grants {
		var units []int64
		var err error
		switch g.ScopeKind {
		case domain.OrganizationScope:
			units = []int64{g.ScopeID}
		case domain.JurisdictionScope:
			units, err = r.unitsWithin(ctx, g.ScopeID)
		case domain.MechanismScope:
			if g.Role == domain.Liaison {
				units, err = r.int64s(ctx, "SELECT organization_id FROM mechanism_members WHERE mechanism_id = ?", g.ScopeID)
			}
		}
		if err != nil {
			return nil, domain.Internalf(err, "resolve grants")
		}
		switch g.Role {
		case domain.Admin:
		case domain.SecretariatRole:
			if g.ScopeKind == domain.MechanismScope {
				p.Secretariat = append(p.Secretariat, g.ScopeID)
			}
		case domain.Leader, domain.Viewer:
			switch g.ScopeKind {
			case domain.SystemScope:
				p.ReadsAll = true
			case domain.MechanismScope:
				p.Readers = append(p.Readers, g.ScopeID)
			default:
				p.ReaderUnits = append(p.ReaderUnits, units...)
			}
		case domain.Liaison:
			p.LiaisonGrants = true
			a := policy.Acting{Units: units}
			if g.ScopeKind == domain.MechanismScope {
				a.Mechanism = g.ScopeID // its members count inside it only
			}
			p.Liaison = append(p.Liaison, a)
		}
	}
	return p, nil
}

func (r reader) unitsWithin(ctx context.Context, jurisdiction int64) ([]int64, error) {
	return r.int64s(ctx, `WITH RECURSIVE below(id) AS (
			SELECT id FROM jurisdictions WHERE id = ?
			UNION SELECT j.id FROM jurisdictions j JOIN below b ON j.parent_id = b.id)
		SELECT id FROM organizations WHERE jurisdiction_id IN (SELECT id FROM below)`, jurisdiction)
}

func (r reader) int64s(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// LiaisonUnits returns the units actor acts for as a liaison, in any
// mechanism, as the policy resolves its grants (a unit, the units of a
// jurisdiction, a mechanism's member units): the units a report form offers.
func (s *Store) LiaisonUnits(ctx context.Context, actor domain.Actor) ([]int64, error) {
	pr, err := s.reader().principal(ctx, actor.User)
	if err != nil {
		return nil, err
	}
	return pr.ActsForAnywhere(), nil
}

// decide asks the policy whether the principal may act on v.
func (t *table[T, P]) decide(ctx context.Context, r reader, pr *policy.Principal, action policy.Action, v P) error {
	if pr.System() || pr.Admin {
		return nil
	}
	obj := policy.Object{Entity: t.name}
	if t.object != nil {
		var err error
		if obj, err = t.object(ctx, r, v); err != nil {
			return err
		}
		obj.Entity = t.name
	}
	return policy.Decide(pr, action, obj)
}

// scopeClause turns the policy's read scope into a WHERE clause: one
// condition per reach, any of which admits a record.
func (t *table[T, P]) scopeClause(sc policy.Scope) (string, []any) {
	switch {
	case sc.All:
		return "", nil
	case sc.None:
		return "1 = 0", nil
	}
	var parts []string
	var args []any
	for _, r := range sc.Reaches {
		var conds []string
		var a []any
		if r.Mechanism != 0 {
			if t.mechanismColumn == "" {
				continue
			}
			conds, a = append(conds, t.mechanismColumn+" = ?"), append(a, r.Mechanism)
		}
		if r.ByUnits {
			if t.unitsClause == "" || len(r.Units) == 0 {
				continue
			}
			conds = append(conds, strings.ReplaceAll(t.unitsClause, "(?)", "("+placeholders(len(r.Units))+")"))
			for range strings.Count(t.unitsClause, "(?)") {
				a = append(a, int64sAny(r.Units)...)
			}
		}
		if r.Submitted && t.submittedClause != "" {
			conds = append(conds, t.submittedClause)
		}
		if len(conds) == 0 {
			return "", nil // this reach admits every record
		}
		parts, args = append(parts, "("+strings.Join(conds, " AND ")+")"), append(args, a...)
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

func int64sAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// notVisible hides a record the caller may not read: guessing ids must not
// tell which exist.
func notVisible(table string, id int64) error {
	return domain.Errorf(domain.NotFound, "%s %d not found", singular(table), id)
}

// Oversee asks the policy whether actor may read (or steer) what spans the
// whole of mechanism. Errors: Forbidden.
func (s *Store) Oversee(ctx context.Context, actor domain.Actor, mechanism int64, action policy.Action) error {
	pr, err := s.reader().principal(ctx, actor.User)
	if err != nil {
		return err
	}
	return policy.Oversee(pr, mechanism, action)
}

// OverseesAny reports whether actor may oversee (policy.Oversee) any of
// the mechanisms, resolving the actor's grants once, not per mechanism.
func (s *Store) OverseesAny(ctx context.Context, actor domain.Actor, mechanisms []int64, action policy.Action) bool {
	pr, err := s.reader().principal(ctx, actor.User)
	if err != nil {
		return false
	}
	for _, m := range mechanisms {
		if policy.Oversee(pr, m, action) == nil {
			return true
		}
	}
	return false
}

// visible reports whether the transaction's actor may read the record of
// table that a body refers to. A reference to a unit-owned record the
// actor may not read is refused exactly as one to a record that does not
// exist, so a body cannot probe which ids exist, nor copy what it may not
// read into a record others read (a meeting's agenda into its pack).
func (t *Tx) visible(ctx context.Context, table string, id int64) (bool, error) {
	if t.actor.User == nil {
		return true, nil
	}
	switch table {
	case "items":
		return visibleIn(ctx, t, items, id)
	case "problems":
		return visibleIn(ctx, t, problems, id)
	}
	return true, nil
}

func visibleIn[T any, P entity[T]](ctx context.Context, t *Tx, tb *table[T, P], id int64) (bool, error) {
	r := t.reader()
	v, err := tb.records(t.s).get(ctx, r, id)
	if err != nil {
		return false, err
	}
	pr, err := r.principal(ctx, t.actor.User)
	if err != nil {
		return false, err
	}
	return tb.decide(ctx, r, pr, policy.Read, v) == nil, nil
}

// namedUnit is a unit a record names, and the field naming it.
type namedUnit struct {
	field string
	unit  int64
}

// checkMembers refuses the units a record of mechanism names that are not
// member units of the mechanism, unless the stored record already named
// them (kept): a liaison may not hand work to, or speak for, a unit outside
// the mechanism. Administrators and the mechanism's secretariat are not
// held to it: they set up a mechanism's items with units outside its
// formal membership, as the working group of the demo's public facts has
// district governments leading items of a group of city departments.
func (t *Tx) checkMembers(ctx context.Context, mechanism int64, named []namedUnit, kept []int64, p *domain.Problems) error {
	if t.actor.User == nil || len(named) == 0 {
		return nil
	}
	pr, err := t.reader().principal(ctx, t.actor.User)
	if err != nil {
		return err
	}
	if pr.Administers(mechanism) {
		return nil
	}
	members, err := t.reader().int64s(ctx, "SELECT organization_id FROM mechanism_members WHERE mechanism_id = ?", mechanism)
	if err != nil {
		return domain.Internalf(err, "read the mechanism's members")
	}
	for _, n := range named {
		if !slices.Contains(members, n.unit) && !slices.Contains(kept, n.unit) {
			p.Addf(n.field, "refers to unit %d, which is not a member unit of the mechanism", n.unit)
		}
	}
	return nil
}

// storedUnits returns the ids (units, agenda entries) the stored record id
// names, by a query whose every ? is the id; none for a record not yet
// stored, or when the system writes.
func (t *Tx) storedUnits(ctx context.Context, q string, id int64) ([]int64, error) {
	if id == 0 || t.actor.User == nil {
		return nil, nil
	}
	args := make([]any, strings.Count(q, "?"))
	for i := range args {
		args[i] = id
	}
	units, err := t.reader().int64s(ctx, q, args...)
	if err != nil {
		return nil, domain.Internalf(err, "read the units named")
	}
	return units, nil
}

// checkProblemItem holds a problem to the item it blocks: the item is of
// the problem's mechanism, and a user attaching the problem to it (raising
// it there, or moving it there) may change the item — a liaison raises
// problems only on items its units take part in.
func (t *Tx) checkProblemItem(ctx context.Context, pr *domain.Problem, p *domain.Problems) error {
	if pr.ItemID == 0 {
		return nil
	}
	r := t.reader()
	it, err := items.records(t.s).get(ctx, r, pr.ItemID)
	if err != nil {
		return err
	}
	if it.MechanismID != pr.MechanismID {
		p.Add("item_id", "is an item of another mechanism than the problem's")
		return nil
	}
	if t.actor.User == nil {
		return nil
	}
	if pr.ID != 0 {
		var before int64
		if err := r.queryRow(ctx, "SELECT COALESCE(item_id, 0) FROM problems WHERE id = ?", pr.ID).Scan(&before); err != nil && !isNoRows(err) {
			return domain.Internalf(err, "read the problem's item")
		}
		if before == pr.ItemID {
			return nil
		}
	}
	if mayRaiseOn(ctx, r, t.actor, it) != nil {
		p.Addf("item_id", "is item %d, which your units take no part in: raise the problem on one of theirs", pr.ItemID)
	}
	return nil
}

// MayRaiseProblemOn returns nil when actor may raise a problem on the item
// it, the rule the store holds a new problem to: one may write problems and
// change the item. The item page offers "raise a problem" by it.
func (s *Store) MayRaiseProblemOn(ctx context.Context, actor domain.Actor, it *domain.Item) error {
	if err := policy.Check(actor.User, policy.Write, "problems"); err != nil {
		return err
	}
	return mayRaiseOn(ctx, s.reader(), actor, it)
}

func mayRaiseOn(ctx context.Context, r reader, actor domain.Actor, it *domain.Item) error {
	pc, err := r.principal(ctx, actor.User)
	if err != nil {
		return err
	}
	return items.decide(ctx, r, pc, policy.Write, it)
}

// loadScoped is loadRows for a query over t's table that must keep to what
// pr may read: the read scope joins the WHERE clause before any ORDER BY.
func loadScoped[T any, P entity[T]](ctx context.Context, r reader, t *table[T, P], pr *policy.Principal, query string, ids []any, fn func(rows *sql.Rows) error) error {
	clause, scopeArgs := t.scopeClause(policy.ReadScope(pr, t.name))
	query = strings.Replace(query, "(?)", "("+placeholders(len(ids))+")", 1)
	if clause != "" {
		where, order, _ := strings.Cut(query, " ORDER BY ")
		query = where + " AND " + clause
		if order != "" {
			query += " ORDER BY " + order
		}
	}
	rows, err := r.query(ctx, query, append(slices.Clone(ids), scopeArgs...)...)
	if err != nil {
		return domain.Internalf(err, "load %s", t.name)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return domain.Internalf(err, "scan %s", t.name)
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Internalf(err, "load %s", t.name)
	}
	return nil
}

// conceal masks v's secrets unless pr administers the mechanism v belongs
// to: whoever may read a channel learns where reminders go, and only its
// administrators get the key that lets anyone post there.
func (t *table[T, P]) conceal(ctx context.Context, r reader, pr *policy.Principal, v P) error {
	if t.redact == nil || pr.System() || pr.Admin {
		return nil
	}
	var obj policy.Object
	if t.object != nil {
		var err error
		if obj, err = t.object(ctx, r, v); err != nil {
			return err
		}
	}
	if !pr.Administers(obj.MechanismID) {
		t.redact(v)
	}
	return nil
}

// HistoryAs returns the audit events of the record id if actor may read
// it, oldest first, with its secrets masked in each state as a read masks
// them. Errors: NotFound, also for a record not the actor's to see.
func (rs *Records[T, P]) HistoryAs(ctx context.Context, actor domain.Actor, id int64) ([]domain.AuditEvent, error) {
	v, err := rs.GetAs(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	events, err := rs.s.History(ctx, rs.t.name, v.Base().ID)
	if err != nil || rs.t.redact == nil {
		return events, err
	}
	r := rs.s.reader()
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return nil, err
	}
	for i := range events {
		for _, state := range []*string{&events[i].Before, &events[i].After} {
			if *state == "" {
				continue
			}
			old := P(new(T))
			if err := json.Unmarshal([]byte(*state), old); err != nil {
				return nil, domain.Internalf(err, "decode a state of %s %d", rs.t.name, id)
			}
			if err := rs.t.conceal(ctx, r, pr, old); err != nil {
				return nil, err
			}
			b, err := json.Marshal(old)
			if err != nil {
				return nil, domain.Internalf(err, "encode a state of %s %d", rs.t.name, id)
			}
			*state = string(b)
		}
	}
	return events, nil
}

// Administers reports whether actor administers mechanism: reads its
// secrets whole. Errors: Internal.
func (s *Store) Administers(ctx context.Context, actor domain.Actor, mechanism int64) (bool, error) {
	pr, err := s.reader().principal(ctx, actor.User)
	if err != nil {
		return false, err
	}
	return pr.Administers(mechanism), nil
}
