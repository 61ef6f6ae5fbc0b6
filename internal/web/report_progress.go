package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// reportEntry is one item on a unit's report form, with what was stored
// or typed and the message if it was refused.
type reportEntry struct {
	Item    *domain.Item
	Period  string
	Stored  *domain.Report
	Text    string
	Percent string
	Error   string
}

type reportFormData struct {
	UnitID  int64
	Unit    string
	Units   []*domain.Organization
	Entries []reportEntry
	Done    string
}

// reportUnits are the units the user may report for: those of their unit
// grants, or for the secretariat and administrators every unit that takes
// part in an item.
func (h *Handler) reportUnits(r *http.Request, rf *refs) ([]*domain.Organization, error) {
	u := currentUser(r)
	var own []*domain.Organization
	broad := u.IsAdmin()
	for _, g := range u.Grants {
		switch {
		case g.ScopeKind == domain.OrganizationScope:
			if o, ok := rf.orgs[g.ScopeID]; ok {
				own = append(own, o)
			}
		case g.Role == domain.SecretariatRole || g.Role == domain.Admin:
			broad = true
		}
	}
	if !broad {
		return own, nil
	}
	items, err := listAll(r.Context(), currentUser(r), h.store.Items, nil)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, it := range items {
		for _, pt := range it.Parties {
			seen[pt.OrganizationID] = true
		}
	}
	var out []*domain.Organization
	for _, o := range rf.orgList {
		if seen[o.ID] {
			out = append(out, o)
		}
	}
	return out, nil
}

// reportEntries lists the unit's items still under way, each with its
// current period and the report stored for it, if any.
func (h *Handler) reportEntries(r *http.Request, rf *refs, unit int64) ([]reportEntry, error) {
	ctx := r.Context()
	uid := strconv.FormatInt(unit, 10)
	items, err := listAll(ctx, currentUser(r), h.store.Items, map[string]string{"unit": uid})
	if err != nil {
		return nil, err
	}
	reports, err := listAll(ctx, currentUser(r), h.store.Reports, map[string]string{"unit": uid})
	if err != nil {
		return nil, err
	}
	now := h.now()
	var out []reportEntry
	for _, it := range items {
		if it.Status == domain.Completed || it.Status == domain.Rescoped {
			continue
		}
		e := reportEntry{Item: it, Period: cycle.Current(rf.mechanisms[it.MechanismID], now).Key}
		for _, rep := range reports {
			if rep.ItemID == it.ID && rep.Period == e.Period {
				e.Stored, e.Text, e.Percent = rep, rep.Text, strconv.Itoa(rep.Percent)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func (h *Handler) reportPage(r *http.Request, unit int64) (*reportFormData, *refs, error) {
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, nil, err
	}
	units, err := h.reportUnits(r, rf)
	if err != nil {
		return nil, nil, err
	}
	d := &reportFormData{Units: units}
	if unit == 0 && len(units) == 1 {
		unit = units[0].ID
	}
	if unit == 0 {
		return d, rf, nil
	}
	if !slices.ContainsFunc(units, func(o *domain.Organization) bool { return o.ID == unit }) {
		return nil, nil, domain.Errorf(domain.Forbidden, "you do not report for unit %d", unit)
	}
	d.UnitID, d.Unit = unit, rf.orgName(h.tr(state(r).locale), unit)
	if d.Entries, err = h.reportEntries(r, rf, unit); err != nil {
		return nil, nil, err
	}
	return d, rf, nil
}

// reportForm answers GET /report?unit=: one form with every item the unit
// reports on this period, laid out to be filled in on a phone.
func (h *Handler) reportForm(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "reports"); err != nil {
		h.fail(w, r, err)
		return
	}
	d, _, err := h.reportPage(r, queryID(r, "unit"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("report.title"), "report")
	switch r.URL.Query().Get("done") {
	case "draft":
		v.Message = t.T("report.saved_draft")
	case "submitted":
		v.Message = t.T("report.submitted")
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "report", v)
}

// reportSave answers POST /report. "draft" keeps the texts for later;
// "submit" hands them in. Every entry is checked before anything is
// written, and all are written in one transaction: a unit's report for a
// period is saved whole or not at all.
func (h *Handler) reportSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "reports"); err != nil {
		h.fail(w, r, err)
		return
	}
	d, _, err := h.reportPage(r, formID(r, "unit"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	submit := r.PostFormValue("action") == "submit"
	var writes []*domain.Report
	failed := false
	for i := range d.Entries {
		e := &d.Entries[i]
		key := strconv.FormatInt(e.Item.ID, 10)
		e.Text = strings.TrimSpace(r.PostFormValue("text-" + key))
		e.Percent = strings.TrimSpace(r.PostFormValue("percent-" + key))
		if e.Text == "" && e.Percent == "" && e.Stored == nil {
			continue
		}
		rep := &domain.Report{ItemID: e.Item.ID, OrganizationID: d.UnitID, Period: e.Period, Status: domain.Draft, Attachments: []string{}}
		if e.Stored != nil {
			cp := *e.Stored
			rep = &cp
			// The version the form was based on: a change made meanwhile by
			// someone else is refused, not overwritten.
			if v, err := strconv.ParseInt(r.PostFormValue("version-"+key), 10, 64); err == nil {
				rep.Version = v
			}
		}
		rep.Text = e.Text
		if submit {
			rep.Status = domain.Submitted
		}
		if e.Percent == "" {
			rep.Percent = 0
		} else if n, err := strconv.Atoi(e.Percent); err != nil || n < 0 || n > 100 {
			e.Error, failed = t.T("report.bad_percent"), true
			continue
		} else {
			rep.Percent = n
		}
		if err := rep.Validate(); err != nil {
			e.Error, failed = joinMessages(fieldMessages(t, err), t), true
			continue
		}
		writes = append(writes, rep)
	}
	if !failed && len(writes) > 0 {
		err = h.store.Write(ctx, actor(r), func(tx *store.Tx) error {
			for _, rep := range writes {
				var err error
				if rep.ID == 0 {
					err = h.store.Reports.CreateTx(ctx, tx, rep)
				} else {
					err = h.store.Reports.UpdateTx(ctx, tx, rep)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			switch domain.ErrorCode(err) {
			case domain.Invalid, domain.Conflict:
			default:
				h.fail(w, r, err)
				return
			}
			failed = true
		}
	}
	if failed {
		v := h.newView(r, t.T("report.title"), "report")
		v.Error = t.T("form.fix")
		if domain.ErrorCode(err) == domain.Conflict {
			v.Error = t.T("error.conflict")
		}
		v.Data = d
		h.render(w, r, http.StatusUnprocessableEntity, "report", v)
		return
	}
	done := "draft"
	if submit {
		done = "submitted"
	}
	http.Redirect(w, r, "/report?unit="+strconv.FormatInt(d.UnitID, 10)+"&done="+done, http.StatusSeeOther)
}

// joinMessages lists field messages as one line: "text: is required".
func joinMessages(m map[string]string, t tr) string {
	var parts []string
	for f, msg := range m {
		label := f
		if t.Has("field." + f) {
			label = t.T("field." + f)
		}
		parts = append(parts, label+": "+msg)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}
