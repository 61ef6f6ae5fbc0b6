package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestReportHoldsOnThePage: the page offers last period's text to start
// from; once a report is submitted, "save draft" from a form opened before
// changes nothing and says why (the bug of issue 13); the page offers a
// correction with a reason instead, lists it, and lets the secretariat
// return the report with a reason, which the unit's page shows — in
// Chinese and in English.
func TestReportHoldsOnThePage(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	wenjiang := st.orgID(t, "温江区人民政府")
	page, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"unit": fmt.Sprint(wenjiang), "status": "advancing"}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("温江's items: %v", err)
	}
	it := page.Items[0]
	id := fmt.Sprint(it.ID)
	old := &domain.Report{ItemID: it.ID, OrganizationID: wenjiang, Period: "2001-01", Progress: "上期已完成选址", NextSteps: "上期计划开工", Status: domain.Submitted}
	if err := st.Store.Reports.Create(ctx, domain.Actor{}, old); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	unitPage := fmt.Sprintf("/report?unit=%d", wenjiang)
	stored := func(t *testing.T) *domain.Report {
		t.Helper()
		reps, err := st.Store.Reports.List(ctx, domain.ListQuery{Filters: map[string]string{"unit": fmt.Sprint(wenjiang), "item": id}, Sort: "period", Desc: true})
		if err != nil || len(reps.Items) < 2 {
			t.Fatalf("the current report is not stored: %v", err)
		}
		return reps.Items[0]
	}

	_, body := c.get(unitPage + "&last=" + id)
	if !strings.Contains(body, `id="last-`+id+`"`) || !strings.Contains(body, ">上期已完成选址</textarea>") || !strings.Contains(body, ">上期计划开工</textarea>") {
		t.Fatalf("the form does not start from last period's text")
	}
	opened := body // a form opened before the report is submitted
	form := url.Values{"csrf": {c.csrf(body)}, "unit": {fmt.Sprint(wenjiang)}, "action": {"submit"},
		"text-" + id: {"完成选址"}, "next-" + id: {"启动施工"}, "highlight-" + id: {"首个共建园区"}, "invest-" + id: {"1200.5"}, "percent-" + id: {"20"}}
	if res, _ := c.post("/report", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	rep := stored(t)
	if rep.Status != domain.Submitted || rep.Progress != "完成选址" || rep.NextSteps != "启动施工" || rep.Highlight != "首个共建园区" || rep.InvestmentDone != 1200.5 {
		t.Fatalf("submitted %+v", rep)
	}

	t.Run("SaveDraftAfterSubmitChangesNothing", func(t *testing.T) {
		stale := url.Values{"csrf": {c.csrf(opened)}, "unit": {fmt.Sprint(wenjiang)}, "action": {"draft"}, "text-" + id: {"改写后的草稿"}}
		res, body := c.post("/report", stale)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("save draft over a submitted report = %d, want 409", res.StatusCode)
		}
		if !strings.Contains(body, "已锁定") || !strings.Contains(body, "更正") || strings.Contains(body, "草稿已保存") {
			t.Errorf("the page does not say the report is locked and offer a correction")
		}
		if got := stored(t); got.Progress != "完成选址" || got.Status != domain.Submitted || got.Version != rep.Version {
			t.Fatalf("the refused draft changed the report: %q %s v%d", got.Progress, got.Status, got.Version)
		}
	})
	t.Run("LockedReportOffersCorrection", func(t *testing.T) {
		_, body := c.get(unitPage)
		if strings.Contains(body, `name="text-`+id+`"`) {
			t.Error("the submitted report is still offered for editing")
		}
		if !strings.Contains(body, `id="correct-`+id+`"`) || !strings.Contains(body, `id="return-`+id+`"`) {
			t.Fatal("the page offers no correction, or the secretariat no review")
		}
		action := fmt.Sprintf("/reports/%d/correct", rep.ID)
		corr := url.Values{"csrf": {c.csrf(body)}, "version": {fmt.Sprint(rep.Version)}, "text-c" + id: {"完成选址并签约"}, "reason": {" "}}
		res, page := c.post(action, corr)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "原因") || !strings.Contains(page, "完成选址并签约") {
			t.Fatalf("a correction without reason = %d; want 422 naming the reason and keeping the text", res.StatusCode)
		}
		corr.Set("reason", "补充签约情况")
		if res, _ := c.post(action, corr); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d", res.StatusCode)
		}
		got := stored(t)
		if got.Progress != "完成选址并签约" || len(got.Corrections) != 1 {
			t.Fatalf("corrected %+v", got)
		}
		_, body = c.get(unitPage + "&done=corrected")
		if !regexp.MustCompile(`id="corrections-` + id + `"[^>]*>\s*<li>第\d+版 · [^<]+ · 原因：补充签约情况</li>`).MatchString(body) {
			t.Error("the page does not list the correction with its reason and time")
		}
		rep = got
	})
	t.Run("SecretariatReturns", func(t *testing.T) {
		_, body := c.get(unitPage)
		action := fmt.Sprintf("/reports/%d/review", rep.ID)
		res, page := c.post(action, url.Values{"csrf": {c.csrf(body)}, "version": {fmt.Sprint(rep.Version)}, "action": {"return"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "原因") {
			t.Fatalf("a return without reason = %d, want 422 naming the reason", res.StatusCode)
		}
		if res, _ := c.post(action, url.Values{"csrf": {c.csrf(body)}, "version": {fmt.Sprint(rep.Version)}, "action": {"return"}, "reason": {"缺少投资完成数据"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("return: %d", res.StatusCode)
		}
		if got := stored(t); got.Status != domain.Returned {
			t.Fatalf("status %s, want returned", got.Status)
		}
		_, body = c.get(unitPage)
		if !strings.Contains(body, `id="returned-`+id+`"`) || !strings.Contains(body, "缺少投资完成数据") || !strings.Contains(body, "已退回") {
			t.Error("the unit's page does not show the return and its reason")
		}
	})
	t.Run("AttachmentsServedToReaders", func(t *testing.T) {
		_, body := c.get(unitPage)
		pdf := "%PDF-1.4\n现场照片说明"
		res, _ := c.attach(fmt.Sprintf("/reports/%d/attachments", rep.ID), c.csrf(body), "说明.pdf", []byte(pdf))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", res.StatusCode)
		}
		res, page := c.attach(fmt.Sprintf("/reports/%d/attachments", rep.ID), c.csrf(body), "x.png", []byte("<html>not an image</html>"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "PDF") {
			t.Fatalf("a file that is not an image or PDF = %d, want 422 saying what is accepted", res.StatusCode)
		}
		_, body = c.get(unitPage)
		link := regexp.MustCompile(`href="(/reports/\d+/attachments/\d+)" download>说明.pdf<`).FindStringSubmatch(body)
		if link == nil {
			t.Fatal("the page does not link the attachment")
		}
		res, file := c.get(link[1])
		if res.StatusCode != http.StatusOK || file != pdf || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download = %d %v", res.StatusCode, res.Header)
		}
	})
	t.Run("InEnglish", func(t *testing.T) {
		_, body := c.get(unitPage)
		c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {"en"}, "back": {unitPage}})
		_, body = c.get(unitPage)
		for _, want := range []string{"The secretariat returned this report: 缺少投资完成数据", "Corrections", "reason: 补充签约情况", "Reason for the correction"} {
			if !strings.Contains(body, want) {
				t.Errorf("the English page lacks %q", want)
			}
		}
		stale := url.Values{"csrf": {c.csrf(body)}, "unit": {fmt.Sprint(wenjiang)}, "action": {"draft"}, "text-" + id: {"rewrite"}}
		res, page := c.post("/report", stale)
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "is locked") || !strings.Contains(page, "correction") {
			t.Errorf("English save-draft over a locked report = %d without the reason", res.StatusCode)
		}
	})
}

// attach posts a file in the multipart form a report page sends.
func (c *client) attach(path, csrf, name string, data []byte) (*http.Response, string) {
	c.t.Helper()
	return c.postFile(path, map[string]string{"csrf": csrf}, name, data)
}
