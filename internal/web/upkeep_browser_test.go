package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
)

// TestSecretariatKeepsIndicatorsAndListsInTheBrowser: the working group's
// secretariat, with the pages alone, adds a value to an indicator and an
// entry to a shared list the demo shows empty — at 1280 and 360 px, in
// Chinese and in English — and each lands in the store.
func TestSecretariatKeepsIndicatorsAndListsInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	ctx := context.Background()
	mech, _ := st.workingGroup(t)
	sec := &domain.User{Email: "browser-sec@example.gov.cn", Name: "办公室", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, sec); err != nil {
		t.Fatal(err)
	}
	inds, err := st.Store.Indicators.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "互认检查项目"}})
	if err != nil || len(inds.Items) != 1 {
		t.Fatalf("indicator: %v", err)
	}
	in := inds.Items[0]
	cats, _ := st.Store.Catalogs.List(ctx, domain.ListQuery{})
	var cat *domain.Catalog
	for _, c := range cats.Items {
		if c.RecordedCount == 0 {
			cat = c
			break
		}
	}
	if cat == nil {
		t.Fatal("no empty list in the demo")
	}
	agreements, _ := st.Store.Agreements.List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(mech.ID)}})
	if len(agreements.Items) == 0 {
		t.Fatal("no agreement in the demo")
	}
	agreement := agreements.Items[0]
	b.signIn(st.URL, sec.Email)

	for i, run := range []struct {
		name   string
		width  int64
		mobile bool
		lang   string
	}{{"zh-1280", 1280, false, "zh-CN"}, {"zh-360", 360, true, "zh-CN"}, {"en-360", 360, true, "en"}, {"en-1280", 1280, false, "en"}} {
		t.Run(run.name, func(t *testing.T) {
			b.t = t
			b.viewport(run.width, 800, run.mobile)
			b.do("indicator page", chromedp.Navigate(fmt.Sprintf("%s/indicators/%d", st.URL, in.ID)), chromedp.WaitVisible(chromedp.ID("value-add")))
			if b.eval(`document.documentElement.lang`) != run.lang {
				b.do("switch language", chromedp.Click(chromedp.ID("switch-language")))
				b.waitFor("language", fmt.Sprintf(`document.documentElement.lang === %q && !!document.getElementById("value-add")`, run.lang))
			}
			b.checkPage(run.name + " indicator")
			day := fmt.Sprintf("2024-0%d-28", i+5)
			value := fmt.Sprint(70 + i)
			b.do("add a value",
				chromedp.SetValue(chromedp.ID("v-observed"), day),
				chromedp.SetValue(chromedp.ID("v-value"), value),
				chromedp.SetValue(chromedp.ID("v-note"), "浏览器 "+run.name),
				chromedp.Click(chromedp.ID("add-value")),
			)
			b.waitFor("the value added", `!!document.querySelector(".flash.ok") && document.getElementById("indicator-values").textContent.includes("浏览器 `+run.name+`")`)
			b.checkPage(run.name + " value added")
			got, _ := st.Store.Indicators.Get(ctx, in.ID)
			found := false
			for _, v := range got.Values {
				found = found || (v.ObservedOn.String() == day && fmt.Sprint(v.Value) == value)
			}
			if !found {
				t.Errorf("the value of %s is not stored: %+v", day, got.Values)
			}

			b.do("list page", chromedp.Navigate(fmt.Sprintf("%s/catalogs/%d", st.URL, cat.ID)), chromedp.WaitVisible(chromedp.ID("entry-add")))
			b.checkPage(run.name + " list")
			name := "浏览器事项 " + run.name
			b.do("add an entry",
				chromedp.SetValue(chromedp.ID("e-number"), fmt.Sprint(i+1)),
				chromedp.SetValue(chromedp.ID("e-name"), name),
				chromedp.SetValue(chromedp.ID("e-department"), "市场监管"),
				chromedp.SetValue(chromedp.ID("e-mode"), "proxy_handling"),
				chromedp.Click(chromedp.ID("add-entry")),
			)
			b.waitFor("the entry listed", `!!document.querySelector(".flash.ok") && document.getElementById("catalog-entries").textContent.includes("`+name+`")`)
			b.checkPage(run.name + " entry added")
			entries, _ := st.Store.CatalogEntries.List(ctx, domain.ListQuery{Filters: map[string]string{"catalog": fmt.Sprint(cat.ID), "q": name}})
			if len(entries.Items) != 1 || entries.Items[0].ServiceMode != domain.ProxyHandling {
				t.Fatalf("the entry %s is not stored: %+v", name, entries.Items)
			}
			// The other upkeep pages read at this width and language too.
			for _, p := range []struct{ path, visible string }{
				{fmt.Sprintf("/catalogs/%d/entries/%d", cat.ID, entries.Items[0].ID), "entry-form"},
				{fmt.Sprintf("/agreements/%d", agreement.ID), "edit-agreement"},
				{fmt.Sprintf("/agreements/%d/edit", agreement.ID), "agreement-form"},
				{"/indicators/new", "indicator-form"},
			} {
				b.do(p.path, chromedp.Navigate(st.URL+p.path), chromedp.WaitVisible(chromedp.ID(p.visible)))
				b.checkPage(run.name + " " + p.path)
			}
		})
	}

	// The administrator's page of a user, on a phone.
	b.t = t
	b.do("sign out", chromedp.Navigate(st.URL+"/"), chromedp.WaitVisible(chromedp.ID("sign-out")), chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("email")))
	b.viewport(1280, 800, false)
	b.signIn(st.URL, st.User.Email)
	for _, w := range []int64{360, 1280} {
		b.viewport(w, 800, w == 360)
		b.do("user page", chromedp.Navigate(fmt.Sprintf("%s/admin/users/%d", st.URL, sec.ID)), chromedp.WaitVisible(chromedp.ID("user-edit")))
		b.checkPage(fmt.Sprintf("user page at %d", w))
	}
}
