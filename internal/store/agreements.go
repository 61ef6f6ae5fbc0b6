package store

import (
	"context"
	"database/sql"

	"github.com/liandong/liandong/internal/domain"
)

var agreements = &table[domain.Agreement, *domain.Agreement]{
	name:    "agreements",
	columns: []string{"mechanism_id", "title", "kind", "signed_on", "terms"},
	fields: func(a *domain.Agreement) []any {
		return []any{optID(a.MechanismID), a.Title, string(a.Kind), a.SignedOn, a.Terms}
	},
	targets: func(a *domain.Agreement) []any {
		return []any{idCol{&a.MechanismID}, &a.Title, &a.Kind, &a.SignedOn, &a.Terms}
	},
	refs: []ref[domain.Agreement, *domain.Agreement]{
		{"mechanism_id", "mechanisms", func(a *domain.Agreement) int64 { return a.MechanismID }},
	},
	check: func(ctx context.Context, t *Tx, a *domain.Agreement) error {
		var p domain.Problems
		for i, pt := range a.Parties {
			table, id := "jurisdictions", pt.JurisdictionID
			if id == 0 {
				table, id = "organizations", pt.OrganizationID
			}
			if ok, err := t.reader().exists(ctx, table, id); err != nil {
				return domain.Internalf(err, "check parties")
			} else if !ok {
				p.Addf("parties["+itoa(i)+"]", "refers to %s %d, which does not exist", singular(table), id)
			}
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.Agreement) error {
		args, byID := ids(page)
		for _, a := range page {
			a.Parties = []domain.AgreementParty{}
		}
		return loadRows(ctx, r, "SELECT agreement_id, jurisdiction_id, organization_id FROM agreement_parties WHERE agreement_id IN (?) ORDER BY agreement_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var pt domain.AgreementParty
			if err := rows.Scan(&id, idCol{&pt.JurisdictionID}, idCol{&pt.OrganizationID}); err != nil {
				return err
			}
			byID[id].Parties = append(byID[id].Parties, pt)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, a *domain.Agreement) error {
		rows := make([][]any, len(a.Parties))
		for i, pt := range a.Parties {
			rows[i] = []any{i, optID(pt.JurisdictionID), optID(pt.OrganizationID)}
		}
		return t.replaceRows(ctx, "agreement_parties", "agreement_id", a.ID, []string{"position", "jurisdiction_id", "organization_id"}, rows)
	},
	filters: map[string]filter{
		"mechanism":     byID("mechanism_id"),
		"kind":          byEnum("kind", domain.AgreementKinds),
		"jurisdiction":  byIDIn("SELECT agreement_id FROM agreement_parties WHERE jurisdiction_id = ?"),
		"unit":          byIDIn("SELECT agreement_id FROM agreement_parties WHERE organization_id = ?"),
		"signed_after":  byDate("signed_on", ">="),
		"signed_before": byDate("signed_on", "<="),
		"q":             byQuery("title", "terms"),
	},
	sorts: map[string]sortKey{"signed_on": {"COALESCE(signed_on, '')", sortText}, "title": {"title", sortText}},
}

var catalogs = &table[domain.Catalog, *domain.Catalog]{
	name:    "catalogs",
	columns: []string{"mechanism_id", "agreement_id", "name", "edition", "published_on", "description", "declared_count"},
	fields: func(c *domain.Catalog) []any {
		return []any{optID(c.MechanismID), optID(c.AgreementID), c.Name, c.Edition, c.PublishedOn, c.Description, c.DeclaredCount}
	},
	targets: func(c *domain.Catalog) []any {
		return []any{idCol{&c.MechanismID}, idCol{&c.AgreementID}, &c.Name, &c.Edition, &c.PublishedOn, &c.Description, &c.DeclaredCount}
	},
	refs: []ref[domain.Catalog, *domain.Catalog]{
		{"mechanism_id", "mechanisms", func(c *domain.Catalog) int64 { return c.MechanismID }},
		{"agreement_id", "agreements", func(c *domain.Catalog) int64 { return c.AgreementID }},
	},
	derived: []string{"recorded_count"},
	load: func(ctx context.Context, r reader, page []*domain.Catalog) error {
		args, byID := ids(page)
		for _, c := range page {
			c.RecordedCount = 0
		}
		return loadRows(ctx, r, "SELECT catalog_id, COUNT(*) FROM catalog_entries WHERE archived_at IS NULL AND catalog_id IN (?) GROUP BY catalog_id", args, func(rows *sql.Rows) error {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			byID[id].RecordedCount = n
			return nil
		})
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"agreement": byID("agreement_id"),
		"q":         byQuery("name", "description"),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}},
}

var catalogEntries = &table[domain.CatalogEntry, *domain.CatalogEntry]{
	name:    "catalog_entries",
	columns: []string{"catalog_id", "number", "name", "department", "service_mode"},
	fields: func(e *domain.CatalogEntry) []any {
		return []any{e.CatalogID, e.Number, e.Name, e.Department, string(e.ServiceMode)}
	},
	targets: func(e *domain.CatalogEntry) []any {
		return []any{&e.CatalogID, &e.Number, &e.Name, &e.Department, &e.ServiceMode}
	},
	refs: []ref[domain.CatalogEntry, *domain.CatalogEntry]{
		{"catalog_id", "catalogs", func(e *domain.CatalogEntry) int64 { return e.CatalogID }},
	},
	check: func(ctx context.Context, t *Tx, e *domain.CatalogEntry) error {
		var p domain.Problems
		for i, a := range e.Adoptions {
			if ok, err := t.reader().exists(ctx, "jurisdictions", a.JurisdictionID); err != nil {
				return domain.Internalf(err, "check adoptions")
			} else if !ok {
				p.Addf("adoptions["+itoa(i)+"].jurisdiction_id", "refers to jurisdiction %d, which does not exist", a.JurisdictionID)
			}
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.CatalogEntry) error {
		args, byID := ids(page)
		for _, e := range page {
			e.Adoptions = []domain.Adoption{}
		}
		return loadRows(ctx, r, "SELECT entry_id, jurisdiction_id, status, since FROM catalog_adoptions WHERE entry_id IN (?) ORDER BY entry_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var a domain.Adoption
			if err := rows.Scan(&id, &a.JurisdictionID, &a.Status, &a.Since); err != nil {
				return err
			}
			byID[id].Adoptions = append(byID[id].Adoptions, a)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, e *domain.CatalogEntry) error {
		rows := make([][]any, len(e.Adoptions))
		for i, a := range e.Adoptions {
			rows[i] = []any{a.JurisdictionID, i, string(a.Status), a.Since}
		}
		return t.replaceRows(ctx, "catalog_adoptions", "entry_id", e.ID, []string{"jurisdiction_id", "position", "status", "since"}, rows)
	},
	filters: map[string]filter{
		"catalog":      byID("catalog_id"),
		"service_mode": byEnum("service_mode", domain.ServiceModes),
		"jurisdiction": byIDIn("SELECT entry_id FROM catalog_adoptions WHERE jurisdiction_id = ?"),
		"q":            byQuery("name", "department"),
	},
	sorts: map[string]sortKey{"number": {"number", sortText}, "name": {"name", sortText}},
}

var indicators = &table[domain.Indicator, *domain.Indicator]{
	name:    "indicators",
	columns: []string{"mechanism_id", "name", "name_en", "unit", "scope", "target", "target_on"},
	fields: func(in *domain.Indicator) []any {
		return []any{optID(in.MechanismID), in.Name, in.NameEN, in.Unit, in.Scope, optFloat(in.Target), in.TargetOn}
	},
	targets: func(in *domain.Indicator) []any {
		return []any{idCol{&in.MechanismID}, &in.Name, &in.NameEN, &in.Unit, &in.Scope, nullFloat{&in.Target}, &in.TargetOn}
	},
	refs: []ref[domain.Indicator, *domain.Indicator]{
		{"mechanism_id", "mechanisms", func(in *domain.Indicator) int64 { return in.MechanismID }},
	},
	load: func(ctx context.Context, r reader, page []*domain.Indicator) error {
		args, byID := ids(page)
		for _, in := range page {
			in.Values = []domain.IndicatorValue{}
		}
		return loadRows(ctx, r, "SELECT indicator_id, observed_on, value, note, source FROM indicator_values WHERE indicator_id IN (?) ORDER BY indicator_id, observed_on", args, func(rows *sql.Rows) error {
			var id int64
			var v domain.IndicatorValue
			if err := rows.Scan(&id, &v.ObservedOn, &v.Value, &v.Note, &v.Source); err != nil {
				return err
			}
			byID[id].Values = append(byID[id].Values, v)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, in *domain.Indicator) error {
		rows := make([][]any, len(in.Values))
		for i, v := range in.Values {
			rows[i] = []any{v.ObservedOn, v.Value, v.Note, v.Source}
		}
		return t.replaceRows(ctx, "indicator_values", "indicator_id", in.ID, []string{"observed_on", "value", "note", "source"}, rows)
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"q":         byQuery("name", "name_en", "scope"),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}},
}
