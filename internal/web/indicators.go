package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type indicatorListData struct {
	Charts []indicatorChart
	CanAdd bool // the user may add an indicator somewhere
}

type indicatorChart struct {
	Indicator *domain.Indicator
	ChartID   string
	Chart     any
	// Latest is the last value observed, the figure shown when there is
	// no chart.
	Latest *domain.IndicatorValue
}

// indicatorList answers GET /indicators: each indicator as a time series
// with its target, and its values as a table for readers without the
// figure.
func (h *Handler) indicatorList(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "indicators"); err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := listAll(r.Context(), currentUser(r), h.store.Indicators, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var out []indicatorChart
	for _, in := range list {
		c := indicatorChart{Indicator: in, ChartID: fmt.Sprintf("indicator-%d", in.ID), Chart: indicatorChartOf(t, in), Latest: latestValue(in)}
		out = append(out, c)
	}
	v := h.newView(r, t.T("indicators.title"), "indicators")
	v.Charts = true
	v.Data = indicatorListData{Charts: out, CanAdd: len(h.mechanismsFor(r, func(m int64) error {
		return h.store.Indicators.Allowed(r.Context(), actor(r), policy.Write, &domain.Indicator{MechanismID: m})
	})) > 0}
	h.render(w, r, http.StatusOK, "indicators", v)
}

// indicatorValueRow is one value of an indicator as its form shows it:
// the stored value, or what was typed when a change of it was refused.
type indicatorValueRow struct {
	On       string // the stored date, naming the value in the path
	Observed string
	Value    string
	Note     string
	Source   string
}

// indicatorForm is what the indicator's own fields read as typed.
type indicatorForm struct {
	Mechanism int64
	Name      string
	NameEN    string
	Unit      string
	Scope     string
	Target    string
	TargetOn  string
}

type indicatorPageData struct {
	Indicator  *domain.Indicator
	Mechanism  *domain.Mechanism
	ChartID    string
	Chart      any
	Values     []indicatorValueRow
	Add        indicatorValueRow // the add-a-value form
	Form       indicatorForm     // the target (and, for a new indicator, every field)
	CanWrite   bool
	Mechanisms []*domain.Mechanism // where a new indicator may be made
	// Editing names the form a refusal belongs to: the date of the value
	// changed, "new" for the add form, "target" for the target.
	Editing string
}

// indicatorChartOf draws an indicator's values as a time series with its
// target as a line, or nil when it has fewer than two: one value is shown
// as a figure, not as a line of one point (issue 12).
func indicatorChartOf(t tr, in *domain.Indicator) any {
	if len(in.Values) < 2 {
		return nil
	}
	points := make([][2]any, len(in.Values))
	for i, v := range in.Values {
		points[i] = [2]any{v.ObservedOn.String(), v.Value}
	}
	series := []map[string]any{{"type": "line", "name": t.Name(in.Name, in.NameEN), "data": points, "symbolSize": 8}}
	if in.Target != nil {
		series[0]["markLine"] = map[string]any{"symbol": "none", "data": []map[string]any{{"yAxis": *in.Target, "name": t.T("indicator.target")}},
			"label": map[string]any{"formatter": t.T("indicator.target") + " {c}"}}
	}
	return map[string]any{
		"aria": map[string]any{"enabled": true}, "animation": false, "color": []string{"#0b57d0"},
		"tooltip": map[string]any{"trigger": "axis"},
		"grid":    map[string]any{"left": 60, "right": 30, "top": 30, "bottom": 40},
		"xAxis":   map[string]any{"type": "time"},
		"yAxis":   map[string]any{"type": "value", "name": in.Unit},
		"series":  series,
	}
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func indicatorFormOf(in *domain.Indicator) indicatorForm {
	f := indicatorForm{Mechanism: in.MechanismID, Name: in.Name, NameEN: in.NameEN, Unit: in.Unit, Scope: in.Scope}
	if in.Target != nil {
		f.Target = formatFloat(*in.Target)
	}
	if !in.TargetOn.IsZero() {
		f.TargetOn = in.TargetOn.String()
	}
	return f
}

// indicatorPage gathers the indicator's page: its chart, its values as
// rows of forms for whoever may change it (the store's policy decides),
// and the add-a-value and target forms.
func (h *Handler) indicatorPage(r *http.Request, in *domain.Indicator) (*indicatorPageData, error) {
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, err
	}
	d := &indicatorPageData{Indicator: in, Mechanism: rf.mechanisms[in.MechanismID], ChartID: fmt.Sprintf("indicator-%d", in.ID),
		Chart: indicatorChartOf(t, in), Form: indicatorFormOf(in)}
	d.CanWrite = h.store.Indicators.Allowed(r.Context(), actor(r), policy.Write, in) == nil
	for _, v := range in.Values {
		d.Values = append(d.Values, indicatorValueRow{On: v.ObservedOn.String(), Observed: v.ObservedOn.String(), Value: formatFloat(v.Value), Note: v.Note, Source: v.Source})
	}
	return d, nil
}

// indicatorShow answers GET /indicators/{id}: the indicator's series, its
// values as a table, and for its mechanism's secretariat the forms that
// add, change and remove values and set the target.
func (h *Handler) indicatorShow(w http.ResponseWriter, r *http.Request) {
	in, ok := h.indicatorOfPath(w, r)
	if !ok {
		return
	}
	d, err := h.indicatorPage(r, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderIndicator(w, r, http.StatusOK, d, formRefusal{})
}

func (h *Handler) renderIndicator(w http.ResponseWriter, r *http.Request, status int, d *indicatorPageData, refused formRefusal) {
	t := h.tr(state(r).locale)
	v := h.newView(r, t.Name(d.Indicator.Name, d.Indicator.NameEN), "indicators")
	v.Charts = d.Chart != nil
	refused.apply(v)
	if status == http.StatusOK {
		v.Message = messageOfDone(t, r.URL.Query().Get("done"))
	}
	v.Data = d
	h.render(w, r, status, "indicator", v)
}

// indicatorOfPath reads the indicator of the path as the user may read it.
func (h *Handler) indicatorOfPath(w http.ResponseWriter, r *http.Request) (*domain.Indicator, bool) {
	if err := policy.Check(currentUser(r), policy.Read, "indicators"); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var in *domain.Indicator
		if in, err = h.store.Indicators.GetAs(r.Context(), actor(r), id); err == nil {
			return in, true
		}
	}
	h.fail(w, r, err)
	return nil, false
}

// readValueRow reads the value fields of a form; the value itself must be
// a number.
func readValueRow(r *http.Request, on string, p *domain.Problems) (indicatorValueRow, domain.IndicatorValue) {
	row := indicatorValueRow{On: on, Observed: strings.TrimSpace(r.PostFormValue("observed_on")), Value: strings.TrimSpace(r.PostFormValue("value")),
		Note: strings.TrimSpace(r.PostFormValue("note"))}
	var v domain.IndicatorValue
	if row.Observed == "" {
		p.Add("observed_on", "is required")
	} else {
		v.ObservedOn = parseFormDate(r, "observed_on", p)
	}
	f, err := strconv.ParseFloat(row.Value, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.Add("value", "must be a number")
	}
	v.Value, v.Note, v.Source = f, row.Note, "web"
	return row, v
}

// indicatorValueAdd answers POST /indicators/{id}/values: a new dated
// value, written as a new version of the indicator.
func (h *Handler) indicatorValueAdd(w http.ResponseWriter, r *http.Request) {
	in, ok := h.indicatorOfPath(w, r)
	if !ok {
		return
	}
	var p domain.Problems
	row, val := readValueRow(r, "", &p)
	want := *in
	want.Values = append(slices.Clone(in.Values), val)
	h.saveIndicator(w, r, in, &want, p.Err(), "added", func(d *indicatorPageData) { d.Add, d.Editing = row, "new" })
}

// indicatorValueEdit answers POST /indicators/{id}/values/{on}: the value
// observed on that day changed (its day, figure or note), or removed with
// action=remove.
func (h *Handler) indicatorValueEdit(w http.ResponseWriter, r *http.Request) {
	in, ok := h.indicatorOfPath(w, r)
	if !ok {
		return
	}
	on := r.PathValue("on")
	at := slices.IndexFunc(in.Values, func(v domain.IndicatorValue) bool { return v.ObservedOn.String() == on })
	if at < 0 {
		h.notFound(w, r)
		return
	}
	want := *in
	want.Values = slices.Clone(in.Values)
	if r.PostFormValue("action") == "remove" {
		want.Values = slices.Delete(want.Values, at, at+1)
		h.saveIndicator(w, r, in, &want, nil, "removed", func(d *indicatorPageData) { d.Editing = on })
		return
	}
	var p domain.Problems
	row, val := readValueRow(r, on, &p)
	// A value kept as it was keeps the source it was recorded from.
	if was := in.Values[at]; row.Note == was.Note && val.Value == was.Value && val.ObservedOn.Equal(was.ObservedOn.Time) {
		val.Source = was.Source
	}
	want.Values[at] = val
	h.saveIndicator(w, r, in, &want, p.Err(), "saved", func(d *indicatorPageData) {
		d.Editing = on
		for i := range d.Values {
			if d.Values[i].On == on {
				d.Values[i] = row
			}
		}
	})
}

// readIndicatorForm reads the indicator's own fields; the target is
// optional but a number when given.
func readIndicatorForm(r *http.Request, in *domain.Indicator, p *domain.Problems) indicatorForm {
	f := indicatorForm{Mechanism: formID(r, "mechanism"), Name: strings.TrimSpace(r.PostFormValue("name")), NameEN: strings.TrimSpace(r.PostFormValue("name_en")),
		Unit: strings.TrimSpace(r.PostFormValue("unit")), Scope: strings.TrimSpace(r.PostFormValue("scope")),
		Target: strings.TrimSpace(r.PostFormValue("target")), TargetOn: strings.TrimSpace(r.PostFormValue("target_on"))}
	in.Target = nil
	if f.Target != "" {
		x, err := strconv.ParseFloat(f.Target, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			p.Add("target", "must be a number")
		} else {
			in.Target = &x
		}
	}
	in.TargetOn = parseFormDate(r, "target_on", p)
	return f
}

// indicatorTarget answers POST /indicators/{id}/target: the target and the
// day it is due, either left empty to clear it.
func (h *Handler) indicatorTarget(w http.ResponseWriter, r *http.Request) {
	in, ok := h.indicatorOfPath(w, r)
	if !ok {
		return
	}
	var p domain.Problems
	want := *in
	f := readIndicatorForm(r, &want, &p)
	h.saveIndicator(w, r, in, &want, p.Err(), "saved", func(d *indicatorPageData) {
		d.Form.Target, d.Form.TargetOn, d.Editing = f.Target, f.TargetOn, "target"
	})
}

// saveIndicator writes want over the stored indicator at the version the
// form was opened with (a stale form is refused, not merged), then goes
// back to its page; refused, the page shows again with what was typed.
func (h *Handler) saveIndicator(w http.ResponseWriter, r *http.Request, stored, want *domain.Indicator, invalid error, done string, keep func(*indicatorPageData)) {
	want.Version = formID(r, "version")
	err := invalid
	if err == nil {
		err = h.store.Indicators.Update(r.Context(), actor(r), want)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/indicators/%d?done=%s", stored.ID, done), http.StatusSeeOther)
		return
	}
	refused, ok := h.refusedForm(w, r, err)
	if !ok {
		return
	}
	d, lerr := h.indicatorPage(r, stored)
	if lerr != nil {
		h.fail(w, r, lerr)
		return
	}
	keep(d)
	// The store names a value's fields by its place in the list
	// (values[2].observed_on); the form that was sent shows them as its own.
	for f, msg := range refused.Fields {
		if _, rest, ok := strings.Cut(f, "]."); ok && strings.HasPrefix(f, "values[") {
			delete(refused.Fields, f)
			refused.Fields[rest] = msg
		}
	}
	h.renderIndicator(w, r, refused.Status, d, refused)
}

// indicatorNewForm answers GET /indicators/new: the form for a new
// indicator in a mechanism the user may add one to.
func (h *Handler) indicatorNewForm(w http.ResponseWriter, r *http.Request) {
	h.renderIndicatorNew(w, r, http.StatusOK, indicatorForm{Mechanism: queryID(r, "mechanism")}, formRefusal{})
}

func (h *Handler) renderIndicatorNew(w http.ResponseWriter, r *http.Request, status int, f indicatorForm, refused formRefusal) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "indicators"); err != nil {
		h.fail(w, r, err)
		return
	}
	d := &indicatorPageData{Form: f, Mechanisms: h.mechanismsFor(r, func(m int64) error {
		return h.store.Indicators.Allowed(r.Context(), actor(r), policy.Write, &domain.Indicator{MechanismID: m})
	})}
	d.CanWrite = len(d.Mechanisms) > 0
	if !d.CanWrite && refused.Error == "" {
		// Nothing here would work for this user: say so on the page.
		refused = formRefusal{http.StatusForbidden, t.T("upkeep.may_not_add"), nil}
		status = http.StatusForbidden
	}
	v := h.newView(r, t.T("indicator.new"), "indicators")
	refused.apply(v)
	v.Data = d
	h.render(w, r, status, "indicator_new", v)
}

// indicatorCreate answers POST /indicators/new, then goes to the new
// indicator's page, where its values are added.
func (h *Handler) indicatorCreate(w http.ResponseWriter, r *http.Request) {
	if err := policy.Check(currentUser(r), policy.Read, "indicators"); err != nil {
		h.fail(w, r, err)
		return
	}
	var p domain.Problems
	in := &domain.Indicator{Record: domain.Record{Source: "web"}}
	f := readIndicatorForm(r, in, &p)
	in.MechanismID, in.Name, in.NameEN, in.Unit, in.Scope = f.Mechanism, f.Name, f.NameEN, f.Unit, f.Scope
	in.Values = []domain.IndicatorValue{}
	err := p.Err()
	if err == nil {
		err = h.store.Indicators.Create(r.Context(), actor(r), in)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/indicators/%d?done=created", in.ID), http.StatusSeeOther)
		return
	}
	refused, ok := h.refusedForm(w, r, err)
	if !ok {
		return
	}
	h.renderIndicatorNew(w, r, refused.Status, f, refused)
}

// latestValue is the value observed last, nil when there is none.
func latestValue(in *domain.Indicator) *domain.IndicatorValue {
	return valueAsOf(in, domain.NewDate(domain.MaxYear, 12, 31))
}
