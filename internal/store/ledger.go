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
	columns: []string{"mechanism_id", "name", "columns"},
	fields: func(m *domain.ColumnMapping) []any {
		return []any{m.MechanismID, m.Name, jsonCol{m.Columns}}
	},
	targets: func(m *domain.ColumnMapping) []any {
		return []any{&m.MechanismID, &m.Name, jsonCol{&m.Columns}}
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
	q := "SELECT item_id, organization_id, period, text, percent FROM reports WHERE archived_at IS NULL AND status = 'submitted' AND item_id IN (?)"
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
