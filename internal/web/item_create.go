package web

import (
	"net/http"
	"strconv"
	"strings"

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
	StartOn    string
	EndOn      string
}

// itemForm builds the form for a mechanism; without one it offers the
// choice of mechanism first, since sides and taxonomy depend on it.
func (h *Handler) itemForm(r *http.Request, it domain.Item) (*itemFormData, error) {
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, err
	}
	d := &itemFormData{Mechanisms: rf.mechList, Statuses: domain.ItemStatuses, Item: it,
		StartOn: it.StartOn.String(), EndOn: it.EndOn.String()}
	m := rf.mechanisms[it.MechanismID]
	if m == nil {
		return d, nil
	}
	d.Mechanism = m
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
	it := domain.Item{
		MechanismID: formID(r, "mechanism"), BatchID: formID(r, "batch"), DecisionID: formID(r, "decision"),
		Number: strings.TrimSpace(r.PostFormValue("number")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Content: r.PostFormValue("content"), Track: r.PostFormValue("track"), Mode: r.PostFormValue("mode"),
		Status: domain.ItemStatus(r.PostFormValue("status")), Landmark: r.PostFormValue("landmark") == "on",
		Custom: map[string]any{},
	}
	var p domain.Problems
	for _, f := range []struct {
		name string
		into *domain.Date
	}{{"start_on", &it.StartOn}, {"end_on", &it.EndOn}} {
		if s := r.PostFormValue(f.name); s != "" {
			d, err := domain.ParseDate(s)
			if err != nil {
				p.Add(f.name, "must be a date of the form YYYY-MM-DD")
			}
			*f.into = d
		}
	}
	d, err := h.itemForm(r, it)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Mechanism != nil {
		for _, s := range d.Mechanism.Sides {
			if lead := formID(r, "lead-"+s.Key); lead > 0 {
				it.Parties = append(it.Parties, domain.Party{Side: s.Key, OrganizationID: lead, Role: domain.LeadUnit})
			} else {
				p.Add("lead-"+s.Key, "is required")
			}
			for _, c := range r.PostForm["coop-"+s.Key] {
				if id, _ := strconv.ParseInt(c, 10, 64); id > 0 && id != it.Lead(s.Key) {
					it.Parties = append(it.Parties, domain.Party{Side: s.Key, OrganizationID: id, Role: domain.CooperatingUnit})
				}
			}
		}
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
		if d, err2 := h.itemForm(r, it); err2 == nil {
			v := h.newView(r, t.T("item.new"), "items")
			v.Error, v.Fields, v.Data = t.T("form.fix"), fieldMessages(t, err), d
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
