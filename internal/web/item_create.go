package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

type sideUnits struct {
	Side   domain.Side
	Units  []*domain.Organization
	Lead   int64
	CoopOf map[int64]bool
}

type itemFormData struct {
	Mechanism  *domain.Mechanism
	Mechanisms []*domain.Mechanism
	Batches    []*domain.Batch
	Statuses   []domain.ItemStatus
	Sides      []sideUnits
	Item       domain.Item
	Quarters   []quarterView // the schedule's four quarters as typed
	StartOn    string
	EndOn      string
	Plan       itemPlan          // investment, milestones and custom fields, as typed
	Other      map[string]string // refusals no field of the form shows
	Action     string            // where the form is posted, its row ops too
}

// itemForm builds the form for a mechanism; without one it offers the
// choice of mechanism first, since sides and taxonomy depend on it.
func (h *Handler) itemForm(r *http.Request, it domain.Item) (*itemFormData, error) {
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, err
	}
	d := &itemFormData{Mechanisms: rf.mechList, Statuses: domain.ItemStatuses, Item: it, Action: "/items/new",
		StartOn: it.StartOn.String(), EndOn: it.EndOn.String()}
	for i, text := range it.Schedule.Quarters() {
		d.Quarters = append(d.Quarters, quarterView{Quarter: i + 1, Text: text})
	}
	m := rf.mechanisms[it.MechanismID]
	if m == nil {
		return d, nil
	}
	d.Mechanism = m
	d.Plan = planOf(&it, m)
	for _, b := range rf.batchList {
		if b.MechanismID == m.ID {
			d.Batches = append(d.Batches, b)
		}
	}
	for _, s := range m.Sides {
		su := sideUnits{Side: s, Units: rf.unitsOfSide(s), Lead: it.Lead(s.Key), CoopOf: map[int64]bool{}}
		for _, pt := range it.Parties {
			if pt.Side == s.Key && pt.Role == domain.CooperatingUnit {
				su.CoopOf[pt.OrganizationID] = true
			}
		}
		d.Sides = append(d.Sides, su)
	}
	return d, nil
}

// itemNewForm answers GET /items/new?mechanism=&batch=&decision=; a meeting
// decision links here so that the item it creates points back to it.
func (h *Handler) itemNewForm(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	it := domain.Item{MechanismID: queryID(r, "mechanism"), BatchID: queryID(r, "batch"), DecisionID: queryID(r, "decision"), Status: domain.NotStarted}
	d, err := h.itemForm(r, it)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Plan.Milestones = append(d.Plan.Milestones, milestoneInput{}) // a row to add with
	v := h.newView(r, t.T("item.new"), "items")
	v.Data = d
	h.render(w, r, http.StatusOK, "item_new", v)
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return id
}

// itemCreate answers POST /items/new: validate, then either show the form
// again with what was typed and why it was refused, or go to the new item.
func (h *Handler) itemCreate(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	it := domain.Item{MechanismID: formID(r, "mechanism"), BatchID: formID(r, "batch"), DecisionID: formID(r, "decision")}
	var p domain.Problems
	itemFields(r, &it, &p)
	d, err := h.itemForm(r, it)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Mechanism != nil {
		for _, s := range d.Mechanism.Sides {
			// A side may take part with cooperating units only: no lead is
			// asked for where the source names none.
			if lead := formID(r, "lead-"+s.Key); lead > 0 {
				it.Parties = append(it.Parties, domain.Party{Side: s.Key, OrganizationID: lead, Role: domain.LeadUnit})
			}
			for _, c := range r.PostForm["coop-"+s.Key] {
				if id, _ := strconv.ParseInt(c, 10, 64); id > 0 && id != it.Lead(s.Key) {
					it.Parties = append(it.Parties, domain.Party{Side: s.Key, OrganizationID: id, Role: domain.CooperatingUnit})
				}
			}
		}
	}
	d.StartOn, d.EndOn = r.PostFormValue("start_on"), r.PostFormValue("end_on") // as typed, read or not
	if d.Mechanism != nil {
		d.Plan = readPlan(r, d.Mechanism)
		if op := r.PostFormValue("op"); op != "" && op != "save" {
			// A row added or moved: the form again, with the units chosen,
			// and nothing saved.
			d2, err := h.itemForm(r, it)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			d2.StartOn, d2.EndOn, d2.Plan = d.StartOn, d.EndOn, d.Plan
			d2.Plan.applyOp(op)
			d2.Plan.Milestones = append(d2.Plan.Milestones, milestoneInput{})
			v := h.newView(r, t.T("item.new"), "items")
			v.Data = d2
			h.render(w, r, http.StatusOK, "item_new", v)
			return
		}
		d.Plan.apply(&it, cycle.Today(d.Mechanism, h.now()), &p)
	}
	var held []domain.ItemChange
	ctx := occurredContext(r, &p)
	if err = p.Err(); err == nil {
		err = h.store.Write(ctx, actor(r), func(tx *store.Tx) error {
			if err := h.store.Items.CreateTx(ctx, tx, &it); err != nil {
				return err
			}
			held = tx.Held()
			return nil
		})
	}
	if err != nil {
		if code := domain.ErrorCode(err); code != domain.Invalid && code != domain.Conflict {
			h.fail(w, r, err)
			return
		}
		if d2, err2 := h.itemForm(r, it); err2 == nil {
			// What was typed comes back as typed, with the reasons.
			d2.StartOn, d2.EndOn, d2.Plan = d.StartOn, d.EndOn, d.Plan
			v := h.newView(r, t.T("item.new"), "items")
			v.Error, v.Fields, v.Data = t.T("form.fix"), fieldMessages(t, err), d2
			d2.Plan.rowErrors(v.Fields)
			d2.Other = otherRefusals(v.Fields, func(k string) bool {
				return strings.HasPrefix(k, "lead-") || (shownOnItemForm(k) && !strings.HasPrefix(k, "parties["))
			})
			d2.Plan.Milestones = append(d2.Plan.Milestones, milestoneInput{})
			h.render(w, r, http.StatusUnprocessableEntity, "item_new", v)
			return
		}
		h.fail(w, r, err)
		return
	}
	to := "/items/" + strconv.FormatInt(it.ID, 10)
	if len(held) > 0 {
		to += "?change=held" // the item page says what waits, and for whom
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
