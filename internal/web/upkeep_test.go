package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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
