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

// upkeepUsers signs in a secretariat of the working group, a viewer and a
// liaison of 温江区.
func (st *site) upkeepUsers(t *testing.T) (sec, viewer, liaison *client) {
	t.Helper()
	mech, _ := st.workingGroup(t)
	grants := matrixGrants(mech.ID, st.orgID(t, "温江区人民政府"))
	return st.importUser(t, "upkeep-sec@example.gov.cn", grants["secretariat"]),
		st.importUser(t, "upkeep-viewer@example.gov.cn", grants["viewer"]),
		st.importUser(t, "upkeep-liaison@example.gov.cn", grants["liaison"])
}

// lastAudit returns the last audit event of a record, failing when there
// is none.
func (st *site) lastAudit(t *testing.T, entity string, id int64) domain.AuditEvent {
	t.Helper()
	evs, err := st.Store.History(context.Background(), entity, id)
	if err != nil || len(evs) == 0 {
		t.Fatalf("history of %s %d: %v", entity, id, err)
	}
	return evs[len(evs)-1]
}

// TestIndicatorUpkeepOnThePage: the working group's secretariat adds a
// value to an indicator on its page, changes it, removes it and sets the
// target, each a new audited version; a form opened before a change is
// refused as stale, a value that is no number is refused with its reason;
// a viewer and a liaison see no form and their posts are refused with the
// rule, the indicator unchanged; a new indicator is made from its form.
func TestIndicatorUpkeepOnThePage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		sec, viewer, liaison := st.upkeepUsers(t)
		list, err := st.Store.Indicators.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "互认检验项目"}})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("indicator 互认检验项目: %v", err)
		}
		in := list.Items[0]
		page := fmt.Sprintf("/indicators/%d", in.ID)
		stored := func() *domain.Indicator {
			got, err := st.Store.Indicators.Get(ctx, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		_, body := sec.get(page)
		if !strings.Contains(body, `id="value-add"`) || !strings.Contains(body, `id="target-form"`) {
			t.Fatal("the secretariat is not offered the value and target forms")
		}
		opened := body
		form := url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(in.Version)}, "observed_on": {"2024-10-31"}, "value": {"52"}, "note": {"新增互认项目"}}
		if res, _ := sec.post(page+"/values", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add a value: %d", res.StatusCode)
		}
		got := stored()
		if len(got.Values) != 2 || got.Values[1].Value != 52 || got.Values[1].Note != "新增互认项目" || got.Version != in.Version+1 {
			t.Fatalf("after adding: %+v v%d", got.Values, got.Version)
		}
		if ev := st.lastAudit(t, "indicators", in.ID); ev.Action != "update" || !strings.Contains(ev.After, "新增互认项目") {
			t.Errorf("the added value is not audited: %s %s", ev.Action, ev.After)
		}

		t.Run("StaleVersionRefused", func(t *testing.T) {
			res, body := sec.post(page+"/values", url.Values{"csrf": {sec.csrf(opened)}, "version": {fmt.Sprint(in.Version)}, "observed_on": {"2024-11-30"}, "value": {"60"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "该记录已被他人修改") {
				t.Errorf("a stale form: %d, want 409 with the reason", res.StatusCode)
			}
			if !strings.Contains(body, `value="2024-11-30"`) {
				t.Error("the refused form lost what was typed")
			}
			if after := stored(); after.Version != got.Version || len(after.Values) != 2 {
				t.Errorf("the stale form changed the indicator")
			}
		})
		t.Run("NotANumberRefused", func(t *testing.T) {
			_, body := sec.get(page)
			res, body := sec.post(page+"/values", url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "observed_on": {"2024-11-30"}, "value": {"五十"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须为数字") {
				t.Errorf("a value that is no number: %d, want 422 naming it", res.StatusCode)
			}
		})

		on := "2024-10-31"
		_, body = sec.get(page)
		if !strings.Contains(body, `action="`+page+`/values/`+on+`"`) {
			t.Fatal("the value is not offered for change")
		}
		if res, _ := sec.post(page+"/values/"+on, url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "action": {"save"},
			"observed_on": {on}, "value": {"53"}, "note": {"更正"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change a value: %d", res.StatusCode)
		}
		if got = stored(); got.Values[1].Value != 53 || got.Values[1].Note != "更正" {
			t.Fatalf("after the change: %+v", got.Values)
		}
		_, body = sec.get(page)
		if res, _ := sec.post(page+"/values/"+on, url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "action": {"remove"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove a value: %d", res.StatusCode)
		}
		if got = stored(); len(got.Values) != 1 {
			t.Fatalf("after removing: %+v", got.Values)
		}
		_, body = sec.get(page)
		if res, _ := sec.post(page+"/target", url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "target": {"80"}, "target_on": {"2025-12-31"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("set the target: %d", res.StatusCode)
		}
		if got = stored(); got.Target == nil || *got.Target != 80 || got.TargetOn.String() != "2025-12-31" {
			t.Fatalf("target = %v %v", got.Target, got.TargetOn)
		}
		if ev := st.lastAudit(t, "indicators", in.ID); ev.Action != "update" || !strings.Contains(ev.After, `"target":80`) {
			t.Errorf("the target is not audited: %s", ev.After)
		}

		for name, c := range map[string]*client{"viewer": viewer, "liaison": liaison} {
			t.Run("Refused/"+name, func(t *testing.T) {
				c.t = t
				res, body := c.get(page)
				if res.StatusCode != http.StatusOK || strings.Contains(body, `id="value-add"`) || strings.Contains(body, `id="target-form"`) || strings.Contains(body, "/values/") {
					t.Errorf("the %s is offered a form (page %d)", name, res.StatusCode)
				}
				if _, list := c.get("/indicators"); strings.Contains(list, `id="new-indicator"`) {
					t.Errorf("the %s is offered a new indicator", name)
				}
				res, body = c.post(page+"/values", url.Values{"csrf": {c.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "observed_on": {"2024-11-30"}, "value": {"1"}})
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您无权修改此指标") {
					t.Errorf("the %s adding a value: %d, want 403 with the rule", name, res.StatusCode)
				}
				if after := stored(); after.Version != got.Version {
					t.Errorf("the %s changed the indicator", name)
				}
				if res, _ := c.get("/indicators/new"); res.StatusCode != http.StatusForbidden {
					t.Errorf("the %s opening the new-indicator form: %d, want 403", name, res.StatusCode)
				}
			})
		}

		t.Run("Create", func(t *testing.T) {
			mech, _ := st.workingGroup(t)
			_, body := sec.get("/indicators/new")
			res, _ := sec.post("/indicators/new", url.Values{"csrf": {sec.csrf(body)}, "mechanism": {fmt.Sprint(mech.ID)}, "name": {"跨省通办事项"},
				"unit": {"项"}, "scope": {"川渝"}, "target": {"311"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d", res.StatusCode)
			}
			list, err := st.Store.Indicators.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "跨省通办事项"}})
			if err != nil || len(list.Items) != 1 || list.Items[0].MechanismID != mech.ID || *list.Items[0].Target != 311 {
				t.Fatalf("the new indicator: %+v %v", list.Items, err)
			}
			if !strings.HasSuffix(res.Header.Get("Location"), fmt.Sprintf("/indicators/%d?done=created", list.Items[0].ID)) {
				t.Errorf("create went to %s", res.Header.Get("Location"))
			}
			res, body = sec.post("/indicators/new", url.Values{"csrf": {sec.csrf(body)}, "mechanism": {fmt.Sprint(mech.ID)}, "name": {""}, "unit": {"项"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "必填") || !strings.Contains(body, `value="项"`) {
				t.Errorf("a nameless indicator: %d, want 422 with the reason and the input kept", res.StatusCode)
			}
		})
	})
}

// TestCatalogEntryUpkeepOnThePage: a list the demo shows with no entries
// offers the secretariat the add form with its help; an entry added there
// counts, is edited with an adoption in a jurisdiction chosen by name and
// archived (leaving the count), each audited; a stale form is refused; a
// viewer and a liaison see no form and are refused with the rule.
func TestCatalogEntryUpkeepOnThePage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		sec, viewer, liaison := st.upkeepUsers(t)
		cats, err := st.Store.Catalogs.List(ctx, domain.ListQuery{})
		if err != nil || len(cats.Items) == 0 {
			t.Fatalf("catalogs: %v", err)
		}
		var c *domain.Catalog
		for _, x := range cats.Items {
			if x.RecordedCount == 0 {
				c = x
				break
			}
		}
		if c == nil {
			t.Fatal("the demo has no list without entries")
		}
		page := fmt.Sprintf("/catalogs/%d", c.ID)
		if _, lists := sec.get("/catalogs"); !strings.Contains(lists, fmt.Sprintf(`id="add-entries-%d"`, c.ID)) {
			t.Error("the lists page does not offer the secretariat to add entries to the empty list")
		}
		if _, lists := viewer.get("/catalogs"); strings.Contains(lists, `id="add-entries-`) {
			t.Error("the lists page offers a viewer to add entries")
		}
		_, body := sec.get(page)
		if !strings.Contains(body, `id="entry-add"`) || !strings.Contains(body, "本清单尚未录入具体事项") {
			t.Fatal("an empty list does not offer the secretariat to add entries")
		}
		res, _ := sec.post(page+"/entries", url.Values{"csrf": {sec.csrf(body)}, "number": {"1"}, "name": {"户口迁移"}, "department": {"公安"}, "service_mode": {"fully_online"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add an entry: %d", res.StatusCode)
		}
		entries, err := st.Store.CatalogEntries.List(ctx, domain.ListQuery{Filters: map[string]string{"catalog": fmt.Sprint(c.ID)}})
		if err != nil || len(entries.Items) != 1 {
			t.Fatalf("entries: %v %v", entries.Items, err)
		}
		e := entries.Items[0]
		if e.Name != "户口迁移" || e.Department != "公安" || e.ServiceMode != domain.FullyOnline {
			t.Fatalf("the entry: %+v", e)
		}
		if ev := st.lastAudit(t, "catalog_entries", e.ID); ev.Action != "create" {
			t.Errorf("the new entry is not audited: %s", ev.Action)
		}
		if got, _ := st.Store.Catalogs.Get(ctx, c.ID); got.RecordedCount != 1 {
			t.Errorf("recorded count = %d, want 1", got.RecordedCount)
		}
		_, body = sec.get(page)
		if !strings.Contains(body, fmt.Sprintf(`href="%s/entries/%d"`, page, e.ID)) {
			t.Fatal("the list does not link the entry")
		}

		entryPage := fmt.Sprintf("%s/entries/%d", page, e.ID)
		wenjiangJ := st.jurisdictionID(t, "温江区")
		_, body = sec.get(entryPage)
		if !strings.Contains(body, fmt.Sprintf(`<option value="%d">温江区</option>`, wenjiangJ)) {
			t.Fatal("the adoption form does not offer 温江区 by name")
		}
		opened := body
		res, _ = sec.post(entryPage, url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(e.Version)}, "number": {"1"}, "name": {"户口迁移（川渝通办）"},
			"department": {"公安"}, "service_mode": {"fully_online"},
			"adopt_jurisdiction": {fmt.Sprint(wenjiangJ)}, "adopt_status": {"adopted"}, "adopt_since": {"2024-06-01"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit the entry: %d", res.StatusCode)
		}
		got, _ := st.Store.CatalogEntries.Get(ctx, e.ID)
		if got.Name != "户口迁移（川渝通办）" || len(got.Adoptions) != 1 || got.Adoptions[0].JurisdictionID != wenjiangJ || got.Adoptions[0].Status != domain.Adopted || got.Adoptions[0].Since.String() != "2024-06-01" {
			t.Fatalf("after the edit: %+v", got)
		}
		if ev := st.lastAudit(t, "catalog_entries", e.ID); ev.Action != "update" || !strings.Contains(ev.After, "adopted") {
			t.Errorf("the adoption is not audited: %s", ev.After)
		}
		t.Run("StaleVersionRefused", func(t *testing.T) {
			res, body := sec.post(entryPage, url.Values{"csrf": {sec.csrf(opened)}, "version": {fmt.Sprint(e.Version)}, "name": {"旧表单"}, "service_mode": {""}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "该记录已被他人修改") {
				t.Errorf("a stale form: %d", res.StatusCode)
			}
			if after, _ := st.Store.CatalogEntries.Get(ctx, e.ID); after.Version != got.Version {
				t.Error("the stale form changed the entry")
			}
		})
		for name, c := range map[string]*client{"viewer": viewer, "liaison": liaison} {
			t.Run("Refused/"+name, func(t *testing.T) {
				c.t = t
				_, body := c.get(page)
				if strings.Contains(body, `id="entry-add"`) {
					t.Errorf("the %s is offered the add form", name)
				}
				_, body = c.get(entryPage)
				if strings.Contains(body, `id="entry-form"`) || strings.Contains(body, `id="archive-entry"`) || !strings.Contains(body, "温江区 · 已实施") {
					t.Errorf("the %s is offered the entry's forms, or not shown its adoption", name)
				}
				res, body := c.post(entryPage, url.Values{"csrf": {c.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "action": {"archive"}})
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您无权修改此清单条目") {
					t.Errorf("the %s archiving: %d, want 403 with the rule", name, res.StatusCode)
				}
				res, _ = c.post(page+"/entries", url.Values{"csrf": {c.csrf(body)}, "name": {"越权事项"}})
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("the %s adding an entry: %d", name, res.StatusCode)
				}
				if after, _ := st.Store.CatalogEntries.Get(ctx, e.ID); after.Version != got.Version {
					t.Errorf("the %s changed the entry", name)
				}
			})
		}
		_, body = sec.get(entryPage)
		res, _ = sec.post(entryPage, url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "action": {"archive"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d", res.StatusCode)
		}
		if after, _ := st.Store.CatalogEntries.Get(ctx, e.ID); after.ArchivedAt == nil {
			t.Fatal("the entry is not archived")
		}
		if ev := st.lastAudit(t, "catalog_entries", e.ID); ev.Action != "archive" {
			t.Errorf("the archive is not audited: %s", ev.Action)
		}
		if cc, _ := st.Store.Catalogs.Get(ctx, c.ID); cc.RecordedCount != 0 {
			t.Errorf("an archived entry still counts: %d", cc.RecordedCount)
		}
		_, body = sec.get(page)
		if strings.Contains(body, fmt.Sprintf(`<tr id="entry-%d"`, e.ID)) || !strings.Contains(body, `id="archived-entries"`) {
			t.Error("the archived entry is still listed, or not offered for restoring")
		}
		_, body = sec.get(entryPage)
		res, _ = sec.post(entryPage, url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version + 1)}, "action": {"restore"}})
		if after, _ := st.Store.CatalogEntries.Get(ctx, e.ID); res.StatusCode != http.StatusSeeOther || after.ArchivedAt != nil {
			t.Errorf("restore: %d", res.StatusCode)
		}
	})
}

// TestAgreementUpkeepOnThePages: each agreement has a page naming its
// parties and the items under it, linked from the list and the dashboard's
// pairings; the secretariat edits it (parties chosen by name) and makes a
// new one, both audited; a stale edit is refused; a liaison sees no edit
// link and is refused with the rule.
func TestAgreementUpkeepOnThePages(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		sec, _, liaison := st.upkeepUsers(t)
		mech, _ := st.workingGroup(t)
		list, err := st.Store.Agreements.List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(mech.ID)}})
		if err != nil || len(list.Items) == 0 {
			t.Fatalf("agreements: %v", err)
		}
		a := list.Items[0]
		// An item under the agreement, which its page lists.
		items, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(mech.ID)}})
		it := items.Items[0]
		it.AgreementID = a.ID
		if err := st.Store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/agreements/%d", a.ID)
		if _, body := sec.get("/agreements"); !strings.Contains(body, `href="`+page+`"`) || !strings.Contains(body, `id="new-agreement"`) {
			t.Fatal("the list does not link the agreement or offer a new one")
		}
		if _, body := sec.get(fmt.Sprintf("/mechanisms/%d", mech.ID)); !strings.Contains(body, `href="/agreements/`) {
			t.Error("the dashboard's pairings do not link their agreements")
		}
		_, body := sec.get(page)
		if !strings.Contains(body, fmt.Sprintf(`href="/items/%d"`, it.ID)) || !strings.Contains(body, `id="edit-agreement"`) {
			t.Fatal("the agreement's page lacks its item or the edit link")
		}
		_, body = sec.get(page + "/edit")
		opened := body
		form := url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(a.Version)}, "title": {a.Title + "（修订）"}, "kind": {string(a.Kind)},
			"signed_on": {"2021-03-15"}, "terms": {"共建共享"}}
		for _, p := range a.Parties {
			form.Add("party", partyValue(p))
		}
		wenjiang := st.orgID(t, "温江区人民政府")
		form.Add("party", fmt.Sprintf("o:%d", wenjiang))
		if res, _ := sec.post(page+"/edit", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", res.StatusCode)
		}
		got, _ := st.Store.Agreements.Get(ctx, a.ID)
		if got.Title != a.Title+"（修订）" || got.SignedOn.String() != "2021-03-15" || len(got.Parties) != len(a.Parties)+1 || got.Parties[len(a.Parties)].OrganizationID != wenjiang {
			t.Fatalf("after the edit: %+v", got)
		}
		if ev := st.lastAudit(t, "agreements", a.ID); ev.Action != "update" || !strings.Contains(ev.After, "（修订）") {
			t.Errorf("the edit is not audited")
		}
		if _, body := sec.get(page); !strings.Contains(body, "温江区人民政府") {
			t.Error("the page does not name the new party")
		}
		t.Run("StaleVersionRefused", func(t *testing.T) {
			form.Set("csrf", sec.csrf(opened))
			form.Set("title", "旧表单")
			res, body := sec.post(page+"/edit", form)
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "该记录已被他人修改") || !strings.Contains(body, `value="旧表单"`) {
				t.Errorf("a stale edit: %d", res.StatusCode)
			}
		})
		t.Run("OnePartyRefused", func(t *testing.T) {
			_, body := sec.get(page + "/edit")
			res, body := sec.post(page+"/edit", url.Values{"csrf": {sec.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "title": {"单方"}, "kind": {string(a.Kind)},
				"party": {fmt.Sprintf("o:%d", wenjiang)}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "签约双方") {
				t.Errorf("one party: %d", res.StatusCode)
			}
		})
		t.Run("RefusedLiaison", func(t *testing.T) {
			liaison.t = t
			_, body := liaison.get(page)
			if strings.Contains(body, `id="edit-agreement"`) {
				t.Error("the liaison is offered the edit link")
			}
			if _, list := liaison.get("/agreements"); strings.Contains(list, `id="new-agreement"`) {
				t.Error("the liaison is offered a new agreement")
			}
			res, body := liaison.post(page+"/edit", url.Values{"csrf": {liaison.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "title": {"越权"}, "kind": {string(a.Kind)}})
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您无权修改此协议") {
				t.Errorf("the liaison editing: %d, want 403 with the rule", res.StatusCode)
			}
			if after, _ := st.Store.Agreements.Get(ctx, a.ID); after.Version != got.Version {
				t.Error("the liaison changed the agreement")
			}
		})
		t.Run("Create", func(t *testing.T) {
			_, body := sec.get("/agreements/new")
			banan := st.orgID(t, "巴南区人民政府")
			res, _ := sec.post("/agreements/new", url.Values{"csrf": {sec.csrf(body)}, "mechanism": {fmt.Sprint(mech.ID)}, "title": {"温江巴南共建协议"},
				"kind": {"memorandum"}, "signed_on": {"2024-09-01"}, "party": {fmt.Sprintf("o:%d", wenjiang), fmt.Sprintf("o:%d", banan), ""}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d", res.StatusCode)
			}
			list, _ := st.Store.Agreements.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "温江巴南共建协议"}})
			if len(list.Items) != 1 || len(list.Items[0].Parties) != 2 || list.Items[0].MechanismID != mech.ID {
				t.Fatalf("the new agreement: %+v", list.Items)
			}
		})
	})
}

var shownPassword = regexp.MustCompile(`<code id="new-password">([^<]+)</code>`)

// TestAdminUserUpkeepOnThePage: the administrator edits a user's name,
// language and grants, each scope chosen by name (a mechanism, a
// jurisdiction); deactivates them, which ends their session at once, and
// brings them back; resets their password, typed or generated and shown
// once, after which the old one is refused and the new one signs in. A
// stale form is refused; a secretariat may not open or post the page.
func TestAdminUserUpkeepOnThePage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		wenjiang := st.orgID(t, "温江区人民政府")
		wenjiangJ := st.jurisdictionID(t, "温江区")
		const email = "upkeep-user@example.gov.cn"
		victim := st.importUser(t, email, []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}})
		u, err := st.Store.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		admin := st.client(t)
		admin.signIn(st.User.Email, testPassword)
		page := fmt.Sprintf("/admin/users/%d", u.ID)
		stored := func() *domain.User {
			got, err := st.Store.Users.Get(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		_, list := admin.get("/admin/users")
		if !strings.Contains(list, `href="`+page+`"`) || !strings.Contains(list, "单位 温江区人民政府") {
			t.Fatal("the users list does not link the user or name the scope")
		}
		_, body := admin.get(page)
		if !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>温江区人民政府</option>`, wenjiang)) {
			t.Fatal("the grant's unit is not chosen by name")
		}
		opened := body
		form := url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(u.Version)}, "action": {"save"}, "name": {"王联络"}, "locale": {"en"},
			"grant_role": {"secretariat", "viewer", ""}, "grant_scope": {"mechanism", "jurisdiction", ""},
			"grant_mechanism": {fmt.Sprint(mech.ID), "", ""}, "grant_jurisdiction": {"", fmt.Sprint(wenjiangJ), ""}, "grant_unit": {"", fmt.Sprint(wenjiang), ""}}
		if res, _ := admin.post(page, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		got := stored()
		want := []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}, {Role: domain.Viewer, ScopeKind: domain.JurisdictionScope, ScopeID: wenjiangJ}}
		if got.Name != "王联络" || got.Locale != "en" || fmt.Sprint(got.Grants) != fmt.Sprint(want) {
			t.Fatalf("after saving: %s %s %+v", got.Name, got.Locale, got.Grants)
		}
		if ev := st.lastAudit(t, "users", u.ID); ev.Action != "update" || !strings.Contains(ev.After, "secretariat") {
			t.Errorf("the grants are not audited: %s", ev.After)
		}
		t.Run("StaleVersionRefused", func(t *testing.T) {
			form.Set("csrf", admin.csrf(opened))
			form.Set("name", "旧表单")
			res, body := admin.post(page, form)
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "该记录已被他人修改") || !strings.Contains(body, `value="旧表单"`) {
				t.Errorf("a stale form: %d", res.StatusCode)
			}
			if stored().Name != "王联络" {
				t.Error("the stale form changed the user")
			}
		})
		t.Run("ScopeMissingRefused", func(t *testing.T) {
			_, body := admin.get(page)
			res, body := admin.post(page, url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(got.Version)}, "name": {"王联络"}, "locale": {"en"},
				"grant_role": {"liaison"}, "grant_scope": {"organization"}, "grant_mechanism": {""}, "grant_jurisdiction": {""}, "grant_unit": {""}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "授权范围") {
				t.Errorf("a unit grant without a unit: %d", res.StatusCode)
			}
		})

		t.Run("DeactivateEndsTheSession", func(t *testing.T) {
			if res, _ := victim.get("/"); res.StatusCode != http.StatusOK {
				t.Fatalf("before: %d", res.StatusCode)
			}
			_, body := admin.get(page)
			if res, _ := admin.post(page, url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(stored().Version)}, "action": {"disable"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("disable: %d", res.StatusCode)
			}
			if !stored().Disabled {
				t.Fatal("the user is not disabled")
			}
			if res, _ := victim.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
				t.Errorf("the deactivated user's session still works: %d", res.StatusCode)
			}
			if res := st.client(t).signIn(email, testPassword); res.StatusCode == http.StatusSeeOther {
				t.Error("the deactivated user signs in")
			}
			_, body = admin.get(page)
			if !strings.Contains(body, `id="enable-user"`) {
				t.Fatal("no reactivate button")
			}
			admin.post(page, url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(stored().Version)}, "action": {"enable"}})
			if stored().Disabled {
				t.Fatal("the user is not reactivated")
			}
			victim = st.client(t)
			if res := victim.signIn(email, testPassword); res.StatusCode != http.StatusSeeOther {
				t.Errorf("the reactivated user cannot sign in: %d", res.StatusCode)
			}
		})

		t.Run("ResetPassword", func(t *testing.T) {
			_, body := admin.get(page)
			res, body := admin.post(page+"/password", url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(stored().Version)}, "password": {"a one-time password"}})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `<code id="new-password">a one-time password</code>`) {
				t.Fatalf("reset: %d", res.StatusCode)
			}
			if res, _ := victim.get("/"); res.StatusCode != http.StatusSeeOther {
				t.Errorf("the session survives the reset: %d", res.StatusCode)
			}
			if res := st.client(t).signIn(email, testPassword); res.StatusCode == http.StatusSeeOther {
				t.Error("the old password still signs in")
			}
			if res := st.client(t).signIn(email, "a one-time password"); res.StatusCode != http.StatusSeeOther {
				t.Errorf("the new password is refused: %d", res.StatusCode)
			}
			if ev := st.lastAudit(t, "users", u.ID); strings.Contains(ev.After, "a one-time password") {
				t.Error("the audit trail holds the password")
			}
			// Generated when left empty, shown once.
			_, body = admin.get(page)
			_, body = admin.post(page+"/password", url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(stored().Version)}, "password": {""}})
			m := shownPassword.FindStringSubmatch(body)
			if m == nil || len(m[1]) < 16 {
				t.Fatalf("no generated password shown")
			}
			if res := st.client(t).signIn(email, m[1]); res.StatusCode != http.StatusSeeOther {
				t.Errorf("the generated password is refused: %d", res.StatusCode)
			}
			if _, again := admin.get(page); strings.Contains(again, m[1]) {
				t.Error("the password is shown again")
			}
			_, body = admin.get(page)
			res, body = admin.post(page+"/password", url.Values{"csrf": {admin.csrf(body)}, "version": {fmt.Sprint(stored().Version)}, "password": {"short"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "10") {
				t.Errorf("a short password: %d", res.StatusCode)
			}
		})

		t.Run("CreateWithJurisdictionScope", func(t *testing.T) {
			_, body := admin.get("/admin/users")
			res, _ := admin.post("/admin/users", url.Values{"csrf": {admin.csrf(body)}, "email": {"upkeep-new@example.gov.cn"}, "name": {"温江区读者"},
				"password": {testPassword}, "locale": {"zh-CN"}, "role": {"viewer"}, "scope_kind": {"jurisdiction"}, "jurisdiction": {fmt.Sprint(wenjiangJ)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d", res.StatusCode)
			}
			nu, err := st.Store.UserByEmail(ctx, "upkeep-new@example.gov.cn")
			if err != nil || len(nu.Grants) != 1 || nu.Grants[0].ScopeKind != domain.JurisdictionScope || nu.Grants[0].ScopeID != wenjiangJ {
				t.Fatalf("the new user's grant: %+v %v", nu, err)
			}
		})
		t.Run("SecretariatRefused", func(t *testing.T) {
			sec := st.importUser(t, "upkeep-sec2@example.gov.cn", []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}})
			res, body := sec.get(page)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "管理员") {
				t.Errorf("a secretariat opening the user page: %d", res.StatusCode)
			}
			before := stored()
			_, home := sec.get("/")
			res, _ = sec.post(page, url.Values{"csrf": {sec.csrf(home)}, "version": {fmt.Sprint(before.Version)}, "action": {"disable"}})
			if res.StatusCode != http.StatusForbidden || stored().Version != before.Version {
				t.Errorf("a secretariat deactivating a user: %d", res.StatusCode)
			}
		})
	})
}
