package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestPolicyMatrixInTheBrowserRoutes runs the roles against the web pages
// on the demo data, as the API's matrix does against the API: reading an
// item's page, finding it in the list, and changing it through bulk edit,
// for an item 温江区 takes part in and one it does not. A refused change
// must leave the stored item as it was.
func TestPolicyMatrixInTheBrowserRoutes(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	mech, _ := st.workingGroup(t)
	wenjiang := st.orgID(t, "温江区人民政府")
	item := func(title string) *domain.Item {
		page, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": title}})
		if err != nil || len(page.Items) == 0 {
			t.Fatalf("item %s: %v", title, err)
		}
		return page.Items[0]
	}
	items := map[string]*domain.Item{"own": item("成渝双城生物医药产业高地"), "other": item("八大产业联盟")}
	grants := matrixGrants(mech.ID, wenjiang)
	// allowed[role] = {read own, read other, change own, change other}
	allowed := map[string][4]bool{
		"admin":       {true, true, true, true},
		"secretariat": {true, true, true, true},
		"liaison":     {true, false, true, false},
		"leader":      {true, true, false, false},
		"viewer":      {true, true, false, false},
		"no role":     {false, false, false, false},
	}
	n := 0
	for role, want := range allowed {
		n++
		u := &domain.User{Email: fmt.Sprintf("matrix%d@example.gov.cn", n), Name: role, Locale: "zh-CN", Password: testPassword, Grants: grants[role]}
		if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		if res := c.signIn(u.Email, testPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: sign in %d", role, res.StatusCode)
		}
		for i, rel := range []string{"own", "other"} {
			it := items[rel]
			t.Run(role+"/"+rel, func(t *testing.T) {
				c.t = t
				res, _ := c.get(fmt.Sprintf("/items/%d", it.ID))
				if got := res.StatusCode == http.StatusOK; got != want[i] {
					t.Errorf("item page answered %d; allowed = %v", res.StatusCode, want[i])
				}
				if !want[i] && res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
					t.Errorf("refused item page answered %d, want 403 or 404", res.StatusCode)
				}
				_, list := c.get("/items?q=" + url.QueryEscape(it.Title))
				if listed := strings.Contains(html.UnescapeString(list), fmt.Sprintf("/items/%d\"", it.ID)); listed != want[i] {
					t.Errorf("listed = %v; allowed = %v", listed, want[i])
				}
				before, _ := st.Store.Items.Get(ctx, it.ID)
				_, page := c.get("/items")
				if !strings.Contains(page, `name="csrf"`) {
					t.Skip("no form on the list for this role")
				}
				// A status a liaison may set alone (lights are the
				// secretariat's), other than the one stored.
				status := domain.Paused
				if before.Status == domain.Paused {
					status = domain.Advancing
				}
				c.post("/items/bulk", url.Values{"csrf": {c.csrf(page)}, "item": {fmt.Sprintf("%d:%d", it.ID, before.Version)},
					"status": {string(status)}, "back": {"/items"}})
				after, _ := st.Store.Items.Get(ctx, it.ID)
				if changed := after.Version != before.Version; changed != want[2+i] {
					t.Errorf("bulk edit changed the item = %v; allowed = %v", changed, want[2+i])
				}
			})
		}
	}
}

// TestMeetingPackFromTheMeetingPage: the secretariat opens the pack of
// working-group meeting no. 2 from its page, as HTML under a policy that
// allows only its own style, and as Word; a liaison may not.
func TestMeetingPackFromTheMeetingPage(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	page, err := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "工作组第二次会议"}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("meeting no. 2: %v %v", page.Items, err)
	}
	m := page.Items[0]
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, show := c.get(fmt.Sprintf("/meetings/%d", m.ID))
	if !strings.Contains(show, fmt.Sprintf(`href="/meetings/%d/pack.html"`, m.ID)) {
		t.Fatal("the meeting page does not link to its pack")
	}
	// Who reported at the meeting, side by side, from its record.
	if n := strings.Count(show, "成都市发展和改革委员会 · 已汇报"); n != 1 {
		t.Errorf("the meeting page names 成都市发展和改革委员会 as having reported %d times", n)
	}
	if !strings.Contains(show, "出席和汇报单位") || strings.Count(show, "已汇报") != len(m.Attendees) || len(m.Attendees) < 16 {
		t.Errorf("the meeting page shows %d of %d reports", strings.Count(show, "已汇报"), len(m.Attendees))
	}
	res, body := c.get(fmt.Sprintf("/meetings/%d/pack.html", m.ID))
	if res.StatusCode != 200 || !strings.Contains(body, "第一次会议（2022年4月28日）以来工作进展情况") {
		t.Fatalf("pack.html = %d", res.StatusCode)
	}
	// The browser applies the page's style only if its hash is the one the
	// policy names.
	style := body[strings.Index(body, "<style>")+len("<style>") : strings.Index(body, "</style>")]
	sum := sha256.Sum256([]byte(style))
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Fatalf("pack CSP %q does not allow its style by hash", csp)
	}
	res, body = c.get(fmt.Sprintf("/meetings/%d/pack.docx", m.ID))
	if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("pack.docx = %d, not a zip", res.StatusCode)
	}
	wenjiang := st.orgID(t, "温江区人民政府")
	u := &domain.User{Email: "pack-liaison@example.gov.cn", Name: "联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	l := st.client(t)
	l.signIn(u.Email, testPassword)
	if res, _ := l.get(fmt.Sprintf("/meetings/%d/pack.html", m.ID)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a liaison's pack = %d, want 403", res.StatusCode)
	}
	// Nor does the meeting page offer the liaison the links that refuse it.
	if _, page := l.get(fmt.Sprintf("/meetings/%d", m.ID)); strings.Contains(page, "/pack.html") || strings.Contains(page, "/pack.docx") {
		t.Error("the meeting page offers a liaison the pack, which answers 403")
	}
}

// TestSessionRenewedAtSignIn: each sign-in issues a new session id and the
// old one stops working, so a session planted before sign-in is useless
// (no fixation); behind TLS the cookie is Secure.
func TestSessionRenewedAtSignIn(t *testing.T) {
	st := mustStartSite(t)
	c := st.client(t)
	cookie := func(res *http.Response) *http.Cookie {
		for _, ck := range res.Cookies() {
			if ck.Name == sessionCookie {
				return ck
			}
		}
		t.Fatal("no session cookie")
		return nil
	}
	u, _ := url.Parse(st.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "planted-by-an-attacker"}})
	first := cookie(c.signIn(st.User.Email, testPassword))
	if first.Value == "planted-by-an-attacker" {
		t.Fatal("a planted session id was kept at sign-in")
	}
	_, body := c.get("/")
	c.post("/signout", url.Values{"csrf": {c.csrf(body)}})
	second := cookie(c.signIn(st.User.Email, testPassword))
	if first.Value == second.Value {
		t.Fatal("signing in again reused the session id")
	}
	old := st.client(t)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: first.Value}})
	if res, _ := old.get("/items"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the replaced session still opens /items: %d", res.StatusCode)
	}

	c = st.client(t)
	_, body = c.get("/signin")
	req, _ := http.NewRequest("POST", st.URL+"/signin", strings.NewReader(url.Values{"csrf": {c.csrf(body)}, "email": {st.User.Email}, "password": {testPassword}, "next": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ck := cookie(res); !ck.Secure {
		t.Fatal("behind TLS the session cookie is not Secure")
	}
}

// TestSecretariatEditsTaxonomy: the working group's secretariat adds a
// track and a custom field; a bad line is shown again with its number and
// nothing is stored; a liaison may not open the editor.
func TestSecretariatEditsTaxonomy(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	mech, _ := st.workingGroup(t)
	u := &domain.User{Email: "sec@example.gov.cn", Name: "秘书处", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	c.signIn(u.Email, testPassword)
	path := fmt.Sprintf("/admin/mechanisms/%d", mech.ID)
	_, body := c.get(path)
	tracks := regexpTextarea(t, body, "tracks")
	bad := url.Values{"csrf": {c.csrf(body)}, "version": {fmt.Sprint(mech.Version)}, "tracks": {tracks + "Bad Key! | 坏 | Bad\n"},
		"modes": {regexpTextarea(t, body, "modes")}, "custom_fields": {"km | 里程 | Length | number |  | required\n"}}
	res, page := c.post(path, bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Bad Key!") || !strings.Contains(page, "tracks[") {
		t.Fatalf("a bad line: %d, the form does not show it again with its line", res.StatusCode)
	}
	if got, _ := st.Store.Mechanisms.Get(ctx, mech.ID); got.Version != mech.Version {
		t.Fatal("a refused form changed the mechanism")
	}
	good := bad
	good.Set("tracks", tracks+"data | 数据共享 | Data sharing | 五个互联互通\n")
	if res, _ := c.post(path, good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the taxonomy: %d", res.StatusCode)
	}
	got, _ := st.Store.Mechanisms.Get(ctx, mech.ID)
	if !domain.HasTerm(got.Tracks, "data") || len(got.CustomFields) != 1 || !got.CustomFields[0].Required {
		t.Fatalf("stored tracks %v, fields %v", got.Tracks, got.CustomFields)
	}
	wenjiang := st.orgID(t, "温江区人民政府")
	l := &domain.User{Email: "tax-liaison@example.gov.cn", Name: "联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
	st.Store.Users.Create(ctx, domain.Actor{}, l)
	lc := st.client(t)
	lc.signIn(l.Email, testPassword)
	if res, _ := lc.get(path); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("a liaison opens the taxonomy editor: %d", res.StatusCode)
	}
}

func regexpTextarea(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, `name="`+name+`"`)
	if i < 0 {
		t.Fatalf("no textarea %s", name)
	}
	start := strings.Index(body[i:], ">") + i + 1
	end := strings.Index(body[start:], "</textarea>") + start
	return html.UnescapeString(body[start:end])
}

// TestAdminAddsJurisdictionAndUnit: an administrator adds a district and a
// unit in it from the administration page; a bad code is shown again with
// the typed name; a secretariat may not change reference data.
func TestAdminAddsJurisdictionAndUnit(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	_, body := c.get("/admin/jurisdictions")
	cq := st.jurisdictionID(t, "重庆市")
	res, page := c.post("/admin/jurisdictions", url.Values{"csrf": {c.csrf(body)}, "parent": {fmt.Sprint(cq)}, "name": {"万州区"}, "kind": {"district"}, "code": {"12"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `value="万州区"`) {
		t.Fatalf("a bad code: %d, the form is not shown again with the typed name", res.StatusCode)
	}
	if res, _ := c.post("/admin/jurisdictions", url.Values{"csrf": {c.csrf(body)}, "parent": {fmt.Sprint(cq)}, "name": {"万州区"}, "kind": {"district"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding 万州区: %d", res.StatusCode)
	}
	wz := st.jurisdictionID(t, "万州区")
	if res, _ := c.post("/admin/units", url.Values{"csrf": {c.csrf(body)}, "parent": {fmt.Sprint(wz)}, "name": {"万州区人民政府"}, "kind": {"government"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the unit: %d", res.StatusCode)
	}
	if st.orgID(t, "万州区人民政府") == 0 {
		t.Fatal("the unit was not stored")
	}
	// Pages keep the reference lists until they change: the new unit shows.
	if _, page := c.get("/admin/jurisdictions"); !strings.Contains(page, "万州区人民政府") {
		t.Fatal("the administration page does not list the new unit")
	}
	mech, _ := st.workingGroup(t)
	sec := &domain.User{Email: "sec2@example.gov.cn", Name: "秘书处", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}}}
	st.Store.Users.Create(ctx, domain.Actor{}, sec)
	s := st.client(t)
	s.signIn(sec.Email, testPassword)
	_, sbody := s.get("/")
	if res, _ := s.post("/admin/units", url.Values{"csrf": {s.csrf(sbody)}, "parent": {fmt.Sprint(wz)}, "name": {"越权单位"}, "kind": {"other"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a secretariat adding a unit: %d, want 403", res.StatusCode)
	}
}

func (st *site) jurisdictionID(t *testing.T, name string) int64 {
	t.Helper()
	page, err := st.Store.Jurisdictions.List(context.Background(), domain.ListQuery{Filters: map[string]string{"q": name}})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range page.Items {
		if j.Name == name {
			return j.ID
		}
	}
	t.Fatalf("no jurisdiction %s", name)
	return 0
}

// TestCompletionConfirmedInTheBrowserRoutes: 温江区's liaison marks the
// joint item completed; the item page shows the change pending to both
// sides; 巴南区's liaison confirms it there, and only then is it completed.
func TestCompletionConfirmedInTheBrowserRoutes(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	page, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双城生物医药产业高地"}})
	it := page.Items[0]
	liaison := func(unit, email string) *client {
		u := &domain.User{Email: email, Name: unit + "联络员", Locale: "zh-CN", Password: testPassword,
			Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: st.orgID(t, unit)}}}
		if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		c.signIn(email, testPassword)
		return c
	}
	wj, bn := liaison("温江区人民政府", "wj@example.gov.cn"), liaison("巴南区人民政府", "bn@example.gov.cn")
	_, list := wj.get("/items")
	wj.post("/items/bulk", url.Values{"csrf": {wj.csrf(list)}, "item": {fmt.Sprintf("%d:%d", it.ID, it.Version)}, "status": {"completed"}, "back": {"/items"}})
	got, _ := st.Store.Items.Get(ctx, it.ID)
	if got.Status != domain.Advancing || len(got.Pending) != 1 {
		t.Fatalf("after one side's claim: status %s, %d pending", got.Status, len(got.Pending))
	}
	for name, c := range map[string]*client{"温江": wj, "巴南": bn} {
		if _, body := c.get(fmt.Sprintf("/items/%d", it.ID)); !strings.Contains(body, `id="pending"`) {
			t.Fatalf("%s's liaison does not see the pending change", name)
		}
	}
	_, body := bn.get(fmt.Sprintf("/items/%d", it.ID))
	res, _ := bn.post(fmt.Sprintf("/items/%d/changes/%d/confirm", it.ID, got.Pending[0].ID), url.Values{"csrf": {bn.csrf(body)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if got, _ := st.Store.Items.Get(ctx, it.ID); got.Status != domain.Completed {
		t.Fatalf("after both sides: %s", got.Status)
	}
}

// TestHeldChangesSayWhoMustConfirm: when a liaison of 温江区 completes the
// joint item in a bulk edit, or creates an item naming 巴南区 as the
// Chongqing lead and already completed, the part that needs Chongqing is
// held, and the page says it waits for 重庆 rather than that it is done.
func TestHeldChangesSayWhoMustConfirm(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		u := &domain.User{Email: "wj@example.gov.cn", Name: "温江联络员", Locale: "zh-CN", Password: testPassword,
			Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
		if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		c.signIn(u.Email, testPassword)
		const waiting = "等待重庆方确认"

		page, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双城生物医药产业高地"}})
		it := page.Items[0]
		_, list := c.get("/items")
		res, _ := c.post("/items/bulk", url.Values{"csrf": {c.csrf(list)}, "item": {fmt.Sprintf("%d:%d", it.ID, it.Version)}, "status": {"completed"}, "back": {"/items"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("bulk edit: %d", res.StatusCode)
		}
		_, body := c.get(res.Header.Get("Location"))
		if !strings.Contains(body, waiting) {
			t.Errorf("after a held bulk edit the list does not say %q (went to %s)", waiting, res.Header.Get("Location"))
		}
		if got, _ := st.Store.Items.Get(ctx, it.ID); got.Status == domain.Completed {
			t.Fatal("one side completed the joint item alone")
		}

		_, form := c.get(fmt.Sprintf("/items/new?mechanism=%d&batch=%d", m.ID, batch.ID))
		res, _ = c.post("/items/new", url.Values{"csrf": {c.csrf(form)}, "mechanism": {fmt.Sprint(m.ID)}, "batch": {fmt.Sprint(batch.ID)},
			"title": {"温江巴南联合攻关"}, "status": {"completed"}, "lead-chengdu": {fmt.Sprint(wenjiang)}, "lead-chongqing": {fmt.Sprint(banan)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create item: %d", res.StatusCode)
		}
		_, body = c.get(res.Header.Get("Location"))
		if !strings.Contains(body, waiting) {
			t.Errorf("the new item's page does not say %q", waiting)
		}
		created, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "温江巴南联合攻关"}})
		if len(created.Items) != 1 || created.Items[0].Lead("chongqing") != 0 || created.Items[0].Status == domain.Completed {
			t.Fatalf("created %+v; want Chongqing's lead and the status held", created.Items)
		}
	})
}

// webRow is the web matrix's row for one route of routes.go: for a page
// (GET), the path it is opened at and the roles that may open it; for an
// action (POST), the test that exercises who may take it.
type webRow struct {
	path      string
	allowed   []string
	coveredBy string
}

// TestWebPolicyMatrixCoversEveryRoute reads the route list (routes.go, the
// one place the web application's routes are registered) and fails when a
// route has no row here. Every page is opened as every role on the demo
// data: an allowed role gets it, a refused one 403 or 404, a visitor who
// has not signed in is sent to sign in.
func TestWebPolicyMatrixCoversEveryRoute(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	mech, firstBatch := st.workingGroup(t)
	wenjiang := st.orgID(t, "温江区人民政府")
	items, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双城生物医药产业高地"}})
	if err != nil || len(items.Items) == 0 {
		t.Fatalf("item: %v", err)
	}
	own := items.Items[0]
	problem := &domain.Problem{MechanismID: own.MechanismID, ItemID: own.ID, Title: "用地指标", Tier: domain.Execution, Status: domain.ProblemOpen}
	if err := st.Store.Problems.Create(ctx, domain.Actor{}, problem); err != nil {
		t.Fatal(err)
	}
	meetings, _ := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "工作组第二次会议"}})
	catalogs, _ := st.Store.Catalogs.List(ctx, domain.ListQuery{})
	agreements, _ := st.Store.Agreements.List(ctx, domain.ListQuery{})
	indicators, _ := st.Store.Indicators.List(ctx, domain.ListQuery{})
	if len(meetings.Items) == 0 || len(catalogs.Items) == 0 || len(agreements.Items) == 0 || len(indicators.Items) == 0 {
		t.Fatal("the demo has no meeting no. 2, or no catalog, agreement or indicator")
	}
	meeting := meetings.Items[0].ID
	_, home := st.client(t).get("/signin")
	asset := regexp.MustCompile(`/assets/[^"]+`).FindString(home)
	if asset == "" {
		t.Fatal("the sign-in page links no asset")
	}

	all := []string{"admin", "secretariat", "liaison", "leader", "viewer", "no role", "anonymous"}
	signedIn := all[:6]
	withRole := all[:5]
	oversee := []string{"admin", "secretariat", "leader", "viewer"}
	writers := []string{"admin", "secretariat", "liaison"}
	administer := []string{"admin", "secretariat"}
	admin := []string{"admin"}
	// The places, units and mechanisms pages list reference data every
	// role reads (their forms are the administrator's and the
	// secretariat's); the report form lists the units one reports for, none
	// for a reader. The problem board's actions, which no other test takes
	// as a refused role, are taken here (refusedPost).
	rows := map[string]webRow{
		"GET /assets/{path...}":                      {path: asset, allowed: all},
		"GET /signin":                                {path: "/signin", allowed: []string{"anonymous"}},
		"POST /signin":                               {coveredBy: "TestSessionRenewedAtSignIn"},
		"POST /signout":                              {coveredBy: "TestSessionRenewedAtSignIn"},
		"POST /language":                             {coveredBy: "TestEveryPageRenders"},
		"GET /{$}":                                   {path: "/", allowed: signedIn},
		"GET /mechanisms/{id}":                       {path: fmt.Sprintf("/mechanisms/%d", mech.ID), allowed: withRole},
		"GET /items":                                 {path: "/items", allowed: withRole},
		"GET /items/export.csv":                      {path: "/items/export.csv", allowed: withRole},
		"GET /items/export.xlsx":                     {path: "/items/export.xlsx", allowed: withRole},
		"POST /items/bulk":                           {coveredBy: "TestPolicyMatrixInTheBrowserRoutes"},
		"POST /items/views":                          {coveredBy: "TestSavedViews"},
		"POST /items/views/{id}/delete":              {coveredBy: "TestSavedViews"},
		"GET /items/new":                             {path: "/items/new", allowed: writers},
		"POST /items/new":                            {coveredBy: "TestReportFlowOverHTTP"},
		"GET /items/{id}":                            {path: fmt.Sprintf("/items/%d", own.ID), allowed: withRole},
		"GET /items/{id}/edit":                       {path: fmt.Sprintf("/items/%d/edit", own.ID), allowed: writers},
		"POST /items/{id}/edit":                      {coveredBy: "TestItemEditPage"},
		"POST /items/{id}/comments":                  {coveredBy: "TestCommentsWithMentions"},
		"POST /items/{id}/changes/{change}/confirm":  {coveredBy: "TestCompletionConfirmedInTheBrowserRoutes"},
		"POST /items/{id}/changes/{change}/reject":   {coveredBy: "TestCompletionConfirmedInTheBrowserRoutes"},
		"GET /batches/new":                           {path: "/batches/new", allowed: administer},
		"POST /batches/new":                          {coveredBy: "TestImportLedgerThroughThePages"},
		"GET /batches/{id}/annual-report":            {path: fmt.Sprintf("/batches/%d/annual-report?year=2024", firstBatch.ID), allowed: oversee},
		"GET /imports/new":                           {path: "/imports/new", allowed: writers},
		"POST /imports/new":                          {coveredBy: "TestImportLedgerThroughThePages"},
		"GET /imports/{id}":                          {coveredBy: "TestImportLedgerThroughThePages"},
		"POST /imports/{id}/mapping":                 {coveredBy: "TestImportLedgerThroughThePages"},
		"GET /imports/{id}/preview":                  {coveredBy: "TestImportLedgerThroughThePages"},
		"POST /imports/{id}/units":                   {coveredBy: "TestImportLedgerThroughThePages"},
		"POST /imports/{id}/apply":                   {coveredBy: "TestImportLedgerThroughThePages"},
		"POST /items/{id}/milestones/from-schedule":  {coveredBy: "TestPartiesAndScheduleOnTheItemPage"},
		"GET /inbox":                                 {path: "/inbox", allowed: signedIn},
		"GET /report":                                {path: "/report", allowed: withRole},
		"POST /report":                               {coveredBy: "TestReportFlowOverHTTP"},
		"POST /reports/{id}/correct":                 {coveredBy: "TestReportHoldsOnThePage"},
		"POST /reports/{id}/review":                  {coveredBy: "TestReportHoldsOnThePage"},
		"POST /reports/{id}/attachments":             {coveredBy: "TestReportHoldsOnThePage"},
		"GET /reports/{id}/attachments/{attachment}": {coveredBy: "TestReportHoldsOnThePage"},
		"GET /problems":                              {path: "/problems", allowed: withRole},
		"GET /problems/new":                          {path: "/problems/new", allowed: writers},
		"POST /problems/new":                         {coveredBy: "TestWebPolicyMatrixCoversEveryRoute"},
		"GET /problems/{id}":                         {path: fmt.Sprintf("/problems/%d", problem.ID), allowed: withRole},
		"POST /problems/{id}/escalate":               {coveredBy: "TestWebPolicyMatrixCoversEveryRoute"},
		"POST /problems/{id}/resolve":                {coveredBy: "TestWebPolicyMatrixCoversEveryRoute"},
		"POST /problems/{id}/responsible":            {coveredBy: "TestWebPolicyMatrixCoversEveryRoute"},
		"POST /problems/{id}/comments":               {coveredBy: "TestProblemTimelineAndResponse"},
		"GET /meetings":                              {path: "/meetings", allowed: withRole},
		"GET /meetings/new":                          {path: "/meetings/new", allowed: administer},
		"POST /meetings/new":                         {coveredBy: "TestMeetingPreparedThroughThePages"},
		"GET /meetings/{id}":                         {path: fmt.Sprintf("/meetings/%d", meeting), allowed: withRole},
		"GET /meetings/{id}/edit":                    {path: fmt.Sprintf("/meetings/%d/edit", meeting), allowed: administer},
		"POST /meetings/{id}/edit":                   {coveredBy: "TestMeetingPreparedThroughThePages"},
		"POST /meetings/{id}/agenda":                 {coveredBy: "TestMeetingPreparedThroughThePages"},
		"POST /meetings/{id}/attendance":             {coveredBy: "TestMeetingPreparedThroughThePages"},
		"POST /meetings/{id}/next":                   {coveredBy: "TestMeetingPreparedThroughThePages"},
		"POST /meetings/{id}/notice":                 {coveredBy: "TestMeetingNoticeReachesWebhook"},
		"GET /meetings/{id}/pack.html":               {path: fmt.Sprintf("/meetings/%d/pack.html", meeting), allowed: oversee},
		"GET /meetings/{id}/pack.md":                 {path: fmt.Sprintf("/meetings/%d/pack.md", meeting), allowed: oversee},
		"GET /meetings/{id}/pack.docx":               {path: fmt.Sprintf("/meetings/%d/pack.docx", meeting), allowed: oversee},
		"GET /meetings/{id}/pack.pdf":                {coveredBy: "TestPackPDFThroughThePage"},
		"GET /meetings/{id}/pack/edit":               {path: fmt.Sprintf("/meetings/%d/pack/edit", meeting), allowed: administer},
		"POST /meetings/{id}/pack/edit":              {coveredBy: "TestPackEditAndIssueThroughThePages"},
		"POST /meetings/{id}/pack/issue":             {coveredBy: "TestPackEditAndIssueThroughThePages"},
		"POST /meetings/{id}/tasks":                  {coveredBy: "TestDecisionCreatesTask"},
		"GET /tasks":                                 {path: "/tasks", allowed: withRole},
		"GET /tasks/{id}":                            {coveredBy: "TestTaskPageUpdate"},
		"POST /tasks/{id}":                           {coveredBy: "TestTaskPageUpdate"},
		"POST /tasks/{id}/comments":                  {coveredBy: "TestCommentsWithMentions"},
		"GET /agreements":                            {path: "/agreements", allowed: withRole},
		"GET /agreements/new":                        {path: "/agreements/new", allowed: administer},
		"POST /agreements/new":                       {coveredBy: "TestAgreementUpkeepOnThePages"},
		"GET /agreements/{id}":                       {path: fmt.Sprintf("/agreements/%d", agreements.Items[0].ID), allowed: withRole},
		"GET /agreements/{id}/edit":                  {path: fmt.Sprintf("/agreements/%d/edit", agreements.Items[0].ID), allowed: administer},
		"POST /agreements/{id}/edit":                 {coveredBy: "TestAgreementUpkeepOnThePages"},
		"GET /catalogs":                              {path: "/catalogs", allowed: withRole},
		"GET /catalogs/{id}":                         {path: fmt.Sprintf("/catalogs/%d", catalogs.Items[0].ID), allowed: withRole},
		"POST /catalogs/{id}/entries":                {coveredBy: "TestCatalogEntryUpkeepOnThePage"},
		"GET /catalogs/{id}/entries/{entry}":         {coveredBy: "TestCatalogEntryUpkeepOnThePage"},
		"POST /catalogs/{id}/entries/{entry}":        {coveredBy: "TestCatalogEntryUpkeepOnThePage"},
		"GET /indicators":                            {path: "/indicators", allowed: withRole},
		"GET /indicators/new":                        {path: "/indicators/new", allowed: administer},
		"POST /indicators/new":                       {coveredBy: "TestIndicatorUpkeepOnThePage"},
		"GET /indicators/{id}":                       {path: fmt.Sprintf("/indicators/%d", indicators.Items[0].ID), allowed: withRole},
		"POST /indicators/{id}/values":               {coveredBy: "TestIndicatorUpkeepOnThePage"},
		"POST /indicators/{id}/values/{on}":          {coveredBy: "TestIndicatorUpkeepOnThePage"},
		"POST /indicators/{id}/target":               {coveredBy: "TestIndicatorUpkeepOnThePage"},
		"GET /admin/users":                           {path: "/admin/users", allowed: admin},
		"GET /admin/federation":                      {path: "/admin/federation", allowed: admin},
		"GET /federation/packs/{id}":                 {coveredBy: "TestFederationPeerPacksOnTheMeetingsPage"},
		"POST /admin/users":                          {coveredBy: "TestAdminAddsUser"},
		"GET /admin/users/{id}":                      {path: fmt.Sprintf("/admin/users/%d", st.User.ID), allowed: admin},
		"POST /admin/users/{id}":                     {coveredBy: "TestAdminUserUpkeepOnThePage"},
		"POST /admin/users/{id}/password":            {coveredBy: "TestAdminUserUpkeepOnThePage"},
		"GET /admin/jurisdictions":                   {path: "/admin/jurisdictions", allowed: withRole},
		"POST /admin/jurisdictions":                  {coveredBy: "TestAdminAddsJurisdictionAndUnit"},
		"POST /admin/units":                          {coveredBy: "TestAdminAddsJurisdictionAndUnit"},
		"GET /admin/mechanisms":                      {path: "/admin/mechanisms", allowed: withRole},
		"GET /admin/mechanisms/{id}":                 {path: fmt.Sprintf("/admin/mechanisms/%d", mech.ID), allowed: administer},
		"POST /admin/mechanisms/{id}":                {coveredBy: "TestSecretariatEditsTaxonomy"},
		"/":                                          {coveredBy: "TestSignInRequired"},
	}
	tests := ""
	files, _ := filepath.Glob("*_test.go")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		tests += string(b)
	}
	for route, row := range rows {
		if row.coveredBy != "" && !strings.Contains(tests, "func "+row.coveredBy+"(t *testing.T)") {
			t.Errorf("the row of %s names %s, which is no test of this package", route, row.coveredBy)
		}
	}
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	registered := map[string]bool{}
	for _, m := range regexp.MustCompile(`mux\.HandleFunc\("([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		registered[m[1]] = true
		if _, ok := rows[m[1]]; !ok {
			missing = append(missing, m[1])
		}
	}
	for r := range rows {
		if !registered[r] {
			missing = append(missing, "(no such route) "+r)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the web policy matrix does not match routes.go: %v", missing)
	}

	grants := matrixGrants(mech.ID, wenjiang)
	clients := map[string]*client{"anonymous": st.client(t)}
	for i, role := range signedIn {
		u := &domain.User{Email: fmt.Sprintf("webmatrix%d@example.gov.cn", i), Name: role, Locale: "zh-CN", Password: testPassword, Grants: grants[role]}
		if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		clients[role] = st.client(t)
		if res := clients[role].signIn(u.Email, testPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: sign in %d", role, res.StatusCode)
		}
	}
	// The problem board's actions, as roles that may not take them, change
	// nothing: a leader and a viewer of the mechanism, and a liaison of a
	// unit that takes no part in the item.
	outsider := &domain.User{Email: "webmatrix-outsider@example.gov.cn", Name: "外单位联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: st.orgID(t, "青羊区人民政府")}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, outsider); err != nil {
		t.Fatal(err)
	}
	clients["outsider"] = st.client(t)
	clients["outsider"].signIn(outsider.Email, testPassword)
	qingyang := st.orgID(t, "青羊区人民政府")
	problemForms := func(version int64) map[string]url.Values {
		v := fmt.Sprint(version)
		return map[string]url.Values{
			fmt.Sprintf("/problems/%d/escalate", problem.ID):    {"version": {v}, "note": {"越权"}},
			fmt.Sprintf("/problems/%d/resolve", problem.ID):     {"version": {v}, "resolution": {"越权"}},
			fmt.Sprintf("/problems/%d/responsible", problem.ID): {"version": {v}, "responsible-chengdu": {fmt.Sprint(qingyang)}},
			"/problems/new": {"mechanism": {fmt.Sprint(own.MechanismID)}, "item": {fmt.Sprint(own.ID)}, "title": {"越权提出"}, "tier": {"execution"},
				"responsible-chengdu": {fmt.Sprint(qingyang)}},
		}
	}
	for _, role := range []string{"leader", "viewer", "outsider", "no role"} {
		t.Run("refusedPost/"+role, func(t *testing.T) {
			c := clients[role]
			c.t = t
			_, page := c.get("/items")
			csrf := c.csrf(page)
			before, _ := st.Store.Problems.Get(ctx, problem.ID)
			for path, form := range problemForms(before.Version) {
				form.Set("csrf", csrf)
				if res, _ := c.post(path, form); res.StatusCode < 400 {
					t.Errorf("%s posting %s: %d, want a refusal", role, path, res.StatusCode)
				}
			}
			if after, _ := st.Store.Problems.Get(ctx, problem.ID); after.Version != before.Version {
				t.Errorf("%s changed the problem", role)
			}
			if page, _ := st.Store.Problems.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "越权提出"}}); len(page.Items) != 0 {
				t.Errorf("%s raised a problem", role)
			}
		})
	}
	// The same forms from the secretariat go through: the refusals above
	// are the policy's, not a malformed form's.
	t.Run("refusedPost/secretariat", func(t *testing.T) {
		c := clients["secretariat"]
		c.t = t
		_, page := c.get("/items")
		before, _ := st.Store.Problems.Get(ctx, problem.ID)
		forms := problemForms(before.Version)
		for _, path := range []string{"/problems/new", fmt.Sprintf("/problems/%d/responsible", problem.ID)} {
			form := forms[path]
			form.Set("csrf", c.csrf(page))
			if res, body := c.post(path, form); res.StatusCode != http.StatusSeeOther {
				t.Errorf("the secretariat posting %s: %d\n%.500s", path, res.StatusCode, body)
			}
		}
	})

	for route, row := range rows {
		if row.path == "" {
			continue
		}
		for _, role := range all {
			t.Run(route+"/"+role, func(t *testing.T) {
				c := clients[role]
				c.t = t
				res, _ := c.get(row.path)
				allowed := slices.Contains(row.allowed, role)
				switch {
				case route == "GET /signin" && role != "anonymous":
					if res.StatusCode != http.StatusSeeOther {
						t.Errorf("%s opening the sign-in page: %d, want 303 home", role, res.StatusCode)
					}
				case allowed && res.StatusCode != http.StatusOK:
					t.Errorf("%s opening %s: %d, want 200", role, row.path, res.StatusCode)
				case !allowed && role == "anonymous" && res.StatusCode != http.StatusSeeOther:
					t.Errorf("a visitor opening %s: %d, want 303 to sign in", row.path, res.StatusCode)
				case !allowed && role != "anonymous" && res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound:
					t.Errorf("%s opening %s: %d, want 403 or 404", role, row.path, res.StatusCode)
				}
			})
		}
	}
}

// matrixGrants are the roles both matrices sign in as: over the working
// group mech, and for a liaison of the unit wenjiang.
func matrixGrants(mech, wenjiang int64) map[string][]domain.Grant {
	return map[string][]domain.Grant{
		"admin":       {{Role: domain.Admin}},
		"secretariat": {{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech}},
		"liaison":     {{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}},
		"leader":      {{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: mech}},
		"viewer":      {{Role: domain.Viewer}},
		"no role":     nil,
	}
}
