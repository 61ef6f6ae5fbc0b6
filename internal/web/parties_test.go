package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestPartiesAndScheduleOnTheItemPage: the form creates an item whose
// Chongqing side has a cooperating unit and no lead; the item page lists
// each side's units in the source's order with the lead marked, shows the
// quarterly schedule with the current quarter, offers to derive milestones,
// and names the schedule in the history in the page's language.
func TestPartiesAndScheduleOnTheItemPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		wenjiang, banan, drc := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府"), st.orgID(t, "成都市发展和改革委员会")
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		_, body := c.get(fmt.Sprintf("/items/new?mechanism=%d&batch=%d", m.ID, batch.ID))
		res, page := c.post("/items/new", url.Values{"csrf": {c.csrf(body)}, "mechanism": {fmt.Sprint(m.ID)}, "batch": {fmt.Sprint(batch.ID)},
			"title": {"会展联动"}, "status": {"advancing"}, "lead-chengdu": {fmt.Sprint(wenjiang)}, "lead-chongqing": {""}, "coop-chongqing": {fmt.Sprint(banan)},
			"schedule.q1": {"签订协议"}, "schedule.q2": {"联合办展"}, "schedule.q4": {"总结评估"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create without a Chongqing lead: %d\n%.2000s", res.StatusCode, page)
		}
		path := res.Header.Get("Location")
		var id int64
		fmt.Sscanf(path, "/items/%d", &id)
		it, err := st.Store.Items.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if it.Lead("chongqing") != 0 || len(it.Parties) != 2 || it.Schedule.Q2 != "联合办展" {
			t.Fatalf("created with parties %+v, schedule %+v", it.Parties, it.Schedule)
		}
		// The source names the cooperating unit before the lead.
		it.Parties = []domain.Party{{Side: "chongqing", OrganizationID: banan, Role: domain.CooperatingUnit},
			{Side: "chengdu", OrganizationID: drc, Role: domain.CooperatingUnit}, {Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}}
		it.Schedule.Q3 = "扩大规模"
		if err := st.Store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}

		_, page = c.get(path)
		inOrder(t, page, "成都市发展和改革委员会", "温江区人民政府", `<span class="tag">牵头</span>`, "巴南区人民政府")
		for _, want := range []string{"进度安排（2024年）", "联合办展", "扩大规模", `aria-current="date">四季度 <span class="tag">本季度</span>`, `id="derive-milestones"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the item page (zh) lacks %q", want)
			}
		}
		history := page[strings.Index(page, `<ol class="history">`):]
		if !strings.Contains(history, "进度安排") || strings.Contains(history, "schedule") {
			t.Errorf("the history names the schedule so: %.600s", history)
		}

		c.post("/language", url.Values{"csrf": {c.csrf(page)}, "locale": {"en"}, "back": {"/"}})
		_, page = c.get(path)
		en := func(id int64) string {
			o, err := st.Store.Organizations.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if o.NameEN != "" {
				return template.HTMLEscapeString(o.NameEN)
			}
			return o.Name
		}
		inOrder(t, page, en(drc), en(wenjiang), `<span class="tag">lead</span>`, en(banan))
		for _, want := range []string{"Quarterly schedule (2024)", `aria-current="date">Q4 <span class="tag">this quarter</span>`, "Add milestones from the schedule"} {
			if !strings.Contains(page, want) {
				t.Errorf("the item page (en) lacks %q", want)
			}
		}
		if history := page[strings.Index(page, `<ol class="history">`):]; !strings.Contains(history, "quarterly schedule") {
			t.Errorf("the history (en) names the schedule so: %.600s", history)
		}

		// Deriving is a change of milestones; the secretariat acts for no
		// side, so with both sides taking part it waits for both.
		cur, _ := st.Store.Items.Get(ctx, id)
		res, _ = c.post(path+"/milestones/from-schedule", url.Values{"csrf": {c.csrf(page)}, "version": {fmt.Sprint(cur.Version)}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?change=held") {
			t.Fatalf("derive: %d to %s", res.StatusCode, res.Header.Get("Location"))
		}
		held, _ := st.Store.Items.Get(ctx, id)
		if len(held.Pending) != 1 || len(held.Pending[0].Milestones) != 4 || held.Pending[0].Milestones[1].DueOn.String() != "2024-06-30" {
			t.Fatalf("pending %+v", held.Pending)
		}
	})
}

// inOrder fails unless page holds each of texts, one after the other.
func inOrder(t *testing.T, page string, texts ...string) {
	t.Helper()
	at := 0
	for _, s := range texts {
		i := strings.Index(page[at:], s)
		if i < 0 {
			t.Errorf("%q is missing after position %d, or out of order", s, at)
			return
		}
		at += i + len(s)
	}
}
