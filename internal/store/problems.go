package store

import (
	"context"
	"database/sql"

	"github.com/liandong/liandong/internal/domain"
)

var problems = &table[domain.Problem, *domain.Problem]{
	name:    "problems",
	columns: []string{"mechanism_id", "item_id", "title", "description", "tier", "status", "due_on", "resolution", "resolved_at"},
	fields: func(p *domain.Problem) []any {
		return []any{p.MechanismID, optID(p.ItemID), p.Title, p.Description, string(p.Tier), string(p.Status), p.DueOn, p.Resolution, optTime(p.ResolvedAt)}
	},
	targets: func(p *domain.Problem) []any {
		return []any{&p.MechanismID, idCol{&p.ItemID}, &p.Title, &p.Description, &p.Tier, &p.Status, &p.DueOn, &p.Resolution, nullTime{&p.ResolvedAt}}
	},
	refs: []ref[domain.Problem, *domain.Problem]{
		{"mechanism_id", "mechanisms", func(p *domain.Problem) int64 { return p.MechanismID }},
		{"item_id", "items", func(p *domain.Problem) int64 { return p.ItemID }},
	},
	check: func(ctx context.Context, t *Tx, pr *domain.Problem) error {
		m, err := t.mechanism(ctx, pr.MechanismID)
		if err != nil {
			return err
		}
		var p domain.Problems
		var named []namedUnit
		for i, u := range pr.Responsible {
			f := "responsible[" + itoa(i) + "]"
			if !m.HasSide(u.Side) {
				p.Add(f+".side", "must be the key of one of the mechanism's sides")
			}
			if ok, err := t.reader().exists(ctx, "organizations", u.OrganizationID); err != nil {
				return domain.Internalf(err, "check responsible")
			} else if !ok {
				p.Addf(f+".organization_id", "refers to organization %d, which does not exist", u.OrganizationID)
			} else {
				named = append(named, namedUnit{f + ".organization_id", u.OrganizationID})
			}
		}
		kept, err := t.storedUnits(ctx, "SELECT organization_id FROM problem_units WHERE problem_id = ?", pr.ID)
		if err != nil {
			return err
		}
		if err := t.checkMembers(ctx, pr.MechanismID, named, kept, &p); err != nil {
			return err
		}
		if err := t.checkProblemItem(ctx, pr, &p); err != nil {
			return err
		}
		switch {
		case pr.Status == domain.ProblemResolved && pr.ResolvedAt == nil:
			at := t.happenedAt(ctx, pr.MechanismID)
			pr.ResolvedAt = &at
		case pr.Status == domain.ProblemOpen:
			pr.ResolvedAt = nil
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.Problem) error {
		args, byID := ids(page)
		for _, p := range page {
			p.Responsible, p.Escalations = []domain.ResponsibleUnit{}, []domain.Escalation{}
		}
		err := loadRows(ctx, r, "SELECT problem_id, side, organization_id FROM problem_units WHERE problem_id IN (?) ORDER BY problem_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var u domain.ResponsibleUnit
			if err := rows.Scan(&id, &u.Side, &u.OrganizationID); err != nil {
				return err
			}
			byID[id].Responsible = append(byID[id].Responsible, u)
			return nil
		})
		if err != nil {
			return err
		}
		return loadRows(ctx, r, "SELECT problem_id, from_tier, to_tier, at, note, occurred_on, COALESCE(occurred_precision, ''), due_on FROM problem_escalations WHERE problem_id IN (?) ORDER BY problem_id, id", args, func(rows *sql.Rows) error {
			var id int64
			var e domain.Escalation
			if err := rows.Scan(&id, &e.FromTier, &e.ToTier, timeCol{&e.At}, &e.Note, &e.OccurredOn, &e.OccurredPrecision, &e.DueOn); err != nil {
				return err
			}
			byID[id].Escalations = append(byID[id].Escalations, e)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, p *domain.Problem) error {
		rows := make([][]any, len(p.Responsible))
		for i, u := range p.Responsible {
			rows[i] = []any{i, u.Side, u.OrganizationID}
		}
		return t.replaceRows(ctx, "problem_units", "problem_id", p.ID, []string{"position", "side", "organization_id"}, rows)
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"item":      byID("item_id"),
		"tier":      byEnum("tier", domain.Tiers),
		"status":    byEnum("status", []domain.ProblemStatus{domain.ProblemOpen, domain.ProblemResolved}),
		"unit":      byIDIn("SELECT problem_id FROM problem_units WHERE organization_id = ?"),
		"side": func(v string) (string, []any, error) {
			return "EXISTS (SELECT 1 FROM problem_units WHERE problem_units.problem_id = problems.id AND problem_units.side = ?)", []any{v}, nil
		},
		"due_before": byDate("due_on", "<="),
		"due_after":  byDate("due_on", ">="),
		"q":          byQuery("title", "description"),
	},
	groups: map[string]string{"tier": "tier", "status": "status"},
	sorts:  map[string]sortKey{"due_on": {"COALESCE(due_on, '')", sortText}, "updated_at": {"updated_at", sortTime}},
}

var tasks = &table[domain.Task, *domain.Task]{
	name:    "tasks",
	columns: []string{"mechanism_id", "year", "content", "lead_id", "schedule", "due_on", "status", "decision_id", "progress"},
	fields: func(t *domain.Task) []any {
		return []any{t.MechanismID, t.Year, t.Content, t.LeadID, jsonCol{t.Schedule}, t.DueOn, string(t.Status), optID(t.DecisionID), t.Progress}
	},
	targets: func(t *domain.Task) []any {
		return []any{&t.MechanismID, &t.Year, &t.Content, &t.LeadID, jsonCol{&t.Schedule}, &t.DueOn, &t.Status, idCol{&t.DecisionID}, &t.Progress}
	},
	refs: []ref[domain.Task, *domain.Task]{
		{"mechanism_id", "mechanisms", func(t *domain.Task) int64 { return t.MechanismID }},
		{"lead_id", "organizations", func(t *domain.Task) int64 { return t.LeadID }},
		{"decision_id", "meeting_decisions", func(t *domain.Task) int64 { return t.DecisionID }},
	},
	check: func(ctx context.Context, t *Tx, task *domain.Task) error {
		var p domain.Problems
		named := []namedUnit{{"lead_id", task.LeadID}}
		for i, id := range task.Cooperating {
			f := "cooperating[" + itoa(i) + "]"
			if ok, err := t.reader().exists(ctx, "organizations", id); err != nil {
				return domain.Internalf(err, "check cooperating")
			} else if !ok {
				p.Addf(f, "refers to organization %d, which does not exist", id)
			} else {
				named = append(named, namedUnit{f, id})
			}
		}
		kept, err := t.storedUnits(ctx, "SELECT lead_id FROM tasks WHERE id = ? UNION SELECT organization_id FROM task_units WHERE task_id = ?", task.ID)
		if err != nil {
			return err
		}
		if err := t.checkMembers(ctx, task.MechanismID, named, kept, &p); err != nil {
			return err
		}
		return p.Err()
	},
	load: func(ctx context.Context, r reader, page []*domain.Task) error {
		args, byID := ids(page)
		for _, t := range page {
			t.Cooperating = []int64{}
		}
		return loadRows(ctx, r, "SELECT task_id, organization_id FROM task_units WHERE task_id IN (?) ORDER BY task_id, position", args, func(rows *sql.Rows) error {
			var id, org int64
			if err := rows.Scan(&id, &org); err != nil {
				return err
			}
			byID[id].Cooperating = append(byID[id].Cooperating, org)
			return nil
		})
	},
	save: func(ctx context.Context, t *Tx, task *domain.Task) error {
		rows := make([][]any, len(task.Cooperating))
		for i, id := range task.Cooperating {
			rows[i] = []any{i, id}
		}
		return t.replaceRows(ctx, "task_units", "task_id", task.ID, []string{"position", "organization_id"}, rows)
	},
	filters: map[string]filter{
		"mechanism":  byID("mechanism_id"),
		"year":       byInt("year"),
		"status":     byEnum("status", domain.TaskStatuses),
		"lead":       byID("lead_id"),
		"unit":       func(v string) (string, []any, error) { return unitOfTask(v) },
		"decision":   byID("decision_id"),
		"due_before": byDate("due_on", "<="),
		"due_after":  byDate("due_on", ">="),
		"q":          byQuery("content"),
	},
	sorts: map[string]sortKey{"due_on": {"COALESCE(due_on, '')", sortText}, "year": {"year", sortInt}},
}

// unitOfTask matches tasks a unit leads or cooperates on.
func unitOfTask(v string) (string, []any, error) {
	c, a, err := byID("lead_id")(v)
	if err != nil {
		return "", nil, err
	}
	return "(" + c + " OR id IN (SELECT task_id FROM task_units WHERE organization_id = ?))", append(a, a...), nil
}
