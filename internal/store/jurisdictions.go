package store

import (
	"context"
	"database/sql"

	"github.com/liandong/liandong/internal/domain"
)

var jurisdictions = &table[domain.Jurisdiction, *domain.Jurisdiction]{
	name:    "jurisdictions",
	columns: []string{"parent_id", "code", "name", "name_en", "kind", "valid_from", "valid_to"},
	fields: func(j *domain.Jurisdiction) []any {
		return []any{optID(j.ParentID), j.Code, j.Name, j.NameEN, string(j.Kind), j.ValidFrom, j.ValidTo}
	},
	targets: func(j *domain.Jurisdiction) []any {
		return []any{idCol{&j.ParentID}, &j.Code, &j.Name, &j.NameEN, &j.Kind, &j.ValidFrom, &j.ValidTo}
	},
	refs: []ref[domain.Jurisdiction, *domain.Jurisdiction]{
		{"parent_id", "jurisdictions", func(j *domain.Jurisdiction) int64 { return j.ParentID }},
	},
	check: func(ctx context.Context, t *Tx, j *domain.Jurisdiction) error {
		r := t.reader()
		var p domain.Problems
		for _, id := range j.Overlaps {
			if ok, err := r.exists(ctx, "jurisdictions", id); err != nil {
				return domain.Internalf(err, "check overlaps")
			} else if !ok {
				p.Addf("overlaps", "refers to jurisdiction %d, which does not exist", id)
			}
		}
		if j.ID != 0 && j.ParentID != 0 {
			// Refuse a cycle: the new parent must not descend from j.
			for at, steps := j.ParentID, 0; at != 0 && steps < 64; steps++ {
				if at == j.ID {
					p.Add("parent_id", "would make the jurisdiction its own ancestor")
					break
				}
				if err := r.queryRow(ctx, "SELECT COALESCE(parent_id, 0) FROM jurisdictions WHERE id = ?", at).Scan(&at); err != nil {
					break
				}
			}
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.Jurisdiction) error {
		args, byID := ids(page)
		for _, j := range page {
			j.Overlaps = []int64{}
		}
		return loadRows(ctx, r, "SELECT jurisdiction_id, overlaps_id FROM jurisdiction_overlaps WHERE jurisdiction_id IN (?) ORDER BY jurisdiction_id, position", args, func(rows *sql.Rows) error {
			var id, other int64
			if err := rows.Scan(&id, &other); err != nil {
				return err
			}
			byID[id].Overlaps = append(byID[id].Overlaps, other)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, j *domain.Jurisdiction) error {
		rows := make([][]any, len(j.Overlaps))
		for i, id := range j.Overlaps {
			rows[i] = []any{id, i}
		}
		return t.replaceRows(ctx, "jurisdiction_overlaps", "jurisdiction_id", j.ID, []string{"overlaps_id", "position"}, rows)
	},
	filters: map[string]filter{
		"parent": byID("parent_id"),
		"kind":   byEnum("kind", domain.JurisdictionKinds),
		"code":   byText("code"),
		"q":      byQuery("name", "name_en"),
	},
	sorts: map[string]sortKey{
		"name": {"name", sortText},
		"code": {"code", sortText},
	},
}

var organizations = &table[domain.Organization, *domain.Organization]{
	name:    "organizations",
	columns: []string{"jurisdiction_id", "name", "name_en", "kind"},
	fields: func(o *domain.Organization) []any {
		return []any{o.JurisdictionID, o.Name, o.NameEN, string(o.Kind)}
	},
	targets: func(o *domain.Organization) []any {
		return []any{&o.JurisdictionID, &o.Name, &o.NameEN, &o.Kind}
	},
	refs: []ref[domain.Organization, *domain.Organization]{
		{"jurisdiction_id", "jurisdictions", func(o *domain.Organization) int64 { return o.JurisdictionID }},
	},
	load: func(ctx context.Context, r reader, page []*domain.Organization) error {
		args, byID := ids(page)
		return loadAliases(ctx, r, args, byID)
	},
	save: func(ctx context.Context, t *Tx, o *domain.Organization) error {
		rows := make([][]any, len(o.Aliases))
		for i, a := range o.Aliases {
			rows[i] = []any{i, a}
		}
		return t.replaceRows(ctx, "organization_aliases", "organization_id", o.ID, []string{"position", "alias"}, rows)
	},
	filters: map[string]filter{
		"jurisdiction": byID("jurisdiction_id"),
		"kind":         byEnum("kind", domain.OrganizationKinds),
		"mechanism":    byIDIn("SELECT organization_id FROM mechanism_members WHERE mechanism_id = ?"),
		"q":            byQuery("name", "name_en"),
		// A unit by any name people write for it: its name or an alias.
		"name": func(v string) (string, []any, error) {
			return "(name = ? OR id IN (SELECT organization_id FROM organization_aliases WHERE alias = ?))", []any{v, v}, nil
		},
	},
	sorts: map[string]sortKey{"name": {"name", sortText}},
}

// loadAliases reads the aliases of the units with the ids given.
func loadAliases(ctx context.Context, r reader, args []any, byID map[int64]*domain.Organization) error {
	for _, o := range byID {
		o.Aliases = []string{}
	}
	return loadRows(ctx, r, "SELECT organization_id, alias FROM organization_aliases WHERE organization_id IN (?) ORDER BY organization_id, position", args, func(rows *sql.Rows) error {
		var id int64
		var alias string
		if err := rows.Scan(&id, &alias); err != nil {
			return err
		}
		byID[id].Aliases = append(byID[id].Aliases, alias)
		return nil
	})
}
