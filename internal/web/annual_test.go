package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestAnnualReportFromTheBatchList: the secretariat compiles the first
// batch's annual completion report from the batch's item list, as a page
// and as a Word download; a year left out is refused naming the field; a
// liaison, who does not oversee the working group, is offered no form.
func TestAnnualReportFromTheBatchList(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		mech, batch := st.workingGroup(t)
		sec := st.importUser(t, "annual-sec@example.gov.cn", []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}})
		liaison := st.importUser(t, "annual-wj@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: st.orgID(t, "温江区人民政府")}})
		list := fmt.Sprintf("/items?batch=%d", batch.ID)
		_, page := sec.get(list)
		action := fmt.Sprintf(`action="/batches/%d/annual-report"`, batch.ID)
		if !strings.Contains(page, action) || !strings.Contains(page, `id="annual-year"`) {
			t.Fatal("the batch's list offers the secretariat no annual report")
		}
		report := fmt.Sprintf("/batches/%d/annual-report", batch.ID)
		res, body := sec.get(report + "?year=2024&format=html")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "第一批合作项目2024年度完成情况报告") || !strings.Contains(body, "一、") {
			t.Fatalf("the report as a page: %d", res.StatusCode)
		}
		res, body = sec.get(report + "?year=2024&format=docx")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || !strings.HasPrefix(body, "PK") {
			t.Errorf("the report as Word: %d, %q", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		if res, body := sec.get(report); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "year") {
			t.Errorf("no year: %d, want 422 naming the year", res.StatusCode)
		}
		if res, _ := sec.get(report + "?year=2024&format=odt"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("an unknown format: %d, want 422", res.StatusCode)
		}
		if _, page := liaison.get(list); strings.Contains(page, action) {
			t.Error("a liaison is offered the annual report")
		}
		if res, _ := liaison.get(report + "?year=2024"); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("a liaison compiling it: %d, want 403 or 404", res.StatusCode)
		}
	})
}

// TestIndicatorsPageShowsOneValueAsAFigure: on /indicators an indicator
// with one value shows that value as a figure, one with several a chart
// with its target; none is a line of one point.
func TestIndicatorsPageShowsOneValueAsAFigure(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, page := c.get("/indicators")
	all, err := st.Store.Indicators.List(context.Background(), domain.ListQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var single, series int
	for _, in := range all.Items {
		chart := strings.Contains(page, fmt.Sprintf(`data-chart="indicator-%d-data"`, in.ID))
		figure := strings.Contains(page, fmt.Sprintf(`id="indicator-figure-%d"`, in.ID))
		switch n := len(in.Values); {
		case n == 1:
			single++
			if chart || !figure {
				t.Errorf("%s has one value: chart %v, figure %v; want the figure only", in.Name, chart, figure)
			}
		case n > 1:
			series++
			if !chart || figure {
				t.Errorf("%s has %d values: chart %v, figure %v; want the chart only", in.Name, n, chart, figure)
			}
		}
	}
	if single == 0 || series == 0 {
		t.Fatalf("the demo has %d single-value and %d multi-value indicators; the test needs both", single, series)
	}
}
