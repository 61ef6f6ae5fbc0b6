package store

import (
	"context"
	"slices"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// A ledger writes units as each office writes them. Resolving a name it
// does not know is the work of the secretariat bringing the ledger in
// (policy.NameUnits): it gives an existing unit the name as an alias, kept
// for the next ledger, or creates the unit. Both stay within the
// jurisdictions of the mechanism's sides.

// NameUnit gives unit orgID the alias name, for the ledgers of mechanism
// mechanismID, and returns the unit. Errors: Forbidden, NotFound, Invalid
// (an empty name, or a unit outside the mechanism's sides).
func (s *Store) NameUnit(ctx context.Context, actor domain.Actor, mechanismID, orgID int64, name string) (*domain.Organization, error) {
	name = strings.TrimSpace(name)
	var out *domain.Organization
	err := s.Write(ctx, actor, func(t *Tx) error {
		if err := t.mayNameUnits(ctx, mechanismID); err != nil {
			return err
		}
		var p domain.Problems
		if name == "" {
			p.Add("name", "is required")
		}
		if orgID <= 0 {
			p.Add("unit", "is required")
		}
		if err := p.Err(); err != nil {
			return err
		}
		o, err := s.Organizations.get(ctx, t.reader(), orgID)
		if err != nil {
			return err
		}
		if err := t.withinSides(ctx, mechanismID, "unit", o.JurisdictionID); err != nil {
			return err
		}
		if !slices.Contains(o.Aliases, name) && o.Name != name {
			o.Aliases = append(o.Aliases, name)
		}
		t.namingUnits = true
		defer func() { t.namingUnits = false }()
		out = o
		return s.Organizations.UpdateTx(ctx, t, o)
	})
	return out, err
}

// CreateUnitFor creates unit o for the ledgers of mechanism mechanismID, in
// the jurisdiction of one of its sides. Errors: Forbidden, Invalid.
func (s *Store) CreateUnitFor(ctx context.Context, actor domain.Actor, mechanismID int64, o *domain.Organization) error {
	return s.Write(ctx, actor, func(t *Tx) error {
		if err := t.mayNameUnits(ctx, mechanismID); err != nil {
			return err
		}
		// A unit without a jurisdiction is refused by its own validation,
		// which names jurisdiction_id.
		if o.JurisdictionID != 0 {
			if err := t.withinSides(ctx, mechanismID, "jurisdiction_id", o.JurisdictionID); err != nil {
				return err
			}
		}
		t.namingUnits = true
		defer func() { t.namingUnits = false }()
		return s.Organizations.CreateTx(ctx, t, o)
	})
}

func (t *Tx) mayNameUnits(ctx context.Context, mechanismID int64) error {
	pr, err := t.reader().principal(ctx, t.actor.User)
	if err != nil {
		return err
	}
	if _, err := t.mechanism(ctx, mechanismID); err != nil {
		return err
	}
	return policy.NameUnits(pr, mechanismID)
}

// withinSides refuses, naming field, a jurisdiction that is not a side's
// jurisdiction of the mechanism nor lies below one.
func (t *Tx) withinSides(ctx context.Context, mechanismID int64, field string, jurisdictionID int64) error {
	m, err := t.mechanism(ctx, mechanismID)
	if err != nil {
		return err
	}
	r := t.reader()
	for j, seen := jurisdictionID, map[int64]bool{}; j != 0 && !seen[j]; {
		seen[j] = true
		if slices.ContainsFunc(m.Sides, func(s domain.Side) bool { return s.JurisdictionID == j }) {
			return nil
		}
		var parent *int64
		if err := r.queryRow(ctx, "SELECT parent_id FROM jurisdictions WHERE id = ?", j).Scan(&parent); err != nil {
			break
		}
		if parent == nil {
			break
		}
		j = *parent
	}
	var p domain.Problems
	p.Add(field, "lies outside the jurisdictions of the mechanism's sides")
	return p.Err()
}

// MayNameUnits reports, as a Forbidden error when not, whether actor may
// resolve the unit names of mechanismID's ledgers; pages ask it to offer
// the controls only to whom they work.
func (s *Store) MayNameUnits(ctx context.Context, actor domain.Actor, mechanismID int64) error {
	pr, err := s.reader().principal(ctx, actor.User)
	if err != nil {
		return err
	}
	return policy.NameUnits(pr, mechanismID)
}
