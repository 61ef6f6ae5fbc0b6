package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// workingGroup returns the mechanism that holds the demo's items, and the
// first batch.
func (st *site) workingGroup(t *testing.T) (*domain.Mechanism, *domain.Batch) {
	t.Helper()
	page, err := st.Store.Batches.List(context.Background(), domain.ListQuery{Filters: map[string]string{"q": "第一批合作项目"}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("first batch: %v", err)
	}
	b := page.Items[0]
	m, err := st.Store.Mechanisms.Get(context.Background(), b.MechanismID)
	if err != nil {
		t.Fatal(err)
	}
	return m, b
}

func (st *site) orgID(t *testing.T, name string) int64 {
	t.Helper()
	page, err := st.Store.Organizations.List(context.Background(), domain.ListQuery{Filters: map[string]string{"q": name}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range page.Items {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("no organization %s", name)
	return 0
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	res, _ := c.get("/signin")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func TestSignInRequired(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	res, _ := c.get("/items")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
		t.Fatalf("GET /items signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSignInSetsSafeCookie(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	res := c.signIn(st.User.Email, testPassword)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v is not HttpOnly and SameSite=Lax", ck)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
	// Signing out ends the session on the server, not only in the browser.
	_, body := c.get("/")
	res, _ = c.post("/signout", url.Values{"csrf": {c.csrf(body)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res, _ := c.get("/items"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out GET /items = %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestWrongPasswordThrottled(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	for i := range 5 {
		if res := c.signIn(st.User.Email, "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i, res.StatusCode)
		}
	}
	// The sixth attempt is refused even with the right password.
	if res := c.signIn(st.User.Email, testPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: %d, want 429", res.StatusCode)
	}
}

func TestPostWithoutCSRFRefused(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	res, _ := c.post("/language", url.Values{"locale": {"en"}, "back": {"/"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token: %d, want 403", res.StatusCode)
	}
	res, _ = c.post("/language", url.Values{"locale": {"en"}, "csrf": {"forged"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a wrong token: %d, want 403", res.StatusCode)
	}
}

// TestEveryPageRenders visits each page signed in, in both languages.
func TestEveryPageRenders(t *testing.T) {
	st := mustStartSite(t)
	m, b := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	ctx := context.Background()
	items, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(b.ID)}})
	meetings, _ := st.Store.Meetings.List(ctx, domain.ListQuery{})
	catalogs, _ := st.Store.Catalogs.List(ctx, domain.ListQuery{})
	paths := []string{"/", fmt.Sprintf("/mechanisms/%d", m.ID), "/items", fmt.Sprintf("/items?batch=%d", b.ID),
		fmt.Sprintf("/items/%d", items.Items[0].ID), fmt.Sprintf("/items/new?mechanism=%d&batch=%d", m.ID, b.ID), "/items/new",
		"/report", fmt.Sprintf("/report?unit=%d", st.orgID(t, "温江区人民政府")), "/problems", fmt.Sprintf("/problems/new?mechanism=%d", m.ID),
		"/inbox", "/meetings", fmt.Sprintf("/meetings/%d", meetings.Items[0].ID), "/tasks", "/tasks?year=2024", "/agreements", "/catalogs",
		fmt.Sprintf("/catalogs/%d", catalogs.Items[0].ID), "/indicators", "/admin/users", "/admin/jurisdictions", "/admin/mechanisms", "/admin/federation"}
	for _, loc := range []string{"zh-CN", "en"} {
		_, body := c.get("/")
		c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {loc}, "back": {"/"}})
		for _, p := range paths {
			res, body := c.get(p)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s GET %s = %d", loc, p, res.StatusCode)
				continue
			}
			if strings.Contains(body, "⟦") {
				t.Errorf("%s GET %s shows a missing catalogue key", loc, p)
			}
			if !strings.Contains(body, `<html lang="`+loc+`">`) {
				t.Errorf("%s GET %s is not in %s", loc, p, loc)
			}
		}
	}
	for _, p := range []string{"/items/999999", "/nowhere", "/mechanisms/x"} {
		if res, _ := c.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
}

func TestExports(t *testing.T) {
	st := mustStartSite(t)
	_, b := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	res, body := c.get(fmt.Sprintf("/items/export.csv?batch=%d", b.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "成渝中线高铁") {
		t.Fatalf("CSV: %d %q", res.StatusCode, body[:min(len(body), 200)])
	}
	res, body = c.get(fmt.Sprintf("/items/export.xlsx?batch=%d", b.ID))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") {
		t.Fatalf("XLSX: %d", res.StatusCode)
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "成渝": "成渝", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalPathStaysOnSite(t *testing.T) {
	for in, want := range map[string]string{
		"/items?x=1":             "/items?x=1",
		"/items/3#history":       "/items/3#history",
		"/items?q=%E9%93%81":     "/items?q=%E9%93%81",
		"":                       "/",
		"items":                  "/",
		"//evil.example/":        "/",
		"///evil.example/":       "/",
		"https://evil.example":   "/",
		"javascript:alert(1)":    "/",
		"/\\evil":                "/",
		"\\/evil.example":        "/",
		"/\t/evil.example/":      "/", // a browser drops the TAB and reads //evil.example/
		"/\n/evil.example/":      "/",
		"/\r//evil.example/":     "/",
		"\t//evil.example/":      "/",
		"/\x00/evil":             "/",
		"/\x7f/evil":             "/",
		"/%09/evil.example/":     "/", // the same, should a layer decode once more
		"/%2F/evil.example/":     "/",
		"/%2f%2fevil.example/":   "/",
		"/%5Cevil.example/":      "/",
		"/%252F/evil.example/":   "/",
		"/ /evil.example/":       "/",
		"/items//x":              "/",
		"/a/../..//evil.example": "/",
		"/%zz":                   "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRedirectsStayOnSite follows the two forms that redirect to a path
// the visitor chose, with the TAB trick of the issue.
func TestRedirectsStayOnSite(t *testing.T) {
	st := mustStartSite(t)
	for _, evil := range []string{"/\t/evil.example/", "//evil.example/", "/%2F/evil.example/", "/\\evil.example/"} {
		c := st.client(t)
		_, body := c.get("/signin?next=" + url.QueryEscape(evil))
		res, _ := c.post("/signin", url.Values{"csrf": {c.csrf(body)}, "email": {st.User.Email}, "password": {testPassword}, "next": {evil}})
		if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != "/" {
			t.Errorf("sign in with next=%q: %d to %q, want 303 to /", evil, res.StatusCode, got)
		}
		res, _ = c.get("/signin?next=" + url.QueryEscape(evil))
		if got := res.Header.Get("Location"); got != "/" {
			t.Errorf("signed in, GET /signin?next=%q: to %q, want /", evil, got)
		}
		_, body = c.get("/")
		res, _ = c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {"en"}, "back": {evil}})
		if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != "/" {
			t.Errorf("language with back=%q: %d to %q, want 303 to /", evil, res.StatusCode, got)
		}
	}
}

// TestXSSTitleEscaped checks the HTML itself, without a browser.
func TestXSSTitleEscaped(t *testing.T) {
	st := mustStartSite(t)
	m, batch := st.workingGroup(t)
	it := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: xssTitle, Status: domain.Advancing}
	if err := st.Store.Items.Create(context.Background(), domain.ActorFor(st.User), it); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	for _, p := range []string{fmt.Sprintf("/items/%d", it.ID), fmt.Sprintf("/items?batch=%d", batch.ID)} {
		_, body := c.get(p)
		if strings.Contains(body, "<script>window.__xss") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: the payload is in the HTML unescaped", p)
		}
		if !strings.Contains(body, "&lt;script&gt;window.__xss=1") {
			t.Errorf("%s: the escaped title is missing", p)
		}
	}
}

// TestLiaisonReportsForOwnUnit: a liaison's report form opens on their own
// unit, and another unit's form is refused with a 403 page, not a 500.
func TestLiaisonReportsForOwnUnit(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	wenjiang := st.orgID(t, "温江区人民政府")
	u := &domain.User{Email: "liaison@wenjiang.gov.cn", Name: "温江联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	if res := c.signIn(u.Email, testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	res, body := c.get("/report")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<h2>温江区人民政府</h2>`) {
		t.Fatalf("GET /report = %d; the form does not open on the liaison's unit", res.StatusCode)
	}
	if res, _ := c.get(fmt.Sprintf("/report?unit=%d", st.orgID(t, "巴南区人民政府"))); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another unit's form = %d, want 403", res.StatusCode)
	}
}

// TestReportValidationKeepsInput: a refused submission shows the form
// again with what was typed and the reason.
func TestReportValidationKeepsInput(t *testing.T) {
	st := mustStartSite(t)
	wenjiang := st.orgID(t, "温江区人民政府")
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, body := c.get(fmt.Sprintf("/report?unit=%d", wenjiang))
	page, err := st.Store.Items.List(context.Background(), domain.ListQuery{Filters: map[string]string{"unit": fmt.Sprint(wenjiang)}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("温江's items: %v", err)
	}
	id := page.Items[0].ID
	res, body := c.post("/report", url.Values{"csrf": {c.csrf(body)}, "unit": {fmt.Sprint(wenjiang)}, "action": {"submit"},
		fmt.Sprintf("text-%d", id): {"已完成签约"}, fmt.Sprintf("percent-%d", id): {"150"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST /report with 150%% = %d, want 422", res.StatusCode)
	}
	if !strings.Contains(body, "已完成签约") || !strings.Contains(body, "完成进度须为0到100之间的整数") {
		t.Errorf("the form lost the input or the message")
	}
	reports, _ := st.Store.Reports.List(context.Background(), domain.ListQuery{Filters: map[string]string{"unit": fmt.Sprint(wenjiang)}})
	if len(reports.Items) != 0 {
		t.Errorf("a refused submission stored %d reports", len(reports.Items))
	}
}

// TestBulkEdit sets the light of two items at once, and refuses the whole
// change when one of them is stale.
func TestBulkEdit(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	c, list, body, items := st.batchList(t)
	a, b := items[0], items[1]
	sel := func(it *domain.Item, v int64) string { return fmt.Sprintf("%d:%d", it.ID, v) }
	res, _ := c.post("/items/bulk", url.Values{"csrf": {c.csrf(body)}, "back": {list}, "item": {sel(a, a.Version), sel(b, b.Version)},
		"light": {"yellow"}, "light_reason": {"进度滞后"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "bulk=done") {
		t.Fatalf("bulk edit: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	for _, it := range []*domain.Item{a, b} {
		got, _ := st.Store.Items.Get(ctx, it.ID)
		if got.Light != domain.Yellow || got.LightReason != "进度滞后" {
			t.Errorf("item %d: light %q (%q)", it.ID, got.Light, got.LightReason)
		}
	}
	// a is now at version+1; a change based on the old version is refused
	// and b is left alone too.
	res, _ = c.post("/items/bulk", url.Values{"csrf": {c.csrf(body)}, "back": {list}, "item": {sel(b, b.Version+1), sel(a, a.Version)}, "status": {"paused"}})
	if !strings.Contains(res.Header.Get("Location"), "bulk=conflict") {
		t.Fatalf("stale bulk edit: %s", res.Header.Get("Location"))
	}
	if got, _ := st.Store.Items.Get(ctx, b.ID); got.Status == domain.Paused {
		t.Error("a refused bulk edit changed an item")
	}
}

// TestDecisionCreatesTask: a task made from a meeting decision links back
// to it and shows under the decision.
func TestDecisionCreatesTask(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	meetings, err := listAll(ctx, nil, st.Store.Meetings, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mt *domain.Meeting
	for _, m := range meetings {
		if len(m.Decisions) > 0 {
			mt = m
		}
	}
	if mt == nil {
		t.Skip("the demo has no meeting with decisions")
	}
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	path := fmt.Sprintf("/meetings/%d", mt.ID)
	_, body := c.get(path)
	dec := mt.Decisions[0].ID
	form := url.Values{"csrf": {c.csrf(body)}, "decision": {fmt.Sprint(dec)}, "year": {"20x5"}, "content": {"编制联合实验室建设方案"},
		"lead": {fmt.Sprint(st.orgID(t, "温江区人民政府"))}}
	res, body := c.post(path+"/tasks", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "编制联合实验室建设方案") {
		t.Fatalf("a bad year: %d, or the input was lost", res.StatusCode)
	}
	form.Set("year", "2025")
	if res, _ := c.post(path+"/tasks", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create task: %d", res.StatusCode)
	}
	tasks, _ := listAll(ctx, nil, st.Store.Tasks, map[string]string{"decision": fmt.Sprint(dec)})
	if len(tasks) != 1 || tasks[0].Content != "编制联合实验室建设方案" {
		t.Fatalf("tasks of the decision: %+v", tasks)
	}
	if _, body := c.get(path); !strings.Contains(body, "编制联合实验室建设方案") {
		t.Error("the meeting page does not show the task under its decision")
	}
}

// TestAdminAddsUser: an administrator adds a liaison, who can then sign in;
// a refused form keeps what was typed.
func TestAdminAddsUser(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, body := c.get("/admin/users")
	form := url.Values{"csrf": {c.csrf(body)}, "email": {"not-an-address"}, "name": {"巴南联络员"}, "password": {"a long first password"},
		"locale": {"zh-CN"}, "role": {"liaison"}, "scope_kind": {"organization"}, "unit": {fmt.Sprint(st.orgID(t, "巴南区人民政府"))}}
	res, body := c.post("/admin/users", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "巴南联络员") {
		t.Fatalf("bad e-mail: %d, or the input was lost", res.StatusCode)
	}
	form.Set("email", "liaison@banan.gov.cn")
	if res, _ := c.post("/admin/users", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add user: %d", res.StatusCode)
	}
	other := st.client(t)
	if res := other.signIn("liaison@banan.gov.cn", "a long first password"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new user cannot sign in: %d", res.StatusCode)
	}
	if res, _ := other.get("/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a liaison sees the user administration: %d", res.StatusCode)
	}
}

// TestSavedViews: a user saves the list's filters under a name, finds the
// view on the list, and deletes it; an empty name is refused with the
// list shown again.
func TestSavedViews(t *testing.T) {
	st := mustStartSite(t)
	_, batch := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	query := fmt.Sprintf("batch=%d&status=advancing", batch.ID)
	_, body := c.get("/items?" + query)
	res, body := c.post("/items/views", url.Values{"csrf": {c.csrf(body)}, "query": {query}, "name": {" "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "成渝中线高铁") {
		t.Fatalf("empty name: %d, or the list is not shown again", res.StatusCode)
	}
	res, _ = c.post("/items/views", url.Values{"csrf": {c.csrf(body)}, "query": {query + "&evil=1"}, "name": {"第一批推进中"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save view: %d", res.StatusCode)
	}
	views, _ := st.Store.SavedViews(context.Background(), st.User.ID)
	if len(views) != 1 || views[0].Query != "batch="+fmt.Sprint(batch.ID)+"&status=advancing" {
		t.Fatalf("saved views %+v", views)
	}
	_, body = c.get("/items")
	if !strings.Contains(body, "第一批推进中") {
		t.Fatal("the list does not offer the saved view")
	}
	res, _ = c.post(fmt.Sprintf("/items/views/%d/delete", views[0].ID), url.Values{"csrf": {c.csrf(body)}, "back": {"/items"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete view: %d", res.StatusCode)
	}
	if views, _ := st.Store.SavedViews(context.Background(), st.User.ID); len(views) != 0 {
		t.Errorf("after delete: %+v", views)
	}
}

var reportsSubmitted = regexp.MustCompile(`<span id="reports-submitted">(\d+)</span>`)

// TestReportFlowOverHTTP is the done-when flow without a browser, on
// SQLite and on PostgreSQL: create an item with a lead unit per side,
// save a draft, submit it, and see the dashboard count it.
func TestReportFlowOverHTTP(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		m, batch := st.workingGroup(t)
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		dash := fmt.Sprintf("/mechanisms/%d", m.ID)
		_, body := c.get(dash)
		before := reportsSubmitted.FindStringSubmatch(body)
		_, body = c.get(fmt.Sprintf("/items/new?mechanism=%d&batch=%d", m.ID, batch.ID))
		res, _ := c.post("/items/new", url.Values{"csrf": {c.csrf(body)}, "mechanism": {fmt.Sprint(m.ID)}, "batch": {fmt.Sprint(batch.ID)},
			"title": {"联合攻关"}, "status": {"advancing"}, "lead-chengdu": {fmt.Sprint(wenjiang)}, "lead-chongqing": {fmt.Sprint(banan)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create item: %d", res.StatusCode)
		}
		id := strings.TrimPrefix(res.Header.Get("Location"), "/items/")
		for _, action := range []string{"draft", "submit"} {
			_, body = c.get(fmt.Sprintf("/report?unit=%d", wenjiang))
			form := url.Values{"csrf": {c.csrf(body)}, "unit": {fmt.Sprint(wenjiang)}, "action": {action},
				"text-" + id: {"完成选址"}, "percent-" + id: {"20"}}
			if m := regexp.MustCompile(`name="version-` + id + `" value="(\d+)"`).FindStringSubmatch(body); m != nil {
				form.Set("version-"+id, m[1])
			}
			if res, _ := c.post("/report", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", action, res.StatusCode)
			}
		}
		_, body = c.get(dash)
		after := reportsSubmitted.FindStringSubmatch(body)
		if before == nil || after == nil {
			t.Fatal("no report count on the dashboard")
		}
		b, _ := strconv.Atoi(before[1])
		a, _ := strconv.Atoi(after[1])
		if a != b+1 {
			t.Errorf("submitted reports %d → %d, want one more", b, a)
		}
	})
}

// TestExpiredSession: after the session has run out, a page asks to sign
// in again, and so does a form sent from a page opened before.
func TestExpiredSession(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, body := c.get("/items")
	if _, err := st.Store.DB().Exec("UPDATE web_sessions SET expires_at = created_at"); err != nil {
		t.Fatal(err)
	}
	res, _ := c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {"en"}, "back": {"/"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a form after expiry: %d, want 401", res.StatusCode)
	}
	if res, _ := c.get("/items"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a page after expiry: %d, want a redirect to sign in", res.StatusCode)
	}
}

var exportLink = regexp.MustCompile(`href="(/items/export\.csv\?[^"]*)"`)

// TestExportsKeepTheFilters: the export link of a filtered list exports
// that list — the first batch's six items, not all the group's — and a
// saved view's link keeps its filters too.
func TestExportsKeepTheFilters(t *testing.T) {
	st := mustStartSite(t)
	_, batch := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, body := c.get(fmt.Sprintf("/items?batch=%d", batch.ID))
	m := exportLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the list has no CSV export link")
	}
	link := html.UnescapeString(m[1])
	if link != fmt.Sprintf("/items/export.csv?batch=%d", batch.ID) {
		t.Errorf("export link %q does not carry the filter", link)
	}
	res, csv := c.get(link)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", res.StatusCode)
	}
	all, err := store.All(context.Background(), st.Store.Items, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(strings.TrimSpace(csv), "\n") // less the header
	if rows != 6 || rows >= len(all) {
		t.Errorf("the first batch's export has %d rows; the batch has 6 items, the group %d", rows, len(all))
	}

	res, _ = c.post("/items/views", url.Values{"csrf": {c.csrf(body)}, "query": {fmt.Sprintf("batch=%d&status=advancing", batch.ID)}, "name": {"第一批"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save view: %d", res.StatusCode)
	}
	_, body = c.get("/items")
	if want := fmt.Sprintf(`href="/items?batch=%d&amp;status=advancing"`, batch.ID); !strings.Contains(body, want) {
		t.Errorf("the saved view's link is not %s", want)
	}
}

// TestHomeSaysDeclaredCountOnlyWhenStated: a batch whose declared count is
// stated shows it beside what is recorded; one with none stated (a batch
// made before the count was known) shows only what is recorded, never
// "申报 0 项".
func TestHomeSaysDeclaredCountOnlyWhenStated(t *testing.T) {
	st := mustStartSite(t)
	mech, first := st.workingGroup(t)
	unstated := &domain.Batch{MechanismID: mech.ID, Name: "第九批合作项目"}
	if err := st.Store.Batches.Create(context.Background(), domain.Actor{}, unstated); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, home := c.get("/")
	if !strings.Contains(home, fmt.Sprintf("申报 %d 项", first.DeclaredCount)) {
		t.Errorf("the first batch's declared count %d is not shown", first.DeclaredCount)
	}
	if strings.Contains(home, "申报 0 项") {
		t.Error("a batch with no declared count says 申报 0 项")
	}
	at := strings.Index(home, "第九批合作项目")
	if at < 0 || !strings.Contains(home[at:], "已录入 0 项") {
		t.Error("the batch with no declared count does not say what is recorded")
	}
}

// TestHomeCountsFollowTheItems: the pages keep the batches until one is
// written, but the home page's recorded counts follow the items: an item
// added to a batch after the batches were kept is counted at once.
func TestHomeCountsFollowTheItems(t *testing.T) {
	st := mustStartSite(t)
	mech, _ := st.workingGroup(t)
	batch := &domain.Batch{MechanismID: mech.ID, Name: "第九批合作项目"}
	if err := st.Store.Batches.Create(context.Background(), domain.Actor{}, batch); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	recorded := func(home string) string {
		at := strings.Index(home, "第九批合作项目")
		if at < 0 {
			t.Fatal("the home page does not list the new batch")
		}
		end := strings.Index(home[at:], "</li>")
		return home[at : at+end]
	}
	if _, home := c.get("/"); !strings.Contains(recorded(home), "已录入 0 项") {
		t.Fatalf("the new batch: %s", recorded(home))
	}
	it := &domain.Item{MechanismID: mech.ID, BatchID: batch.ID, Title: "新录入的项目", Status: domain.NotStarted}
	if err := st.Store.Items.Create(context.Background(), domain.Actor{}, it); err != nil {
		t.Fatal(err)
	}
	if _, home := c.get("/"); !strings.Contains(recorded(home), "已录入 1 项") {
		t.Errorf("after an item was added: %s, want 已录入 1 项", recorded(home))
	}
}
