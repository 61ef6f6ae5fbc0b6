package store

import (
	"context"
	"database/sql"

	"github.com/liandong/liandong/internal/domain"
)

var mechanisms = &table[domain.Mechanism, *domain.Mechanism]{
	name:    "mechanisms",
	columns: []string{"parent_id", "name", "name_en", "tier", "time_zone", "cadence", "sides", "tracks", "modes", "custom_fields", "rules"},
	fields: func(m *domain.Mechanism) []any {
		return []any{optID(m.ParentID), m.Name, m.NameEN, string(m.Tier), m.TimeZone, string(m.Cadence),
			jsonCol{emptyIfNil(m.Sides)}, jsonCol{emptyIfNil(m.Tracks)}, jsonCol{emptyIfNil(m.Modes)}, jsonCol{emptyIfNil(m.CustomFields)}, jsonCol{m.Rules}}
	},
	targets: func(m *domain.Mechanism) []any {
		return []any{idCol{&m.ParentID}, &m.Name, &m.NameEN, &m.Tier, &m.TimeZone, &m.Cadence,
			jsonCol{&m.Sides}, jsonCol{&m.Tracks}, jsonCol{&m.Modes}, jsonCol{&m.CustomFields}, jsonCol{&m.Rules}}
	},
	refs: []ref[domain.Mechanism, *domain.Mechanism]{
		{"parent_id", "mechanisms", func(m *domain.Mechanism) int64 { return m.ParentID }},
	},
	check: func(ctx context.Context, t *Tx, m *domain.Mechanism) error {
		r := t.reader()
		var p domain.Problems
		for i, s := range m.Sides {
			if s.JurisdictionID == 0 {
				continue
			}
			if ok, err := r.exists(ctx, "jurisdictions", s.JurisdictionID); err != nil {
				return domain.Internalf(err, "check sides")
			} else if !ok {
				p.Addf(sideField(i), "refers to jurisdiction %d, which does not exist", s.JurisdictionID)
			}
		}
		for i, mb := range m.Members {
			if ok, err := r.exists(ctx, "organizations", mb.OrganizationID); err != nil {
				return domain.Internalf(err, "check members")
			} else if !ok {
				p.Addf(memberField(i), "refers to organization %d, which does not exist", mb.OrganizationID)
			}
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.Mechanism) error {
		args, byID := ids(page)
		for _, m := range page {
			m.Members = []domain.Member{}
			m.Sides, m.Tracks, m.Modes, m.CustomFields = emptyIfNil(m.Sides), emptyIfNil(m.Tracks), emptyIfNil(m.Modes), emptyIfNil(m.CustomFields)
		}
		return loadRows(ctx, r, "SELECT mechanism_id, organization_id, side, role FROM mechanism_members WHERE mechanism_id IN (?) ORDER BY mechanism_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var mb domain.Member
			if err := rows.Scan(&id, &mb.OrganizationID, &mb.Side, &mb.Role); err != nil {
				return err
			}
			byID[id].Members = append(byID[id].Members, mb)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, m *domain.Mechanism) error {
		rows := make([][]any, len(m.Members))
		for i, mb := range m.Members {
			rows[i] = []any{mb.OrganizationID, mb.Side, string(mb.Role), i}
		}
		return t.replaceRows(ctx, "mechanism_members", "mechanism_id", m.ID, []string{"organization_id", "side", "role", "position"}, rows)
	},
	filters: map[string]filter{
		"parent": byID("parent_id"),
		"tier":   byEnum("tier", domain.Tiers),
		"unit":   byIDIn("SELECT mechanism_id FROM mechanism_members WHERE organization_id = ?"),
		"q":      byQuery("name", "name_en"),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}},
}

func sideField(i int) string   { return "sides[" + itoa(i) + "].jurisdiction_id" }
func memberField(i int) string { return "members[" + itoa(i) + "].organization_id" }

// emptyIfNil makes an absent list encode as [] rather than null.
func emptyIfNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
