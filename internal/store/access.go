package store

import (
	"context"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// principal resolves a user's grants into what the policy decides on. A
// jurisdiction grant covers the units of that jurisdiction and of every
// jurisdiction below it (a district's units, a city's districts' units).
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
			p.LiaisonUnits = append(p.LiaisonUnits, units...)
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

// scopeClause turns the policy's read scope into a WHERE clause.
func (t *table[T, P]) scopeClause(sc policy.Scope) (string, []any) {
	switch {
	case sc.All:
		return "", nil
	case sc.None:
		return "1 = 0", nil
	}
	var parts []string
	var args []any
	if len(sc.Mechanisms) > 0 && t.mechanismColumn != "" {
		parts = append(parts, t.mechanismColumn+" IN ("+placeholders(len(sc.Mechanisms))+")")
		args = append(args, int64sAny(sc.Mechanisms)...)
	}
	if len(sc.Units) > 0 && t.unitsClause != "" {
		in := "(" + placeholders(len(sc.Units)) + ")"
		n := strings.Count(t.unitsClause, "(?)")
		parts = append(parts, strings.ReplaceAll(t.unitsClause, "(?)", in))
		for i := 0; i < n; i++ {
			args = append(args, int64sAny(sc.Units)...)
		}
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
