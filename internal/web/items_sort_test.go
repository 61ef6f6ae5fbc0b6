package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestItemListCountsAndSorts: the list says how many items its filters
// select over all pages, sorts by a column's header both ways, keeps the
// order on the next page and in a saved view, and refuses an unknown order
// naming it.
func TestItemListCountsAndSorts(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, batch := st.workingGroup(t)
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		all, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(batch.ID)}, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		res, body := c.get(fmt.Sprintf("/items?batch=%d", batch.ID))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("list: %d", res.StatusCode)
		}
		if want := fmt.Sprintf("共 %d 项", len(all.Items)); !strings.Contains(body, want) {
			t.Errorf("the list does not say %q", want)
		}
		titles := func(body string) []string {
			var out []string
			for _, m := range regexp.MustCompile(`<td class="title"><a href="/items/\d+">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
				out = append(out, html.UnescapeString(m[1]))
			}
			return out
		}
		head := regexp.MustCompile(`<th scope="col"[^>]*><a class="sort" href="([^"]+)">项目名称`).FindStringSubmatch(body)
		if head == nil {
			t.Fatal("the title column's header does not sort")
		}
		_, asc := c.get(html.UnescapeString(head[1]))
		up := titles(asc)
		if len(up) != len(all.Items) {
			t.Fatalf("sorted by title: %d rows, want %d", len(up), len(all.Items))
		}
		for i := 1; i < len(up); i++ {
			if up[i-1] > up[i] {
				t.Fatalf("not in title order: %q before %q", up[i-1], up[i])
			}
		}
		if !strings.Contains(asc, `aria-sort="ascending"`) || !strings.Contains(asc, "按项目名称排序") {
			t.Error("the sorted list does not say its order")
		}
		head = regexp.MustCompile(`<th scope="col"[^>]*><a class="sort" href="([^"]+)">项目名称`).FindStringSubmatch(asc)
		_, desc := c.get(html.UnescapeString(head[1]))
		down := titles(desc)
		if len(down) == 0 || down[0] != up[len(up)-1] || !strings.Contains(desc, `aria-sort="descending"`) {
			t.Errorf("the header's second click: %v, want the reverse of %v", down, up)
		}
		// The order is kept in the filter form, whose order select sorts
		// where the column headers are not shown (the cards of a phone),
		// and in the saved view's query.
		if !strings.Contains(desc, `<option value="-title" selected>项目名称（倒序）</option>`) || !strings.Contains(desc, "sort=-title") {
			t.Error("the filter form or the saved view forgets the order")
		}
		if n := strings.Count(desc[strings.Index(desc, `id="f-sort"`):], "<option"); n < 2*4 {
			t.Errorf("the order select offers %d orders, want each of the four columns either way", n)
		}
		res, body = c.get(fmt.Sprintf("/items?mechanism=%d&sort=colour", mech.ID))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "sort") {
			t.Errorf("an unknown order: %d", res.StatusCode)
		}
		// Without a mechanism the unit filter offers no ten thousand units.
		_, body = c.get("/items")
		if n := strings.Count(body[strings.Index(body, `id="f-unit"`):strings.Index(body, `id="f-q"`)], "<option"); n != 1 {
			t.Errorf("the unit filter without a mechanism offers %d options, want only 任意", n)
		}
		_, body = c.get(fmt.Sprintf("/items?mechanism=%d", mech.ID))
		if n := strings.Count(body[strings.Index(body, `id="f-unit"`):strings.Index(body, `id="f-q"`)], "<option"); n != len(mech.Members)+1 {
			t.Errorf("the unit filter of the working group offers %d options, want its %d members and 任意", n, len(mech.Members))
		}
	})
}

// TestSavedViewSharedWithTheTeam: a view saved with the working group's
// team appears, with its order, on the list of everyone in that team — a
// liaison of a member unit — and not to someone outside it; sharing with a
// mechanism whose team one is not in is refused, naming the field, and
// saves nothing.
func TestSavedViewSharedWithTheTeam(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, batch := st.workingGroup(t)
		sec := st.importUser(t, "views-sec@example.gov.cn", []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}})
		member := st.importUser(t, "views-wj@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: st.orgID(t, "温江区人民政府")}})
		outsider := st.importUser(t, "views-out@example.gov.cn", []domain.Grant{{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: otherMechanism(t, st, mech.ID)}})

		// The member's list is read first, so that its views are kept
		// before the secretariat shares one: the kept views must follow.
		if _, list := member.get("/items"); strings.Contains(list, "第一批倒序") {
			t.Fatal("the view is there before it was saved")
		}
		_, page := sec.get(fmt.Sprintf("/items?batch=%d&sort=-title", batch.ID))
		if !strings.Contains(page, `id="view-share"`) {
			t.Fatal("the save-view form offers no sharing")
		}
		share := page[strings.Index(page, `id="view-share"`):]
		share = share[:strings.Index(share, "</select>")]
		if team := fmt.Sprintf(`<option value="%d">%s</option>`, mech.ID, html.EscapeString(mech.Name)); !strings.Contains(share, team) {
			t.Fatalf("the sharing offers no option %s: %s", team, share)
		}
		query := fmt.Sprintf("batch=%d&sort=-title", batch.ID)
		res, _ := sec.post("/items/views", url.Values{"csrf": {sec.csrf(page)}, "name": {"第一批倒序"}, "query": {query}, "share": {fmt.Sprint(mech.ID)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving a shared view: %d", res.StatusCode)
		}
		link := html.EscapeString("/items?" + url.Values{"batch": {fmt.Sprint(batch.ID)}, "sort": {"-title"}}.Encode())
		_, list := member.get("/items")
		if !strings.Contains(list, "第一批倒序") || !strings.Contains(list, link) {
			t.Errorf("a liaison of a member unit does not see the team's view with its order (%s)", link)
		}
		_, list = outsider.get("/items")
		if strings.Contains(list, "第一批倒序") {
			t.Error("someone outside the working group's team sees its view")
		}
		// An administrator's team is every live mechanism's: the view is
		// there, and sharing with a mechanism that does not exist is refused.
		admin := st.client(t)
		admin.signIn(st.User.Email, testPassword)
		_, list = admin.get("/items")
		if !strings.Contains(list, "第一批倒序") {
			t.Error("an administrator does not see the working group's shared view")
		}
		if res, _ := admin.post("/items/views", url.Values{"csrf": {admin.csrf(list)}, "name": {"无此机制"}, "query": {query}, "share": {"999999"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("an administrator sharing with no mechanism: %d, want 422", res.StatusCode)
		}
		// The outsider may not share with the working group.
		_, page = outsider.get("/items")
		res, body := outsider.post("/items/views", url.Values{"csrf": {outsider.csrf(page)}, "name": {"越权共享"}, "query": {query}, "share": {fmt.Sprint(mech.ID)}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="view-share-err"`) {
			t.Errorf("sharing with a team one is not in: %d", res.StatusCode)
		}
		u, err := st.Store.Users.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "views-out@example.gov.cn"}})
		if err != nil || len(u.Items) != 1 {
			t.Fatalf("the outsider: %v", err)
		}
		if views, _ := st.Store.SavedViews(ctx, u.Items[0].ID); len(views) != 0 {
			t.Errorf("a refused share saved %d views", len(views))
		}
	})
}

// otherMechanism is a mechanism other than id.
func otherMechanism(t *testing.T, st *site, id int64) int64 {
	t.Helper()
	page, err := st.Store.Mechanisms.List(context.Background(), domain.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Items {
		if m.ID != id {
			return m.ID
		}
	}
	t.Fatal("the demo has one mechanism")
	return 0
}

// TestFilterOptionsFollowTheReferences: the mechanism and batch filters'
// options are written once per language and kept with the references; a
// mechanism renamed or a batch added shows on the next page, in Chinese
// and in English, and the chosen mechanism stays selected.
func TestFilterOptionsFollowTheReferences(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	mech, _ := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	list := fmt.Sprintf("/items?mechanism=%d", mech.ID)
	filter := func(body, id string) string {
		at := strings.Index(body, `id="`+id+`"`)
		if at < 0 {
			t.Fatalf("no filter %s", id)
		}
		return body[at : at+strings.Index(body[at:], "</select>")]
	}
	_, body := c.get(list)
	if !strings.Contains(filter(body, "f-mechanism"), fmt.Sprintf(`<option value="%d" selected>%s</option>`, mech.ID, html.EscapeString(mech.Name))) {
		t.Fatalf("the chosen mechanism is not selected: %s", filter(body, "f-mechanism"))
	}
	c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {"en"}, "back": {list}})
	_, body = c.get(list) // the English options are written and kept too

	m, err := st.Store.Mechanisms.Get(ctx, mech.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.Name, m.NameEN = "成渝双核联动联建工作组（更名）", "Twin-core working group (renamed)"
	if err := st.Store.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
		t.Fatal(err)
	}
	batch := &domain.Batch{MechanismID: mech.ID, Name: "第十批合作项目", NameEN: "Tenth batch"}
	if err := st.Store.Batches.Create(ctx, domain.Actor{}, batch); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []struct{ locale, mechanism, batch string }{{"en", m.NameEN, batch.NameEN}, {"zh-CN", m.Name, batch.Name}} {
		_, body = c.get(list)
		c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {lang.locale}, "back": {list}})
		_, body = c.get(list)
		if want := fmt.Sprintf(`<option value="%d" selected>%s</option>`, mech.ID, html.EscapeString(lang.mechanism)); !strings.Contains(filter(body, "f-mechanism"), want) {
			t.Errorf("%s: the mechanism filter lacks %s", lang.locale, want)
		}
		if want := fmt.Sprintf(`<option value="%d">%s</option>`, batch.ID, html.EscapeString(lang.batch)); !strings.Contains(filter(body, "f-batch"), want) {
			t.Errorf("%s: the batch filter lacks the new batch %s", lang.locale, want)
		}
	}
}
