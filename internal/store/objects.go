package store

import (
	"context"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// How each noun presents itself to the policy. Kept together so the whole
// access picture of the store reads in one file.

func init() {
	mechanisms.object = func(_ context.Context, _ reader, m *domain.Mechanism) (policy.Object, error) {
		return policy.Object{MechanismID: m.ID}, nil
	}
	mechanisms.mechanismColumn = "id"
	meetings.object = func(_ context.Context, _ reader, m *domain.Meeting) (policy.Object, error) {
		return policy.Object{MechanismID: m.MechanismID}, nil
	}
	meetings.mechanismColumn = "mechanism_id"
	batches.object = func(_ context.Context, _ reader, b *domain.Batch) (policy.Object, error) {
		return policy.Object{MechanismID: b.MechanismID}, nil
	}
	batches.mechanismColumn = "mechanism_id"
	agreements.object = func(_ context.Context, _ reader, a *domain.Agreement) (policy.Object, error) {
		return policy.Object{MechanismID: a.MechanismID}, nil
	}
	agreements.mechanismColumn = "mechanism_id"
	catalogs.object = func(_ context.Context, _ reader, c *domain.Catalog) (policy.Object, error) {
		return policy.Object{MechanismID: c.MechanismID}, nil
	}
	catalogs.mechanismColumn = "mechanism_id"
	catalogEntries.object = func(ctx context.Context, r reader, e *domain.CatalogEntry) (policy.Object, error) {
		m, err := r.mechanismOf(ctx, "SELECT COALESCE(mechanism_id, 0) FROM catalogs WHERE id = ?", e.CatalogID)
		return policy.Object{MechanismID: m}, err
	}
	catalogEntries.mechanismColumn = "(SELECT mechanism_id FROM catalogs WHERE catalogs.id = catalog_entries.catalog_id)"
	indicators.object = func(_ context.Context, _ reader, in *domain.Indicator) (policy.Object, error) {
		return policy.Object{MechanismID: in.MechanismID}, nil
	}
	indicators.mechanismColumn = "mechanism_id"

	items.object = func(_ context.Context, _ reader, it *domain.Item) (policy.Object, error) {
		units := make([]int64, len(it.Parties))
		for i, p := range it.Parties {
			units[i] = p.OrganizationID
		}
		return policy.Object{MechanismID: it.MechanismID, Units: units, Invited: invitedUnits(it)}, nil
	}
	items.mechanismColumn = "mechanism_id"
	items.unitsClause = "id IN (SELECT item_id FROM item_parties WHERE organization_id IN (?))"

	reports.object = func(ctx context.Context, r reader, rep *domain.Report) (policy.Object, error) {
		m, err := r.mechanismOf(ctx, "SELECT mechanism_id FROM items WHERE id = ?", rep.ItemID)
		return policy.Object{MechanismID: m, Units: []int64{rep.OrganizationID}, ReportUnit: rep.OrganizationID, Draft: rep.Status == domain.Draft}, err
	}
	reports.mechanismColumn = "(SELECT mechanism_id FROM items WHERE items.id = reports.item_id)"
	reports.unitsClause = "organization_id IN (?)"
	reports.submittedClause = "status <> 'draft'"

	// A problem belongs to its responsible units and to the parties of the
	// item it blocks.
	problems.object = func(ctx context.Context, r reader, pr *domain.Problem) (policy.Object, error) {
		var units []int64
		for _, u := range pr.Responsible {
			units = append(units, u.OrganizationID)
		}
		if pr.ItemID != 0 {
			parties, err := r.int64s(ctx, "SELECT organization_id FROM item_parties WHERE item_id = ?", pr.ItemID)
			if err != nil {
				return policy.Object{}, domain.Internalf(err, "read parties")
			}
			units = append(units, parties...)
		}
		return policy.Object{MechanismID: pr.MechanismID, Units: units}, nil
	}
	problems.mechanismColumn = "mechanism_id"
	problems.unitsClause = "(id IN (SELECT problem_id FROM problem_units WHERE organization_id IN (?)) OR item_id IN (SELECT item_id FROM item_parties WHERE organization_id IN (?)))"

	tasks.object = func(_ context.Context, _ reader, t *domain.Task) (policy.Object, error) {
		return policy.Object{MechanismID: t.MechanismID, Units: append([]int64{t.LeadID}, t.Cooperating...), Leads: []int64{t.LeadID}}, nil
	}
	tasks.mechanismColumn = "mechanism_id"
	tasks.unitsClause = "(lead_id IN (?) OR id IN (SELECT task_id FROM task_units WHERE organization_id IN (?)))"
}

func (r reader) mechanismOf(ctx context.Context, q string, id int64) (int64, error) {
	var m int64
	err := r.queryRow(ctx, q, id).Scan(&m)
	if err != nil && !isNoRows(err) {
		return 0, domain.Internalf(err, "find mechanism")
	}
	return m, nil
}
