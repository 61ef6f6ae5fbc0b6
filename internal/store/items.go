package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

var items = &table[domain.Item, *domain.Item]{
	name: "items",
	columns: []string{"mechanism_id", "batch_id", "agreement_id", "decision_id", "number", "title", "content", "track", "mode", "landmark",
		"status", "light", "light_reason", "start_on", "end_on", "investment_total", "investment_planned", "investment_done", "custom", "schedule"},
	fields: func(it *domain.Item) []any {
		return []any{it.MechanismID, optID(it.BatchID), optID(it.AgreementID), optID(it.DecisionID), it.Number, it.Title, it.Content, it.Track, it.Mode, it.Landmark,
			string(it.Status), string(it.Light), it.LightReason, it.StartOn, it.EndOn, it.Investment.Total, it.Investment.PlannedThisYear, it.Investment.Done, jsonCol{emptyMap(it.Custom)}, jsonCol{it.Schedule}}
	},
	targets: func(it *domain.Item) []any {
		return []any{&it.MechanismID, idCol{&it.BatchID}, idCol{&it.AgreementID}, idCol{&it.DecisionID}, &it.Number, &it.Title, &it.Content, &it.Track, &it.Mode, &it.Landmark,
			&it.Status, &it.Light, &it.LightReason, &it.StartOn, &it.EndOn, &it.Investment.Total, &it.Investment.PlannedThisYear, &it.Investment.Done, jsonCol{&it.Custom}, jsonCol{&it.Schedule}}
	},
	refs: []ref[domain.Item, *domain.Item]{
		{"mechanism_id", "mechanisms", func(it *domain.Item) int64 { return it.MechanismID }},
		{"batch_id", "batches", func(it *domain.Item) int64 { return it.BatchID }},
		{"agreement_id", "agreements", func(it *domain.Item) int64 { return it.AgreementID }},
		{"decision_id", "meeting_decisions", func(it *domain.Item) int64 { return it.DecisionID }},
	},
	check: func(ctx context.Context, t *Tx, it *domain.Item) error {
		m, err := t.mechanism(ctx, it.MechanismID)
		if err != nil {
			return err
		}
		var p domain.Problems
		if err := it.CheckAgainst(m); err != nil {
			p = append(p, domain.ErrorFields(err)...)
		}
		if it.BatchID != 0 {
			mech, err := t.batchMechanism(ctx, it.BatchID)
			if err != nil {
				return err
			}
			if mech != it.MechanismID {
				p.Add("batch_id", "belongs to another mechanism")
			}
		}
		var named []namedUnit
		for i, pt := range it.Parties {
			f := "parties[" + itoa(i) + "].organization_id"
			if ok, err := t.exists(ctx, "organizations", pt.OrganizationID); err != nil {
				return domain.Internalf(err, "check parties")
			} else if !ok {
				p.Addf(f, "refers to organization %d, which does not exist", pt.OrganizationID)
			} else {
				named = append(named, namedUnit{f, pt.OrganizationID})
			}
		}
		kept, err := t.storedUnits(ctx, "SELECT organization_id FROM item_parties WHERE item_id = ?", it.ID)
		if err != nil {
			return err
		}
		if err := t.checkMembers(ctx, it.MechanismID, named, kept, &p); err != nil {
			return err
		}
		if err := t.checkLightSetter(ctx, it, &p); err != nil {
			return err
		}
		return p.Err()
	},
	listedText: &listedText[*domain.Item]{
		expr: "parties_text", // written with the parties (save)
		take: takeParties,
	},
	// A list's row shows number, title, batch, status, light, landmark and
	// leads (web/items_rows.go), and its checkbox the version; on SQLite
	// each column read costs the driver as much as a row's text takes to
	// write, so the times and source are left too.
	unshown: map[string]bool{"source": true, "created_at": true, "updated_at": true, "agreement_id": true, "decision_id": true, "content": true, "track": true, "mode": true, "light_reason": true,
		"start_on": true, "end_on": true, "investment_total": true, "investment_planned": true, "investment_done": true, "custom": true, "schedule": true},
	load: func(ctx context.Context, r reader, page []*domain.Item) error {
		if err := loadParties(ctx, r, page); err != nil {
			return err
		}
		return loadMilestones(ctx, r, page)
	},
	loadAfterText: loadMilestones, // the parties came as parties_text
	save: func(ctx context.Context, t *Tx, it *domain.Item) error {
		parties := make([][]any, len(it.Parties))
		for i, pt := range it.Parties {
			parties[i] = []any{i, pt.Side, pt.OrganizationID, string(pt.Role)}
		}
		if err := t.replaceRows(ctx, "item_parties", "item_id", it.ID, []string{"position", "side", "organization_id", "role"}, parties); err != nil {
			return err
		}
		if _, err := t.reader().exec(ctx, "UPDATE items SET parties_text = ? WHERE id = ?", partiesText(it.Parties), it.ID); err != nil {
			return domain.Internalf(err, "save the item's parties")
		}
		rows := make([][]any, len(it.Milestones))
		in := make([]int64, len(it.Milestones))
		for i, m := range it.Milestones {
			rows[i], in[i] = []any{i, m.Title, m.DueOn, m.DoneOn}, m.ID
		}
		out, err := t.syncRows(ctx, "item_milestones", "item_id", it.ID, []string{"position", "title", "due_on", "done_on"}, in, rows)
		if err != nil {
			return err
		}
		for i := range out {
			it.Milestones[i].ID = out[i]
		}
		return t.indexSearch(ctx, "items", it.ID, itemText(it))
	},
	filters: map[string]filter{
		"mechanism": byID("mechanism_id"),
		"batch":     byID("batch_id"),
		"agreement": byID("agreement_id"),
		"decision":  byID("decision_id"),
		"status":    byEnum("status", domain.ItemStatuses),
		"light":     byEnum("light", domain.Lights),
		"track":     byText("track"),
		"mode":      byText("mode"),
		"landmark":  byBool("landmark"),
		"unit":      byIDIn("SELECT item_id FROM item_parties WHERE organization_id = ?"),
		"lead":      byIDIn("SELECT item_id FROM item_parties WHERE role = 'lead' AND organization_id = ?"),
		// Each row checks its own parties: item_parties has no index by
		// side, and the items of every mechanism share the same side keys.
		"side": func(v string) (string, []any, error) {
			return "EXISTS (SELECT 1 FROM item_parties WHERE item_parties.item_id = items.id AND item_parties.side = ?)", []any{v}, nil
		},
		"jurisdiction": byJurisdiction("SELECT item_id FROM item_parties WHERE organization_id IN "),
		"due_before":   byOpenMilestoneDue("<="),
		"due_after":    byOpenMilestoneDue(">="),
		"q":            bySearch("items", "number", "title", "content"),
	},
	groups: map[string]string{"status": "status", "light": "light", "track": "COALESCE(track, '')"},
	sorts: map[string]sortKey{
		"number":     {"number", sortText},
		"title":      {"title", sortText},
		"status":     {"status", sortText},
		"updated_at": {"updated_at", sortTime},
	},
}

// byOpenMilestoneDue matches items with a milestone not yet done that is
// due on or before (<=) or after (>=) a date.
func byOpenMilestoneDue(op string) filter {
	return func(v string) (string, []any, error) {
		d, err := domain.ParseDate(v)
		if err != nil {
			return "", nil, err
		}
		return "id IN (SELECT item_id FROM item_milestones WHERE done_on IS NULL AND due_on " + op + " ?)", []any{d.String()}, nil
	}
}

// byJurisdiction matches records linked to units of a jurisdiction or of
// its direct children (a city's districts).
func byJurisdiction(subselectPrefix string) filter {
	return func(v string) (string, []any, error) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return "", nil, errors.New("must be a positive id")
		}
		return "id IN (" + subselectPrefix + "(SELECT id FROM organizations WHERE jurisdiction_id = ? OR jurisdiction_id IN (SELECT id FROM jurisdictions WHERE parent_id = ?)))", []any{id, id}, nil
	}
}

func emptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// getIn reads a record without its children, inside a transaction or not.
func (t *table[T, P]) getIn(ctx context.Context, r reader, id int64) (P, error) {
	v := P(new(T))
	err := r.queryRow(ctx, "SELECT "+t.selectColumns(r.s.dialect)+" FROM "+t.name+" WHERE id = ?", id).Scan(t.scanTargets(v)...)
	if isNoRows(err) {
		return nil, domain.Errorf(domain.NotFound, "%s %d not found", singular(t.name), id)
	}
	if err != nil {
		return nil, domain.Internalf(err, "get %s %d", t.name, id)
	}
	return v, nil
}

// byIDInCol matches rows whose col appears in a sub-select keyed by one id.
func byIDInCol(col, subselect string) filter {
	f := byIDIn(subselect)
	return func(v string) (string, []any, error) {
		c, a, err := f(v)
		return col + c[len("id"):], a, err
	}
}

// checkLightSetter holds a light set by hand to policy.Oversee: a light is
// the mechanism's rules' (cycle.RecomputeLights) or the secretariat's
// judgement with its reason. A liaison's account of its item is its
// report; letting it colour its own item green would make the light say
// what the unit hopes rather than what the working group sees.
func (t *Tx) checkLightSetter(ctx context.Context, it *domain.Item, p *domain.Problems) error {
	if t.actor.User == nil || t.mayOversee(ctx, it.MechanismID) {
		return nil
	}
	var light, reason string
	if it.ID != 0 {
		err := t.reader().queryRow(ctx, "SELECT light, light_reason FROM items WHERE id = ?", it.ID).Scan(&light, &reason)
		if err != nil && !isNoRows(err) {
			return domain.Internalf(err, "read the item's light")
		}
	}
	if domain.Light(light) != it.Light || reason != it.LightReason {
		p.Add("light", "is set by the mechanism's secretariat or by its rules: report the item's progress instead")
	}
	return nil
}

// partiesText writes an item's parties as a list's row reads them
// (takeParties): "side unit role" each, in their order, joined by commas
// (a side's key and a role hold neither a space nor a comma). Migration
// 0036 wrote the same for the items stored before it.
func partiesText(parties []domain.Party) string {
	var b strings.Builder
	for i, pt := range parties {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pt.Side + " " + strconv.FormatInt(pt.OrganizationID, 10) + " " + string(pt.Role))
	}
	return b.String()
}

// takeParties gives a listed item its parties, as partiesText wrote them.
func takeParties(it *domain.Item, text string) error {
	it.Parties, it.Milestones, it.Pending, it.Custom = []domain.Party{}, []domain.Milestone{}, []domain.ItemChange{}, emptyMap(it.Custom)
	err := textRows(text, func(side, unit, role string) error {
		id, err := strconv.ParseInt(unit, 10, 64)
		it.Parties = append(it.Parties, domain.Party{Side: side, OrganizationID: id, Role: domain.PartyRole(role)})
		return err
	})
	if err != nil {
		return fmt.Errorf("item %d's parties: %w", it.ID, err)
	}
	return nil
}

// loadMilestones reads the milestones of a page of items, in their order.
func loadMilestones(ctx context.Context, r reader, page []*domain.Item) error {
	args, byID := ids(page)
	return loadRows(ctx, r, "SELECT item_id, id, title, due_on, done_on FROM item_milestones WHERE item_id IN (?) ORDER BY item_id, position", args, func(rows *sql.Rows) error {
		var id int64
		var m domain.Milestone
		if err := rows.Scan(&id, &m.ID, &m.Title, &m.DueOn, &m.DoneOn); err != nil {
			return err
		}
		byID[id].Milestones = append(byID[id].Milestones, m)
		return nil
	})
}

// loadParties reads the parties of a page of items, in their order: all a
// list's row shows of an item besides its own columns (its leads).
func loadParties(ctx context.Context, r reader, page []*domain.Item) error {
	args, byID := ids(page)
	for _, it := range page {
		it.Parties, it.Milestones, it.Pending, it.Custom = []domain.Party{}, []domain.Milestone{}, []domain.ItemChange{}, emptyMap(it.Custom)
	}
	return loadRows(ctx, r, "SELECT item_id, side, organization_id, role FROM item_parties WHERE item_id IN (?) ORDER BY item_id, position", args, func(rows *sql.Rows) error {
		var id int64
		var pt domain.Party
		if err := rows.Scan(&id, &pt.Side, &pt.OrganizationID, &pt.Role); err != nil {
			return err
		}
		byID[id].Parties = append(byID[id].Parties, pt)
		return nil
	})
}
