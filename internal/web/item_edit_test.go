package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// editForm is the edit page's form for it as the page fills it: the
// names its inputs carry, so a test changes only what a person would.
func editForm(csrf string, it *domain.Item) url.Values {
	f := url.Values{"csrf": {csrf}, "version": {fmt.Sprint(it.Version)}, "op": {"save"},
		"number": {it.Number}, "title": {it.Title}, "content": {it.Content}, "track": {it.Track}, "mode": {it.Mode},
		"status": {string(it.Status)}, "start_on": {it.StartOn.String()}, "end_on": {it.EndOn.String()},
		"schedule.q1": {it.Schedule.Q1}, "schedule.q2": {it.Schedule.Q2}, "schedule.q3": {it.Schedule.Q3}, "schedule.q4": {it.Schedule.Q4},
		"investment.total": {fmt.Sprint(it.Investment.Total)}, "investment.planned_this_year": {fmt.Sprint(it.Investment.PlannedThisYear)},
		"investment.done": {fmt.Sprint(it.Investment.Done)}}
	if it.Landmark {
		f.Set("landmark", "on")
	}
	for i, pt := range it.Parties {
		k := fmt.Sprintf("parties[%d].", i)
		f.Set(k+"unit", fmt.Sprintf("%s:%d", pt.Side, pt.OrganizationID))
		f.Set(k+"role", string(pt.Role))
	}
	f.Set(fmt.Sprintf("parties[%d].unit", len(it.Parties)), "") // the blank row to add with
	for i, ms := range it.Milestones {
		k := fmt.Sprintf("milestones[%d].", i)
		f.Set(k+"id", fmt.Sprint(ms.ID))
		f.Set(k+"title", ms.Title)
		f.Set(k+"due_on", ms.DueOn.String())
		if !ms.DoneOn.IsZero() {
			f.Set(k+"done", "on")
			f.Set(k+"done_on", ms.DoneOn.String())
		}
	}
	f.Set(fmt.Sprintf("milestones[%d].title", len(it.Milestones)), "")
	return f
}

// editItemFixture is an item of the working group led by 温江 for Chengdu
// and 巴南 for Chongqing, with one open milestone, and the users who
// act on it.
type editItemFixture struct {
	item                                          *domain.Item
	wenjiang, banan                               int64
	secretariat, wjLiaison, bnLiaison, viewer, ld *client
}

func (st *site) editItemFixture(t *testing.T, prefix string) editItemFixture {
	t.Helper()
	ctx := context.Background()
	m, batch := st.workingGroup(t)
	fx := editItemFixture{wenjiang: st.orgID(t, "温江区人民政府"), banan: st.orgID(t, "巴南区人民政府")}
	fx.item = &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Number: "E-1", Title: "温江巴南共建医药园区", Status: domain.Advancing,
		StartOn: domain.MustDate("2024-01-01"), EndOn: domain.MustDate("2025-12-31"),
		Parties:    []domain.Party{{Side: "chengdu", OrganizationID: fx.wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: fx.banan, Role: domain.LeadUnit}},
		Milestones: []domain.Milestone{{Title: "完成园区规划", DueOn: domain.MustDate("2024-12-31")}}}
	if err := st.Store.Items.Create(ctx, domain.Actor{}, fx.item); err != nil {
		t.Fatal(err)
	}
	user := func(name string, g domain.Grant) *client {
		return st.importUser(t, prefix+name+"@example.gov.cn", []domain.Grant{g})
	}
	fx.secretariat = user("secretariat", domain.Grant{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
	fx.wjLiaison = user("wj", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: fx.wenjiang})
	fx.bnLiaison = user("bn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: fx.banan})
	fx.viewer = user("viewer", domain.Grant{Role: domain.Viewer})
	fx.ld = user("leader", domain.Grant{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
	return fx
}

func (st *site) storedItem(t *testing.T, id int64) *domain.Item {
	t.Helper()
	it, err := st.Store.Items.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// openEdit opens the edit page from the item page, as a person would:
// the item page must link it.
func openEdit(t *testing.T, c *client, id int64) string {
	t.Helper()
	_, show := c.get(fmt.Sprintf("/items/%d", id))
	link := fmt.Sprintf(`href="/items/%d/edit"`, id)
	if !strings.Contains(show, link) {
		t.Fatalf("the item page does not link its edit page")
	}
	res, page := c.get(fmt.Sprintf("/items/%d/edit", id))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("edit page: %d", res.StatusCode)
	}
	for _, name := range []string{"title", "investment.total", "investment.planned_this_year", "investment.done", "parties[0].unit", "parties[2].unit",
		"milestones[0].title", "milestones[1].title", "schedule.q4", "end_on", "version"} {
		if !strings.Contains(page, `name="`+name+`"`) {
			t.Fatalf("the edit page has no input %s", name)
		}
	}
	return page
}

// TestItemEditPage: the item page links its edit page to who may change
// the item; a secretariat's new title and investment are applied at once
// and the history shows them; a liaison's milestone marked done, or a unit
// added, waits for the other side, the page says for whom, and the other
// side's liaison confirms it on the item page; a stale form is refused
// with what was typed kept; a viewer or a leader gets no link and a
// refusal explained; bad input names its field.
func TestItemEditPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		fx := st.editItemFixture(t, "edit")
		id := fx.item.ID
		editPath := fmt.Sprintf("/items/%d/edit", id)

		t.Run("SecretariatChangesApplyAtOnce", func(t *testing.T) {
			c := fx.secretariat
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			f := editForm(c.csrf(page), before)
			f.Set("content", "温江巴南共建生物医药园区，一期先行")
			f.Set("investment.done", "12000")
			res, _ := c.post(editPath, f)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/items/%d?change=saved", id) {
				t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			got := st.storedItem(t, id)
			if got.Content != "温江巴南共建生物医药园区，一期先行" || got.Investment.Done != 12000 || len(got.Pending) != 0 {
				t.Fatalf("stored %q %+v, pending %d", got.Content, got.Investment, len(got.Pending))
			}
			if got.Version != before.Version+1 || len(got.Milestones) != 1 || got.Milestones[0].ID != before.Milestones[0].ID || len(got.Parties) != 2 {
				t.Errorf("the save changed what it did not show: v%d, milestones %+v, parties %+v", got.Version, got.Milestones, got.Parties)
			}
			_, show := c.get(res.Header.Get("Location"))
			if !strings.Contains(show, "已保存。") || !strings.Contains(show, "一期先行") {
				t.Errorf("the item page does not say it was saved, or shows the old content")
			}
			history := show[strings.Index(show, "修改记录"):]
			if !strings.Contains(history, "editsecretariat@example.gov.cn · 修改") || !strings.Contains(history, "投资") || !strings.Contains(history, "内容") {
				t.Errorf("the history does not show the secretariat's change of content and investment:\n%s", history)
			}
		})

		t.Run("JointFieldsWaitForBothSides", func(t *testing.T) {
			// The title and the targets are joint: the secretariat, which
			// acts for no side, proposes them, and both leads confirm.
			c := fx.secretariat
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			f := editForm(c.csrf(page), before)
			f.Set("title", "温江巴南共建生物医药园区")
			f.Set("investment.total", "52000")
			f.Set("investment.planned_this_year", "8000.5")
			res, _ := c.post(editPath, f)
			if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?change=held") {
				t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			got := st.storedItem(t, id)
			if got.Title != before.Title || got.Investment != before.Investment || len(got.Pending) != 1 || fmt.Sprint(got.Pending[0].Fields, got.Pending[0].Awaiting) != "[title targets] [chengdu chongqing]" {
				t.Fatalf("stored %q %+v, pending %+v; want the title and targets waiting for both sides", got.Title, got.Investment, got.Pending)
			}
			_, show := c.get(res.Header.Get("Location"))
			if !strings.Contains(show, "拟改名称：温江巴南共建生物医药园区") || !strings.Contains(show, "目标（进度安排、总投资、本年计划投资）") {
				t.Errorf("the item page does not say what waits")
			}
			for _, lead := range []*client{fx.wjLiaison, fx.bnLiaison} {
				lead.t = t
				_, show := lead.get(fmt.Sprintf("/items/%d", id))
				confirm := fmt.Sprintf("/items/%d/changes/%d/confirm", id, got.Pending[0].ID)
				if res, _ := lead.post(confirm, url.Values{"csrf": {lead.csrf(show)}}); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("confirm: %d", res.StatusCode)
				}
			}
			got = st.storedItem(t, id)
			if got.Title != "温江巴南共建生物医药园区" || got.Investment != (domain.Investment{Total: 52000, PlannedThisYear: 8000.5, Done: 12000}) || len(got.Pending) != 0 {
				t.Fatalf("after both leads confirmed: %q %+v, pending %d", got.Title, got.Investment, len(got.Pending))
			}
		})

		t.Run("LiaisonMilestoneDoneWaitsForOtherSide", func(t *testing.T) {
			c := fx.wjLiaison
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			f := editForm(c.csrf(page), before)
			f.Set("milestones[0].done", "on")
			f.Set("milestones[0].done_on", "2024-11-20")
			f.Set("content", "温江先行完成规划")
			res, _ := c.post(editPath, f)
			if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?change=held") {
				t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			got := st.storedItem(t, id)
			if !got.Milestones[0].DoneOn.IsZero() || len(got.Pending) != 1 {
				t.Fatalf("the milestone was marked done without 巴南 (done %s, pending %d)", got.Milestones[0].DoneOn, len(got.Pending))
			}
			if got.Content != "温江先行完成规划" {
				t.Errorf("the content, which needs no other side, was not applied: %q", got.Content)
			}
			if _, show := c.get(res.Header.Get("Location")); !strings.Contains(show, "已保存；部分修改等待重庆方确认。") {
				t.Errorf("the item page does not say whom the change waits for")
			}

			b := fx.bnLiaison
			b.t = t
			_, show := b.get(fmt.Sprintf("/items/%d", id))
			confirm := fmt.Sprintf("/items/%d/changes/%d/confirm", id, got.Pending[0].ID)
			if !strings.Contains(show, confirm) {
				t.Fatalf("巴南's liaison is not offered the confirmation")
			}
			if res, _ := b.post(confirm, url.Values{"csrf": {b.csrf(show)}}); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "change=applied") {
				t.Fatalf("confirm: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			if got := st.storedItem(t, id); got.Milestones[0].DoneOn != domain.MustDate("2024-11-20") || len(got.Pending) != 0 {
				t.Fatalf("after 巴南 confirmed: done %s, pending %d", got.Milestones[0].DoneOn, len(got.Pending))
			}
		})

		t.Run("LiaisonOwnUnitAppliesOtherSidesWaits", func(t *testing.T) {
			c := fx.wjLiaison
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			drc := st.orgID(t, "成都市发展和改革委员会")
			f := editForm(c.csrf(page), before)
			f.Set("parties[2].unit", fmt.Sprintf("chengdu:%d", drc))
			f.Set("parties[2].role", "cooperating")
			res, _ := c.post(editPath, f)
			if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?change=saved") {
				t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			got := st.storedItem(t, id)
			if len(got.Parties) != 3 || len(got.Pending) != 0 {
				t.Fatalf("温江's own side's unit waits: parties %+v, pending %+v", got.Parties, got.Pending)
			}
			// A unit for Chongqing's side is Chongqing's to agree to.
			page = openEdit(t, c, id)
			f = editForm(c.csrf(page), got)
			f.Set("parties[3].unit", fmt.Sprintf("chongqing:%d", st.orgID(t, "重庆市发展和改革委员会")))
			f.Set("parties[3].role", "cooperating")
			res, _ = c.post(editPath, f)
			if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?change=held") {
				t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			got = st.storedItem(t, id)
			if len(got.Parties) != 3 || len(got.Pending) != 1 || len(got.Pending[0].Parties) != 4 {
				t.Fatalf("the unit was added without 巴南: parties %+v, pending %+v", got.Parties, got.Pending)
			}
			if _, show := c.get(res.Header.Get("Location")); !strings.Contains(show, "等待重庆方确认") {
				t.Errorf("the item page does not say whom the change waits for")
			}
		})

		t.Run("StaleVersionRefusedInputKept", func(t *testing.T) {
			c := fx.secretariat
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			f := editForm(c.csrf(page), before)
			f.Set("version", fmt.Sprint(before.Version-1))
			f.Set("title", "过时表单里的新名称")
			f.Set("investment.done", "77777")
			res, body := c.post(editPath, f)
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("stale save = %d, want 409", res.StatusCode)
			}
			if !strings.Contains(body, "该记录已被他人修改") || !strings.Contains(body, `value="过时表单里的新名称"`) || !strings.Contains(body, `value="77777"`) {
				t.Errorf("the refusal does not say why, or loses what was typed")
			}
			if got := st.storedItem(t, id); got.Title != before.Title || got.Version != before.Version || got.Investment.Done == 77777 {
				t.Fatalf("the stale form changed the item: %q v%d", got.Title, got.Version)
			}
		})

		t.Run("ReadersGetNoEditAndRefusalExplained", func(t *testing.T) {
			before := st.storedItem(t, id)
			for name, c := range map[string]*client{"viewer": fx.viewer, "leader": fx.ld} {
				c.t = t
				_, show := c.get(fmt.Sprintf("/items/%d", id))
				if strings.Contains(show, editPath) {
					t.Errorf("%s: the item page links the edit page", name)
				}
				res, body := c.get(editPath)
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您没有权限执行此操作") {
					t.Errorf("%s: edit page = %d, without the reason", name, res.StatusCode)
				}
				f := editForm(c.csrf(show), before)
				f.Set("title", "无权修改")
				res, body = c.post(editPath, f)
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您没有权限执行此操作") || !strings.Contains(body, `class="flash err"`) {
					t.Errorf("%s: save = %d, without an explanation page", name, res.StatusCode)
				}
			}
			if got := st.storedItem(t, id); got.Version != before.Version {
				t.Fatalf("a reader changed the item")
			}
		})

		t.Run("BadInputNamesTheField", func(t *testing.T) {
			c := fx.secretariat
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			f := editForm(c.csrf(page), before)
			f.Set("start_on", "2025-06-01")
			f.Set("end_on", "2025-01-31")
			res, body := c.post(editPath, f)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="end_on-err"`) || !strings.Contains(body, `value="2025-01-31"`) {
				t.Errorf("end before start = %d, the end date not named or not kept", res.StatusCode)
			}
			f = editForm(c.csrf(page), before)
			f.Set("parties[2].unit", "chengdu:999999")
			res, body = c.post(editPath, f)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="parties[2].err"`) || !strings.Contains(html.UnescapeString(body), "999999") {
				t.Errorf("unknown unit = %d, its row not named", res.StatusCode)
			}
			f = editForm(c.csrf(page), before)
			f.Set("investment.total", "很多")
			res, body = c.post(editPath, f)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="investment.total-err"`) || !strings.Contains(body, `value="很多"`) {
				t.Errorf("an amount that is no number = %d, not named or not kept", res.StatusCode)
			}
			if got := st.storedItem(t, id); got.Version != before.Version {
				t.Fatalf("refused input changed the item")
			}
		})

		t.Run("RowsAddedAndMovedWithoutScript", func(t *testing.T) {
			c := fx.secretariat
			c.t = t
			page := openEdit(t, c, id)
			before := st.storedItem(t, id)
			f := editForm(c.csrf(page), before)
			f.Set("milestones[1].title", "开工建设")
			f.Set("milestones[1].due_on", "2025-06-30")
			f.Set("op", "milestone-up-1")
			res, body := c.post(editPath, f)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("move a row = %d", res.StatusCode)
			}
			first, second := strings.Index(body, `value="开工建设"`), strings.Index(body, `value="完成园区规划"`)
			if first < 0 || second < 0 || first > second || !strings.Contains(body, `name="milestones[2].title"`) {
				t.Errorf("the new milestone is not moved first, or no row is offered to add with")
			}
			f.Set("op", "party-add")
			if _, body := c.post(editPath, f); !strings.Contains(body, `name="parties[3].unit"`) {
				t.Errorf("adding a party row offers no second blank row")
			}
			if got := st.storedItem(t, id); got.Version != before.Version {
				t.Fatalf("a row op saved the item")
			}
		})
	})
}

// TestItemEditCustomFields: the mechanism's custom fields are on the edit
// page, a number that is no number is named, and the values are stored
// with their types.
func TestItemEditCustomFields(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		fx := st.editItemFixture(t, "custom")
		m, err := st.Store.Mechanisms.Get(ctx, fx.item.MechanismID)
		if err != nil {
			t.Fatal(err)
		}
		m.CustomFields = append(m.CustomFields,
			domain.CustomField{Key: "land_mu", Label: "用地（亩）", LabelEN: "Land (mu)", Type: domain.NumberField},
			domain.CustomField{Key: "phase", Label: "阶段", LabelEN: "Phase", Type: domain.ChoiceField, Choices: []string{"规划", "建设"}})
		if err := st.Store.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
		c := fx.secretariat
		page := openEdit(t, c, fx.item.ID)
		if !strings.Contains(page, `name="custom.land_mu"`) || !strings.Contains(page, `<option>建设</option>`) {
			t.Fatal("the edit page does not offer the mechanism's custom fields")
		}
		before := st.storedItem(t, fx.item.ID)
		editPath := fmt.Sprintf("/items/%d/edit", fx.item.ID)
		f := editForm(c.csrf(page), before)
		f.Set("custom.land_mu", "三百")
		f.Set("custom.phase", "建设")
		if res, body := c.post(editPath, f); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="custom.land_mu-err"`) || !strings.Contains(body, `<option selected>建设</option>`) {
			t.Fatalf("a number that is no number = %d, not named or the choice not kept", res.StatusCode)
		}
		f.Set("custom.land_mu", "300.5")
		if res, _ := c.post(editPath, f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		if got := st.storedItem(t, fx.item.ID); got.Custom["land_mu"] != 300.5 || got.Custom["phase"] != "建设" {
			t.Fatalf("stored custom fields %v", got.Custom)
		}
	})
}

// TestNewItemWithMilestonesAndInvestment: the new-item form has the same
// investment and milestone rows as the edit page, and they are stored.
func TestNewItemWithMilestonesAndInvestment(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		_, page := c.get(fmt.Sprintf("/items/new?mechanism=%d", m.ID))
		for _, name := range []string{"investment.total", "milestones[0].title", "milestones[0].due_on"} {
			if !strings.Contains(page, `name="`+name+`"`) {
				t.Fatalf("the new-item form has no input %s", name)
			}
		}
		f := url.Values{"csrf": {c.csrf(page)}, "mechanism": {fmt.Sprint(m.ID)}, "batch": {fmt.Sprint(batch.ID)}, "title": {"新建带节点的项目"},
			"status": {"advancing"}, "investment.total": {"3000"}, "investment.done": {"500"},
			"milestones[0].title": {"签订协议"}, "milestones[0].due_on": {"2025-03-31"}, "milestones[1].title": {""}}
		res, _ := c.post("/items/new", f)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", res.StatusCode)
		}
		items, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "新建带节点的项目"}})
		if err != nil || len(items.Items) != 1 {
			t.Fatalf("created item: %v", err)
		}
		it := items.Items[0]
		if it.Investment.Total != 3000 || it.Investment.Done != 500 || len(it.Milestones) != 1 || it.Milestones[0].Title != "签订协议" || it.Milestones[0].DueOn != domain.MustDate("2025-03-31") {
			t.Fatalf("stored %+v %+v", it.Investment, it.Milestones)
		}
	})
}
