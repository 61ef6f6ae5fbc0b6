package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// The item forms (new and edit) are plain HTML forms: rows of parties and
// milestones are added, moved and removed by buttons that send the form
// back with an "op" instead of saving it, and the page comes back with the
// rows rearranged and everything typed kept. No script is needed; the
// form is saved only by its save button (op "save" or none).

// milestoneInput is one milestone row of an item form, as typed.
type milestoneInput struct {
	ID     int64
	Title  string
	DueOn  string
	DoneOn string
	Done   bool
	Err    string // the reasons the row was refused, joined
}

// partyInput is one party row of the edit form, as chosen: the unit's
// side and id travel together as "side:id" in one select.
type partyInput struct {
	Side string
	Unit int64
	Role domain.PartyRole
	Err  string
}

// Value is the row's unit as its select names it.
func (p partyInput) Value() string {
	if p.Unit == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d", p.Side, p.Unit)
}

// customInput is one custom field of the mechanism with its value as typed.
type customInput struct {
	Field domain.CustomField
	Key   string // the input's name: custom.<key>
	Value string
}

// itemPlan is the part of an item the new and edit forms share, through
// the "item-plan" partial: investment, milestones and custom fields.
type itemPlan struct {
	Total, Planned, Done string // investment in 万元, as typed
	Milestones           []milestoneInput
	Custom               []customInput
}

// planOf fills the plan of the form from a stored (or new) item.
func planOf(it *domain.Item, m *domain.Mechanism) itemPlan {
	amount := func(v float64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	p := itemPlan{Total: amount(it.Investment.Total), Planned: amount(it.Investment.PlannedThisYear), Done: amount(it.Investment.Done)}
	for _, ms := range it.Milestones {
		in := milestoneInput{ID: ms.ID, Title: ms.Title, DueOn: ms.DueOn.String(), Done: !ms.DoneOn.IsZero()}
		if in.Done {
			in.DoneOn = ms.DoneOn.String()
		}
		p.Milestones = append(p.Milestones, in)
	}
	if m != nil {
		for _, c := range m.CustomFields {
			in := customInput{Field: c, Key: "custom." + c.Key}
			switch v := it.Custom[c.Key].(type) {
			case string:
				in.Value = v
			case float64:
				in.Value = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
			default:
				in.Value = fmt.Sprint(v)
			}
			p.Custom = append(p.Custom, in)
		}
	}
	return p
}

// readPlan reads the plan rows as typed; blank milestone rows (the one
// the form always offers for adding) are dropped.
func readPlan(r *http.Request, m *domain.Mechanism) itemPlan {
	p := itemPlan{Total: strings.TrimSpace(r.PostFormValue("investment.total")), Planned: strings.TrimSpace(r.PostFormValue("investment.planned_this_year")),
		Done: strings.TrimSpace(r.PostFormValue("investment.done"))}
	for i := 0; ; i++ {
		k := fmt.Sprintf("milestones[%d].", i)
		if _, ok := r.PostForm[k+"title"]; !ok {
			break
		}
		id, _ := strconv.ParseInt(r.PostFormValue(k+"id"), 10, 64)
		in := milestoneInput{ID: id, Title: strings.TrimSpace(r.PostFormValue(k + "title")), DueOn: strings.TrimSpace(r.PostFormValue(k + "due_on")),
			DoneOn: strings.TrimSpace(r.PostFormValue(k + "done_on")), Done: r.PostFormValue(k+"done") == "on"}
		if in.Title == "" && in.DueOn == "" && in.DoneOn == "" && !in.Done {
			continue
		}
		p.Milestones = append(p.Milestones, in)
	}
	if m != nil {
		for _, c := range m.CustomFields {
			in := customInput{Field: c, Key: "custom." + c.Key}
			in.Value = strings.TrimSpace(r.PostFormValue(in.Key))
			p.Custom = append(p.Custom, in)
		}
	}
	return p
}

// apply puts the plan into it; what cannot be read (a date, an amount) is
// added to bad under the field the store would name. A milestone ticked
// done without a date is done today, in the mechanism's time zone.
func (p itemPlan) apply(it *domain.Item, today domain.Date, bad *domain.Problems) {
	amount := func(field, s string) float64 {
		if s == "" {
			return 0
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			bad.Add(field, "must be a number between 0 and 1e12 (万元)")
		}
		return v
	}
	it.Investment = domain.Investment{Total: amount("investment.total", p.Total), PlannedThisYear: amount("investment.planned_this_year", p.Planned),
		Done: amount("investment.done", p.Done)}
	date := func(field, s string) domain.Date {
		if s == "" {
			return domain.Date{}
		}
		d, err := domain.ParseDate(s)
		if err != nil {
			bad.Add(field, "must be a date of the form YYYY-MM-DD")
		}
		return d
	}
	it.Milestones = []domain.Milestone{}
	for i, in := range p.Milestones {
		f := fmt.Sprintf("milestones[%d].", i)
		ms := domain.Milestone{ID: in.ID, Title: in.Title, DueOn: date(f+"due_on", in.DueOn)}
		if in.Done {
			if ms.DoneOn = date(f+"done_on", in.DoneOn); in.DoneOn == "" {
				ms.DoneOn = today
			}
		}
		it.Milestones = append(it.Milestones, ms)
	}
	it.Custom = map[string]any{}
	for _, in := range p.Custom {
		switch {
		case in.Value == "":
		case in.Field.Type == domain.NumberField:
			v, err := strconv.ParseFloat(in.Value, 64)
			if err != nil {
				bad.Add(in.Key, "must be a number")
				continue
			}
			it.Custom[in.Field.Key] = v
		default:
			it.Custom[in.Field.Key] = in.Value
		}
	}
}

// rowErrors puts beside each milestone row the refusals of its fields.
func (p *itemPlan) rowErrors(fields map[string]string) {
	for i := range p.Milestones {
		p.Milestones[i].Err = joinRowErrors(fields, fmt.Sprintf("milestones[%d].", i))
	}
}

func joinRowErrors(fields map[string]string, prefix string) string {
	var out []string
	for _, k := range sortedFieldKeys(fields) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, fields[k])
		}
	}
	return strings.Join(out, " ")
}

func sortedFieldKeys(fields map[string]string) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// moveRow applies a row op ("up-2", "down-0", "remove-1") to rows.
func moveRow[T any](rows []T, op string) []T {
	verb, n, _ := strings.Cut(op, "-")
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 || i >= len(rows) {
		return rows
	}
	switch verb {
	case "up":
		if i > 0 {
			rows[i-1], rows[i] = rows[i], rows[i-1]
		}
	case "down":
		if i+1 < len(rows) {
			rows[i], rows[i+1] = rows[i+1], rows[i]
		}
	case "remove":
		rows = slices.Delete(rows, i, i+1)
	}
	return rows
}

// applyOp rearranges the plan's rows for a form op other than saving
// ("milestone-add", "milestone-up-2" …); any other op changes nothing.
func (p *itemPlan) applyOp(op string) {
	rest, ok := strings.CutPrefix(op, "milestone-")
	switch {
	case !ok:
	case rest == "add":
		p.Milestones = append(p.Milestones, milestoneInput{})
	default:
		p.Milestones = moveRow(p.Milestones, rest)
	}
}

// itemEditData is the edit page: the shared fields (itemFormData), the
// party rows in order, the plan, and the version the form was read at.
type itemEditData struct {
	*itemFormData
	Stored  *domain.Item
	Version int64
	Parties []partyInput // in order; each row's unit select groups the units by side (Sides)
	Roles   []domain.PartyRole
}

// loadItemForEdit reads the item {id} as the visitor may see it, and
// refuses, with the reason, a visitor who may not change it: the same
// policy decision the store applies when the form is saved.
func (h *Handler) loadItemForEdit(w http.ResponseWriter, r *http.Request) (*domain.Item, bool) {
	if err := policy.Check(currentUser(r), policy.Write, "items"); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var it *domain.Item
		if it, err = h.store.Items.GetAs(r.Context(), actor(r), id); err == nil {
			if err = h.store.Items.Allowed(r.Context(), actor(r), policy.Write, it); err == nil {
				return it, true
			}
		}
	}
	h.fail(w, r, err)
	return nil, false
}

// itemEditForm answers GET /items/{id}/edit: every field of the item,
// filled as stored, for who may change it.
func (h *Handler) itemEditForm(w http.ResponseWriter, r *http.Request) {
	stored, ok := h.loadItemForEdit(w, r)
	if !ok {
		return
	}
	d, err := h.itemEditPage(r, stored, *stored)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, pt := range stored.Parties {
		d.Parties = append(d.Parties, partyInput{Side: pt.Side, Unit: pt.OrganizationID, Role: pt.Role})
	}
	d.Plan = planOf(stored, d.Mechanism)
	h.renderItemEdit(w, r, http.StatusOK, d, h.newView(r, stored.Title, "items"))
}

// itemEditPage builds the page for the stored item with the form's values
// in it.
func (h *Handler) itemEditPage(r *http.Request, stored *domain.Item, it domain.Item) (*itemEditData, error) {
	f, err := h.itemForm(r, it)
	if err != nil {
		return nil, err
	}
	if f.Mechanism == nil {
		return nil, domain.Errorf(domain.NotFound, "mechanism %d not found", it.MechanismID)
	}
	f.Action = fmt.Sprintf("/items/%d/edit", stored.ID)
	return &itemEditData{itemFormData: f, Stored: stored, Version: it.Version, Roles: []domain.PartyRole{domain.LeadUnit, domain.CooperatingUnit}}, nil
}

// renderItemEdit shows the edit page, with a blank party row and a blank
// milestone row to add with, and the refusals no field shows listed.
func (h *Handler) renderItemEdit(w http.ResponseWriter, r *http.Request, status int, d *itemEditData, v *view) {
	d.Parties = append(d.Parties, partyInput{Role: domain.CooperatingUnit})
	d.Plan.Milestones = append(d.Plan.Milestones, milestoneInput{})
	d.Other = otherRefusals(v.Fields, shownOnItemForm)
	for i := range d.Parties {
		d.Parties[i].Err = joinRowErrors(v.Fields, fmt.Sprintf("parties[%d].", i))
	}
	d.Plan.rowErrors(v.Fields)
	v.Data = d
	h.render(w, r, status, "item_edit", v)
}

// shownOnItemForm reports whether a refusal of field has a place on the
// item forms, beside its input or its row.
func shownOnItemForm(field string) bool {
	switch field {
	case "title", "number", "start_on", "end_on",
		"investment.total", "investment.planned_this_year", "investment.done", "occurred_on":
		return true
	}
	for _, prefix := range []string{"schedule.", "custom.", "milestones[", "parties["} {
		if strings.HasPrefix(field, prefix) {
			return true
		}
	}
	return false
}

// otherRefusals lists the refusals of fields the form does not show.
func otherRefusals(fields map[string]string, shown func(string) bool) map[string]string {
	out := map[string]string{}
	for k, msg := range fields {
		if !shown(k) {
			out[k] = msg
		}
	}
	return out
}

// readParties reads the party rows in their order; a row without a unit
// (the blank one offered for adding) is dropped.
func readParties(r *http.Request) []partyInput {
	var out []partyInput
	for i := 0; ; i++ {
		k := fmt.Sprintf("parties[%d].", i)
		unit, ok := r.PostForm[k+"unit"]
		if !ok {
			break
		}
		side, id, _ := strings.Cut(strings.Join(unit, ""), ":")
		n, _ := strconv.ParseInt(id, 10, 64)
		if n == 0 {
			continue
		}
		out = append(out, partyInput{Side: side, Unit: n, Role: domain.PartyRole(r.PostFormValue(k + "role"))})
	}
	return out
}

// itemFields reads the item's own fields from the form over it; a date
// that cannot be read is added to bad.
func itemFields(r *http.Request, it *domain.Item, bad *domain.Problems) {
	it.Number, it.Title = strings.TrimSpace(r.PostFormValue("number")), strings.TrimSpace(r.PostFormValue("title"))
	it.Content, it.Track, it.Mode = r.PostFormValue("content"), r.PostFormValue("track"), r.PostFormValue("mode")
	it.Status, it.Landmark = domain.ItemStatus(r.PostFormValue("status")), r.PostFormValue("landmark") == "on"
	it.Schedule = domain.Schedule{Q1: strings.TrimSpace(r.PostFormValue("schedule.q1")), Q2: strings.TrimSpace(r.PostFormValue("schedule.q2")),
		Q3: strings.TrimSpace(r.PostFormValue("schedule.q3")), Q4: strings.TrimSpace(r.PostFormValue("schedule.q4"))}
	for _, f := range []struct {
		name string
		into *domain.Date
	}{{"start_on", &it.StartOn}, {"end_on", &it.EndOn}} {
		*f.into = domain.Date{}
		if s := strings.TrimSpace(r.PostFormValue(f.name)); s != "" {
			d, err := domain.ParseDate(s)
			if err != nil {
				bad.Add(f.name, "must be a date of the form YYYY-MM-DD")
			}
			*f.into = d
		}
	}
}

// itemSave answers POST /items/{id}/edit. A row op rearranges the form and
// shows it again; saving goes through the store's update, as the API's
// PATCH does: the store refuses a stale version, and holds for the other
// sides what the two-side rule says they must confirm while the rest is
// applied. The item page then says what waits, and for whom.
func (h *Handler) itemSave(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	stored, ok := h.loadItemForEdit(w, r)
	if !ok {
		return
	}
	it := *stored
	it.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	var bad domain.Problems
	itemFields(r, &it, &bad)
	parties := readParties(r)
	d, err := h.itemEditPage(r, stored, it)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.StartOn, d.EndOn = r.PostFormValue("start_on"), r.PostFormValue("end_on") // as typed, read or not
	plan := readPlan(r, d.Mechanism)
	v := h.newView(r, stored.Title, "items")
	if op := r.PostFormValue("op"); op != "" && op != "save" {
		if rest, ok := strings.CutPrefix(op, "party-"); ok {
			if rest == "add" {
				parties = append(parties, partyInput{Role: domain.CooperatingUnit})
			} else {
				parties = moveRow(parties, rest)
			}
		} else {
			plan.applyOp(op)
		}
		d.Parties, d.Plan = parties, plan
		h.renderItemEdit(w, r, http.StatusOK, d, v)
		return
	}
	it.Parties = []domain.Party{}
	for _, p := range parties {
		it.Parties = append(it.Parties, domain.Party{Side: p.Side, OrganizationID: p.Unit, Role: p.Role})
	}
	plan.apply(&it, cycle.Today(d.Mechanism, h.now()), &bad)
	var held []domain.ItemChange
	ctx := occurredContext(r, &bad)
	if err = bad.Err(); err == nil {
		err = h.store.Write(ctx, actor(r), func(tx *store.Tx) error {
			if err := h.store.Items.UpdateTx(ctx, tx, &it); err != nil {
				return err
			}
			held = tx.Held()
			return nil
		})
	}
	var status int
	switch domain.ErrorCode(err) {
	case "":
		outcome := "saved"
		if len(held) > 0 {
			outcome = "held" // the item page says what waits, and for whom
		}
		http.Redirect(w, r, fmt.Sprintf("/items/%d?change=%s", it.ID, outcome), http.StatusSeeOther)
		return
	case domain.Invalid:
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		status = http.StatusUnprocessableEntity
	case domain.Conflict, domain.Forbidden:
		// Stale, or a change the visitor may not make (handing the item
		// over to units it does not act for): the reason, on the form.
		msg := t.T("error.conflict")
		status = http.StatusConflict
		if domain.ErrorCode(err) == domain.Forbidden {
			msg, status = t.T("error.forbidden"), http.StatusForbidden
		}
		v.Error, v.Fields = t.F("error.detail", msg, message.Of(t.locale, err).Message), fieldMessages(t, err)
		delete(v.Fields, "version")
	default:
		h.fail(w, r, err)
		return
	}
	d.Parties, d.Plan = parties, plan
	h.renderItemEdit(w, r, status, d, v)
}
