package store

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// columnMappings are the saved header mappings for ledger imports.
var columnMappings = &table[domain.ColumnMapping, *domain.ColumnMapping]{
	name:    "column_mappings",
	columns: []string{"mechanism_id", "name", "columns", "layout"},
	fields: func(m *domain.ColumnMapping) []any {
		return []any{m.MechanismID, m.Name, jsonCol{m.Columns}, jsonCol{m.LedgerLayout}}
	},
	targets: func(m *domain.ColumnMapping) []any {
		return []any{&m.MechanismID, &m.Name, jsonCol{&m.Columns}, jsonCol{&m.LedgerLayout}}
	},
	refs: []ref[domain.ColumnMapping, *domain.ColumnMapping]{
		{"mechanism_id", "mechanisms", func(m *domain.ColumnMapping) int64 { return m.MechanismID }},
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"name":      byText("name"),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}},
	// The mechanism's secretariat manages them.
	object: func(_ context.Context, _ reader, m *domain.ColumnMapping) (policy.Object, error) {
		return policy.Object{MechanismID: m.MechanismID}, nil
	},
	mechanismColumn: "mechanism_id",
}

// ColumnMappings is the service for saved ledger column mappings.
func (s *Store) ColumnMappings() *Records[domain.ColumnMapping, *domain.ColumnMapping] {
	return &Records[domain.ColumnMapping, *domain.ColumnMapping]{s, columnMappings}
}

// LedgerContext is what a ledger shows beside an item's own fields: the
// latest progress report and the open problems, by item id.
type LedgerContext struct {
	Progress map[int64]domain.Report
	Problems map[int64][]string
	Units    map[int64]string // organization names by id
}

// LedgerContext reads, of what viewer may read, the latest submitted report
// (of unit, when unit is not 0) and the titles of open problems, and the
// names of the units of the items given. The columns read through the same
// policy as the records they show: a liaison's ledger shows the progress
// its own units reported, not the other side's report it may not open.
func (s *Store) LedgerContext(ctx context.Context, viewer *domain.User, items []*domain.Item, unit int64) (LedgerContext, error) {
	out := LedgerContext{Progress: map[int64]domain.Report{}, Problems: map[int64][]string{}, Units: map[int64]string{}}
	if len(items) == 0 {
		return out, nil
	}
	r := s.reader()
	pr, err := r.principal(ctx, viewer)
	if err != nil {
		return out, err
	}
	args, _ := ids(items)
	q := "SELECT item_id, organization_id, period, text, percent FROM reports WHERE archived_at IS NULL AND status IN ('submitted', 'accepted') AND item_id IN (?)" // the reports domain.Report.In counts as in
	if unit != 0 {
		// loadRows spends every argument on the IN list; an id is safe inline.
		q += " AND organization_id = " + strconv.FormatInt(unit, 10)
	}
	err = loadScoped(ctx, r, reports, pr, q+" ORDER BY item_id, period, updated_at, id", args, func(rows *sql.Rows) error {
		var rep domain.Report
		if err := rows.Scan(&rep.ItemID, &rep.OrganizationID, &rep.Period, &rep.Text, &rep.Percent); err != nil {
			return err
		}
		out.Progress[rep.ItemID] = rep // ordered by period: the last one wins
		return nil
	})
	if err != nil {
		return out, err
	}
	err = loadScoped(ctx, r, problems, pr, "SELECT item_id, title FROM problems WHERE archived_at IS NULL AND status = 'open' AND item_id IN (?) ORDER BY item_id, id", args, func(rows *sql.Rows) error {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			return err
		}
		out.Problems[id] = append(out.Problems[id], title)
		return nil
	})
	if err != nil {
		return out, err
	}
	err = loadRows(ctx, r, "SELECT o.id, o.name FROM organizations o WHERE o.id IN (SELECT organization_id FROM item_parties WHERE item_id IN (?))", args, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		out.Units[id] = name
		return nil
	})
	return out, err
}

// SideUnit is a unit that can take part in a mechanism's items, with the
// side it falls on.
type SideUnit struct {
	Side string
	Unit domain.Organization
}

// SideUnits lists the units, not archived, whose jurisdiction is a side's
// jurisdiction or lies below it, with their aliases, side by side in the
// mechanism's order. A unit below two sides' jurisdictions falls on the
// first. An import resolves the unit names of a ledger among them.
func (s *Store) SideUnits(ctx context.Context, m *domain.Mechanism) ([]SideUnit, error) {
	r := s.reader()
	var out []SideUnit
	seen := map[int64]bool{}
	for _, side := range m.Sides {
		if side.JurisdictionID == 0 {
			continue
		}
		rows, err := r.query(ctx, `WITH RECURSIVE below(id) AS (
				SELECT id FROM jurisdictions WHERE id = ?
				UNION SELECT j.id FROM jurisdictions j JOIN below b ON j.parent_id = b.id)
			SELECT id, jurisdiction_id, name, name_en, kind FROM organizations
			WHERE archived_at IS NULL AND jurisdiction_id IN (SELECT id FROM below) ORDER BY id`, side.JurisdictionID)
		if err != nil {
			return nil, domain.Internalf(err, "units of side %s", side.Key)
		}
		for rows.Next() {
			var o domain.Organization
			if err := rows.Scan(&o.ID, &o.JurisdictionID, &o.Name, &o.NameEN, &o.Kind); err != nil {
				rows.Close()
				return nil, domain.Internalf(err, "units of side %s", side.Key)
			}
			if !seen[o.ID] {
				seen[o.ID] = true
				out = append(out, SideUnit{Side: side.Key, Unit: o})
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, domain.Internalf(err, "units of side %s", side.Key)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := make(map[int64]*domain.Organization, len(out))
	for i := range out {
		byID[out[i].Unit.ID] = &out[i].Unit
	}
	err := loadAliases(ctx, r, unitIDs(out), byID)
	return out, err
}

func unitIDs(units []SideUnit) []any {
	out := make([]any, len(units))
	for i, u := range units {
		out[i] = u.Unit.ID
	}
	return out
}
