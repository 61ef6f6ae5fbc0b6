package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
)

// inboxUser adds a user with grants and signs them in.
func (st *site) inboxUser(t *testing.T, email string, grants ...domain.Grant) (*domain.User, *client) {
	t.Helper()
	u := &domain.User{Email: email, Name: email, Locale: "zh-CN", Password: testPassword, Grants: grants}
	if err := st.Store.Users.Create(context.Background(), domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	if res := c.signIn(email, testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return u, c
}

// inboxKeys reads the user's inbox as inbox.For gives it, by the web's
// clock.
func (st *site) inboxKeys(t *testing.T, u *domain.User) []string {
	t.Helper()
	in, err := inbox.For(context.Background(), st.Store, u, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range in.Entries() {
		keys = append(keys, e.Key)
	}
	return keys
}

var (
	dataKey    = regexp.MustCompile(`data-key="([^"]+)"`)
	unreadMark = regexp.MustCompile(`id="inbox-unread"[^>]*>(\d+)<`)
)

func pageKeys(body string) []string {
	var out []string
	for _, m := range dataKey.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// unread is the menu's count on a page: 0 when the menu shows none.
func unread(t *testing.T, body string) int {
	t.Helper()
	m := unreadMark.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

// added returns the keys of after that are not in before.
func added(before, after []string) []string {
	var out []string
	for _, k := range after {
		if !slices.Contains(before, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func sorted(keys ...string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return out
}

// TestInboxListsWhatTheRulesSay builds, on the demo, the situation of
// issue 13's point 3 — an item two liaisons' units lead, whose completion
// the Chongqing side proposed; a problem 温江 is responsible for, past its
// time limit; one at the decision tier 巴南 is responsible for; a task
// 温江 leads; an item on red — and checks that each inbox gains exactly
// what the rules say: a liaison the reports its unit owes, the change
// waiting for its side, its unit's problem, task and red item, nothing of
// a unit it does not act for; the secretariat the report to review and the
// overdue problem; the leader what needs a decision, a viewer nothing. A report handed in on
// the page leaves the liaison's inbox and enters the secretariat's. The
// page, the home page's block and the API list the same entries, and the
// menu's count falls to nought when the inbox is viewed and rises when a
// new entry arises.
func TestInboxListsWhatTheRulesSay(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		wj, wjc := st.inboxUser(t, "wj@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang})
		bn, _ := st.inboxUser(t, "bn@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: banan})
		sec, _ := st.inboxUser(t, "sec@example.gov.cn", domain.Grant{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
		lead, _ := st.inboxUser(t, "lead@example.gov.cn", domain.Grant{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
		// A viewer of the mechanism reads what the leader reads, but decides nothing.
		viewer, _ := st.inboxUser(t, "viewer@example.gov.cn", domain.Grant{Role: domain.Viewer, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
		users := map[string]*domain.User{"liaison 温江": wj, "liaison 巴南": bn, "secretariat": sec, "leader": lead, "viewer": viewer}
		before := map[string][]string{}
		for name, u := range users {
			before[name] = st.inboxKeys(t, u)
		}

		create := func(rs interface {
			Create(context.Context, domain.Actor, *domain.Item) error
		}, it *domain.Item) *domain.Item {
			t.Helper()
			if err := rs.Create(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
			return it
		}
		shared := create(st.Store.Items, &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江巴南共建产业园", Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}})
		red := create(st.Store.Items, &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江滞后的项目", Status: domain.Advancing,
			Light: domain.Red, LightReason: "进度严重滞后",
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}}})
		// 巴南's side proposes completing the shared item: held for 温江.
		proposed, err := st.Store.Items.Get(ctx, shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		proposed.Status = domain.Completed
		if err := st.Store.Items.Update(ctx, domain.ActorFor(bn), proposed); err != nil {
			t.Fatal(err)
		}
		held, err := st.Store.Items.Get(ctx, shared.ID)
		if err != nil || len(held.Pending) != 1 || held.Status != domain.Advancing {
			t.Fatalf("want the completion held for 温江's side: %+v, %v", held, err)
		}
		late := &domain.Problem{MechanismID: m.ID, ItemID: shared.ID, Title: "园区用地指标未落实", Tier: domain.Execution, Status: domain.ProblemOpen,
			DueOn: domain.MustDate("2024-11-20"), Responsible: []domain.ResponsibleUnit{{Side: "chengdu", OrganizationID: wenjiang}}}
		decide := &domain.Problem{MechanismID: m.ID, Title: "跨省审批权限", Tier: domain.Decision, Status: domain.ProblemOpen,
			Responsible: []domain.ResponsibleUnit{{Side: "chongqing", OrganizationID: banan}}}
		for _, p := range []*domain.Problem{late, decide} {
			if err := st.Store.Problems.Create(ctx, domain.Actor{}, p); err != nil {
				t.Fatal(err)
			}
		}
		task := &domain.Task{MechanismID: m.ID, Year: 2024, Content: "温江牵头编制园区规划", LeadID: wenjiang, Status: domain.TaskOpen, DueOn: domain.MustDate("2024-12-31")}
		if err := st.Store.Tasks.Create(ctx, domain.Actor{}, task); err != nil {
			t.Fatal(err)
		}

		period := "2024-11"
		want := map[string][]string{
			"liaison 温江": sorted(
				fmt.Sprintf("report_due/%s/item-%d/org-%d", period, shared.ID, wenjiang),
				fmt.Sprintf("report_due/%s/item-%d/org-%d", period, red.ID, wenjiang),
				fmt.Sprintf("confirmation/change-%d", held.Pending[0].ID),
				fmt.Sprintf("problem/problem-%d", late.ID),
				fmt.Sprintf("task/task-%d", task.ID),
				fmt.Sprintf("red_item/item-%d", red.ID)),
			"liaison 巴南": sorted(
				fmt.Sprintf("report_due/%s/item-%d/org-%d", period, shared.ID, banan),
				fmt.Sprintf("problem/problem-%d", decide.ID)),
			"secretariat": sorted(
				fmt.Sprintf("problem_overdue/problem-%d/execution", late.ID)),
			"leader": sorted(
				fmt.Sprintf("decision_problem/problem-%d", decide.ID),
				fmt.Sprintf("decision_item/item-%d", red.ID)),
			"viewer": nil,
		}
		for name, u := range users {
			if got := added(before[name], st.inboxKeys(t, u)); !slices.Equal(got, want[name]) {
				t.Errorf("%s's inbox gained %v, want %v", name, got, want[name])
			}
		}

		t.Run("PastItsTimeLimitIsLate", func(t *testing.T) {
			in, err := inbox.For(ctx, st.Store, wj, testNow)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range in.Entries() {
				if wantLate := e.Key == fmt.Sprintf("problem/problem-%d", late.ID); e.Late != wantLate {
					t.Errorf("%s (due %s) late: %v, want %v", e.Key, e.Due, e.Late, wantLate)
				}
			}
		})

		t.Run("NothingOfAUnitNotActedFor", func(t *testing.T) {
			in, err := inbox.For(ctx, st.Store, bn, testNow)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range in.Entries() {
				if e.UnitID == wenjiang || strings.Contains(e.Key, fmt.Sprintf("org-%d", wenjiang)) || e.Key == fmt.Sprintf("task/task-%d", task.ID) {
					t.Errorf("巴南's liaison is shown 温江's %s", e.Key)
				}
			}
		})

		t.Run("PageHomeAndAPIListTheSameEntries", func(t *testing.T) {
			keys := st.inboxKeys(t, wj)
			_, home := wjc.get("/")
			if got := pageKeys(home); !slices.Equal(got, keys[:min(homeInboxSize, len(keys))]) {
				t.Errorf("the home block lists %v, the inbox begins %v", got, keys)
			}
			_, page := wjc.get("/inbox")
			if got := pageKeys(page); !slices.Equal(got, keys) {
				t.Errorf("the page lists %v, inbox.For %v", got, keys)
			}
			secret, _, err := st.Store.CreateToken(ctx, domain.Actor{}, wj.ID, "inbox")
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("GET", st.URL+"/api/v1/me/inbox", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var api inbox.Inbox
			if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&api) != nil {
				t.Fatalf("GET /api/v1/me/inbox: %d", res.StatusCode)
			}
			var got []string
			for _, e := range api.Entries() {
				got = append(got, e.Key)
				if e.Link == "" {
					t.Errorf("%s has no link", e.Key)
				}
			}
			if !slices.Equal(got, keys) || api.Total != len(keys) {
				t.Errorf("the API lists %v (total %d), the page %v", got, api.Total, keys)
			}
		})

		t.Run("ReportHandedInLeavesTheInbox", func(t *testing.T) {
			due := fmt.Sprintf("report_due/%s/item-%d/org-%d", period, shared.ID, wenjiang)
			_, page := wjc.get("/inbox")
			link := fmt.Sprintf(`href="/report?unit=%d#entry-%d"`, wenjiang, shared.ID)
			if !strings.Contains(page, link) {
				t.Fatalf("the inbox does not link the report form at the item")
			}
			_, form := wjc.get(fmt.Sprintf("/report?unit=%d", wenjiang))
			id := fmt.Sprint(shared.ID)
			res, _ := wjc.post("/report", url.Values{"csrf": {wjc.csrf(form)}, "unit": {fmt.Sprint(wenjiang)}, "action": {"submit"},
				"text-" + id: {"园区完成规划"}, "percent-" + id: {"30"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit: %d", res.StatusCode)
			}
			if slices.Contains(st.inboxKeys(t, wj), due) {
				t.Errorf("the report handed in is still due")
			}
			reps, err := st.Store.Reports.List(ctx, domain.ListQuery{Filters: map[string]string{"item": id, "unit": fmt.Sprint(wenjiang), "period": period}})
			if err != nil || len(reps.Items) != 1 {
				t.Fatalf("the submitted report: %v", err)
			}
			review := fmt.Sprintf("review/report-%d", reps.Items[0].ID)
			if !slices.Contains(st.inboxKeys(t, sec), review) {
				t.Errorf("the secretariat's inbox does not offer the report for review")
			}
			if slices.Contains(st.inboxKeys(t, lead), review) || slices.Contains(st.inboxKeys(t, wj), review) {
				t.Errorf("someone other than the secretariat is asked to review")
			}
			// Returned (退回), the report is the unit's to correct again.
			back, err := st.Store.ReviewReport(ctx, domain.ActorFor(sec), reps.Items[0].ID, reps.Items[0].Version, false, "缺少投资完成数据")
			if err != nil {
				t.Fatal(err)
			}
			keys := st.inboxKeys(t, wj)
			if returned := fmt.Sprintf("report_returned/report-%d/v%d", back.ID, back.Version); !slices.Contains(keys, returned) || slices.Contains(keys, due) {
				t.Errorf("after the report was returned the liaison's inbox holds %v, want %s in place of %s", keys, returned, due)
			}
			if slices.Contains(st.inboxKeys(t, sec), review) {
				t.Errorf("the returned report still waits for review")
			}
			if _, page := wjc.get("/inbox"); !strings.Contains(page, "缺少投资完成数据") {
				t.Errorf("the inbox does not say why the report was returned")
			}
		})

		t.Run("UnreadCountFallsWhenViewedAndRisesWithANewEntry", func(t *testing.T) {
			_, cc := st.inboxUser(t, "wj2@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang})
			_, home := cc.get("/")
			if n, all := unread(t, home), len(st.inboxKeys(t, wj)); n != all || n == 0 {
				t.Errorf("before the inbox was ever opened the menu counts %d, want all %d", n, all)
			}
			_, page := cc.get("/inbox")
			if n := unread(t, page); n != 0 {
				t.Errorf("on the inbox the menu still counts %d", n)
			}
			if _, home := cc.get("/"); unread(t, home) != 0 {
				t.Errorf("after viewing the inbox the menu counts %d, want 0", unread(t, home))
			}
			more := &domain.Task{MechanismID: m.ID, Year: 2024, Content: "温江牵头的新任务", LeadID: wenjiang, Status: domain.TaskOpen}
			if err := st.Store.Tasks.Create(ctx, domain.Actor{}, more); err != nil {
				t.Fatal(err)
			}
			_, home = cc.get("/items")
			if n := unread(t, home); n != 1 {
				t.Errorf("after a new task the menu counts %d, want 1", n)
			}
			if _, page := cc.get("/inbox"); !strings.Contains(page, fmt.Sprintf(`data-key="task/task-%d"`, more.ID)) {
				t.Errorf("the new task is not in the inbox")
			}
			// An item recorded mid-period owes this period's report: new
			// to the unit, though the period began before it was seen.
			fresh := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江新增的项目", Status: domain.Advancing,
				Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}}}
			if err := st.Store.Items.Create(ctx, domain.Actor{}, fresh); err != nil {
				t.Fatal(err)
			}
			if _, home := cc.get("/"); unread(t, home) != 1 || !strings.Contains(home, fmt.Sprintf(`data-key="report_due/%s/item-%d/org-%d"`, period, fresh.ID, wenjiang)) {
				t.Errorf("after a new item the menu counts %d, want 1 (its report due)", unread(t, home))
			}
		})
	})
}

// TestMentionReachesTheInbox: a comment that names a unit (@巴南区人民政府)
// reaches the inbox of that unit's liaison, linking to the comment on the
// record's page; the writer's own inbox and a unit not named get nothing,
// and a mention on a record the named unit may not read stays out of its
// inbox (the record's own policy holds).
func TestMentionReachesTheInbox(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		wenjiang, banan, qingyang := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府"), st.orgID(t, "青羊区人民政府")
		wj, wjc := st.inboxUser(t, "mention-wj@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang})
		bn, _ := st.inboxUser(t, "mention-bn@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: banan})
		qy, _ := st.inboxUser(t, "mention-qy@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: qingyang})
		shared := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江巴南共建园区", Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}}
		if err := st.Store.Items.Create(ctx, domain.Actor{}, shared); err != nil {
			t.Fatal(err)
		}
		mentions := func(u *domain.User) []inbox.Entry {
			t.Helper()
			in, err := inbox.For(ctx, st.Store, u, testNow)
			if err != nil {
				t.Fatal(err)
			}
			var out []inbox.Entry
			for _, e := range in.Entries() {
				if e.Kind == inbox.Mention {
					out = append(out, e)
				}
			}
			return out
		}
		path := fmt.Sprintf("/items/%d", shared.ID)
		_, page := wjc.get(path)
		body := "请 @巴南区人民政府 和 @青羊区人民政府 确认用地"
		if res, _ := wjc.post(path+"/comments", url.Values{"csrf": {wjc.csrf(page)}, "body": {body}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment: %d", res.StatusCode)
		}
		got := mentions(bn)
		if len(got) != 1 || got[0].Title != shared.Title || !strings.HasPrefix(got[0].Link, path+"#comment-") || got[0].UnitID != banan || !strings.Contains(got[0].Note, "确认用地") {
			t.Fatalf("巴南's inbox mentions %+v; want one entry linking to the comment on %s", got, path)
		}
		if got := mentions(wj); len(got) != 0 {
			t.Errorf("the writer's own inbox holds its mention: %+v", got)
		}
		// 青羊 is named but takes no part in the item: it may not read it,
		// so the inbox does not carry the item's title and text to it.
		if got := mentions(qy); len(got) != 0 {
			t.Errorf("青羊, who may not read the item, got %+v", got)
		}
	})
}
