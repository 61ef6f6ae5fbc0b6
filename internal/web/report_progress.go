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
// or typed and the message if it was refused. A report handed in (Locked)
// is shown, not edited: it offers a correction (更正) and, to the
// secretariat, its review.
type reportEntry struct {
	Item   *domain.Item
	Period string
	Stored *domain.Report
	// Last is the unit's report on the item of the period before, which
	// the form offers to start from.
	Last   *domain.Report
	Fields reportFields
	Error  string
	// Reason is the correction's reason as typed; Correcting keeps the
	// correction form open after it was refused.
	Reason     string
	Correcting bool
	MayReview  bool
	// Attachments are the stored report's files.
	Attachments []domain.Attachment
}

// Locked reports whether the entry's report was handed in.
func (e reportEntry) Locked() bool { return e.Stored != nil && e.Stored.Locked() }

// reportFields are a report's parts as the form holds them, as text.
type reportFields struct {
	Progress, NextSteps, Problems, Coordination, Highlight, Investment, Percent string
}

// fieldsOf returns the stored report's parts as the form shows them.
func fieldsOf(rep *domain.Report) reportFields {
	f := reportFields{Progress: rep.Progress, NextSteps: rep.NextSteps, Problems: rep.Problems, Coordination: rep.Coordination,
		Highlight: rep.Highlight, Percent: strconv.Itoa(rep.Percent)}
	if rep.InvestmentDone != 0 {
		f.Investment = strconv.FormatFloat(rep.InvestmentDone, 'f', -1, 64)
	}
	return f
}

// readReportFields reads the parts posted with the names suffixed by
// suffix ("-12" on the unit's form, "" on a correction form).
func readReportFields(r *http.Request, suffix string) reportFields {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name + suffix)) }
	return reportFields{Progress: v("text"), NextSteps: v("next"), Problems: v("problems"), Coordination: v("coord"),
		Highlight: v("highlight"), Investment: v("invest"), Percent: v("percent")}
}

// reportFieldSet is a report's parts with the suffix of the names of the
// inputs that hold them ("-12" on the unit's form, "-c12" on the
// correction form of the item 12's report).
type reportFieldSet struct {
	ID     string
	Fields reportFields
}

func (f reportFields) empty() bool { return f == reportFields{} }

// apply writes the parts onto rep, or returns the message for a percent
// or an investment that is not a number.
func (f reportFields) apply(rep *domain.Report, t tr) string {
	rep.Progress, rep.Text = f.Progress, ""
	rep.NextSteps, rep.Problems, rep.Coordination, rep.Highlight = f.NextSteps, f.Problems, f.Coordination, f.Highlight
	rep.Percent, rep.InvestmentDone = 0, 0
	if f.Percent != "" {
		n, err := strconv.Atoi(f.Percent)
		if err != nil || n < 0 || n > 100 {
			return t.T("report.bad_percent")
		}
		rep.Percent = n
	}
	if f.Investment != "" {
		x, err := strconv.ParseFloat(f.Investment, 64)
		if err != nil {
			return t.T("report.bad_investment")
		}
		rep.InvestmentDone = x
	}
	return ""
}

type reportFormData struct {
	UnitID  int64
	Unit    string
	Units   []*domain.Organization
	Entries []reportEntry
	Done    string
}

// Open reports whether some entry is still open for editing, so the
// page shows the form that saves drafts and submits.
func (d *reportFormData) Open() bool {
	for _, e := range d.Entries {
		if !e.Locked() {
			return true
		}
	}
	return false
}

// reportUnits are the units the user may report for: those its liaison
// grants act for, as the policy resolves them (a unit, the units of a
// jurisdiction, a mechanism's members), or for the secretariat and
// administrators every unit that takes part in an item.
func (h *Handler) reportUnits(r *http.Request, rf *refs) ([]*domain.Organization, error) {
	u := currentUser(r)
	broad := u.IsAdmin()
	for _, g := range u.Grants {
		if g.Role == domain.SecretariatRole || g.Role == domain.Admin {
			broad = true
		}
	}
	if !broad {
		ids, err := h.store.LiaisonUnits(r.Context(), actor(r))
		if err != nil {
			return nil, err
		}
		var own []*domain.Organization
		for _, o := range rf.orgList {
			if slices.Contains(ids, o.ID) {
				own = append(own, o)
			}
		}
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
			switch {
			case rep.ItemID != it.ID:
			case rep.Period == e.Period:
				e.Stored, e.Fields = rep, fieldsOf(rep)
			case rep.Period < e.Period && (e.Last == nil || rep.Period > e.Last.Period):
				e.Last = rep
			}
		}
		if e.Stored != nil {
			if e.Attachments, err = h.store.ReportAttachments(ctx, actor(r), e.Stored.ID); err != nil {
				return nil, err
			}
			e.MayReview = e.Stored.Status == domain.Submitted && h.store.MayReview(ctx, actor(r), e.Stored) == nil
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
	// "Start from last period's": the entry takes the text of the unit's
	// report of the period before, to be edited and saved.
	if last := queryID(r, "last"); last != 0 {
		for i := range d.Entries {
			if e := &d.Entries[i]; e.Item.ID == last && e.Last != nil && !e.Locked() {
				e.Fields = fieldsOf(e.Last)
			}
		}
	}
	v := h.newView(r, t.T("report.title"), "report")
	if key, ok := map[string]string{"draft": "report.done_draft", "submitted": "report.done_submitted", "corrected": "report.done_corrected",
		"accepted": "report.done_accepted", "returned": "report.done_returned", "attached": "report.done_attached"}[r.URL.Query().Get("done")]; ok {
		v.Message = t.T(key)
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
	failed, locked := false, false
	for i := range d.Entries {
		e := &d.Entries[i]
		key := strconv.FormatInt(e.Item.ID, 10)
		posted := readReportFields(r, "-"+key)
		if e.Locked() {
			// The page offers no fields for a report handed in; a form
			// opened before it was submitted still sends them. Saving it
			// would overwrite what was handed in: the report's rule
			// refuses, and the entry says why and offers a correction.
			if !posted.empty() {
				if err := (&domain.Report{Status: domain.Draft}).CheckEdit(e.Stored); err != nil {
					e.Error, failed, locked = t.T("report.locked"), true, true
				}
			}
			continue
		}
		e.Fields = posted
		if posted.empty() && e.Stored == nil {
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
		if submit {
			rep.Status = domain.Submitted
		}
		if msg := posted.apply(rep, t); msg != "" {
			e.Error, failed = msg, true
			continue
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
		status := http.StatusUnprocessableEntity
		v.Error = t.T("form.fix")
		switch {
		case locked:
			v.Error, status = t.T("report.locked"), http.StatusConflict
		case domain.ErrorCode(err) == domain.Conflict:
			v.Error = t.T("error.conflict")
		}
		v.Data = d
		h.render(w, r, status, "report", v)
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
