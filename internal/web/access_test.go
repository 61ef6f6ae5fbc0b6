package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
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
	grants := map[string][]domain.Grant{
		"admin":       {{Role: domain.Admin}},
		"secretariat": {{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}},
		"liaison":     {{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}},
		"leader":      {{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}},
		"viewer":      {{Role: domain.Viewer}},
		"no role":     nil,
	}
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
				c.post("/items/bulk", url.Values{"csrf": {c.csrf(page)}, "item": {fmt.Sprintf("%d:%d", it.ID, before.Version)},
					"light": {"yellow"}, "light_reason": {"矩阵测试 " + role}, "back": {"/items"}})
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
