package web

import (
	"fmt"
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type indicatorChart struct {
	Indicator *domain.Indicator
	ChartID   string
	Chart     any
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
		c := indicatorChart{Indicator: in, ChartID: fmt.Sprintf("indicator-%d", in.ID)}
		if len(in.Values) > 0 {
			points := make([][2]any, len(in.Values))
			for i, v := range in.Values {
				points[i] = [2]any{v.ObservedOn.String(), v.Value}
			}
			series := []map[string]any{{"type": "line", "name": t.Name(in.Name, in.NameEN), "data": points, "symbolSize": 8}}
			if in.Target != nil {
				series[0]["markLine"] = map[string]any{"symbol": "none", "data": []map[string]any{{"yAxis": *in.Target, "name": t.T("indicator.target")}},
					"label": map[string]any{"formatter": t.T("indicator.target") + " {c}"}}
			}
			c.Chart = map[string]any{
				"aria": map[string]any{"enabled": true}, "animation": false, "color": []string{"#0b57d0"},
				"tooltip": map[string]any{"trigger": "axis"},
				"grid":    map[string]any{"left": 60, "right": 30, "top": 30, "bottom": 40},
				"xAxis":   map[string]any{"type": "time"},
				"yAxis":   map[string]any{"type": "value", "name": in.Unit},
				"series":  series,
			}
		}
		out = append(out, c)
	}
	v := h.newView(r, t.T("indicators.title"), "indicators")
	v.Charts = true
	v.Data = out
	h.render(w, r, http.StatusOK, "indicators", v)
}
