package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// followWorld is the demo's working group seen from 温江: an item 温江
// takes part in, another member unit of the group to mention, and a
// liaison of 温江 signed in.
type followWorld struct {
	mech     *domain.Mechanism
	item     *domain.Item
	wenjiang int64
	side     string // 温江's side
	other    *domain.Organization
	liaison  *client
}

func newFollowWorld(t *testing.T, st *site, email string) followWorld {
	t.Helper()
	ctx := context.Background()
	w := followWorld{wenjiang: st.orgID(t, "温江区人民政府")}
	w.mech, _ = st.workingGroup(t)
	page, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双城生物医药产业高地"}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("item: %v", err)
	}
	w.item = page.Items[0]
	for _, mb := range w.mech.Members {
		if mb.OrganizationID == w.wenjiang {
			w.side = mb.Side
		} else if w.other == nil {
			if w.other, err = st.Store.Organizations.Get(ctx, mb.OrganizationID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if w.side == "" || w.other == nil {
		t.Fatalf("温江 is no member of %s, or it has no other member", w.mech.Name)
	}
	w.liaison = st.importUser(t, email, []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.wenjiang}})
	return w
}

// TestCommentsWithMentions: a liaison comments on its unit's item with an
// @mention, which is stored as the unit's id, found by MentionsOf and shown
// as a link; an unknown @name is refused, naming it and the closest names;
// a liaison of a unit with no part in the item is answered "not found",
// the same as for an item that does not exist; a viewer reads the comments
// but is offered no form, and a comment it sends anyway is refused with
// the reason. Each refusal stores nothing. Comments on a task work alike.
func TestCommentsWithMentions(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		w := newFollowWorld(t, st, "comment-wenjiang@example.gov.cn")
		itemPath := fmt.Sprintf("/items/%d", w.item.ID)
		count := func(t *testing.T) int {
			t.Helper()
			list, err := st.Store.Comments(ctx, domain.Actor{}, "items", w.item.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		_, page := w.liaison.get(itemPath)
		if !strings.Contains(page, `id="comment-form"`) {
			t.Fatal("the item's page offers its party's liaison no comment form")
		}
		since := time.Now().Add(-time.Hour).AddDate(-10, 0, 0)
		body := "请 @" + w.other.Name + " 协调用地指标"
		res, _ := w.liaison.post(itemPath+"/comments", url.Values{"csrf": {w.liaison.csrf(page)}, "body": {body}, "unit": {fmt.Sprint(w.wenjiang)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment = %d, want 303", res.StatusCode)
		}
		list, err := st.Store.Comments(ctx, domain.Actor{}, "items", w.item.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("stored comments %v, %v", list, err)
		}
		c := list[0]
		if c.Body != body || c.UnitID != w.wenjiang || len(c.Mentions) != 1 || c.Mentions[0] != w.other.ID || c.AuthorName != "comment-wenjiang@example.gov.cn" {
			t.Fatalf("stored %+v; want the body, unit %d and the mention of %d", c, w.wenjiang, w.other.ID)
		}
		found, err := st.Store.MentionsOf(ctx, []int64{w.other.ID}, since)
		if err != nil || len(found) != 1 || found[0].ID != c.ID {
			t.Fatalf("MentionsOf(%s) = %v, %v", w.other.Name, found, err)
		}
		if none, _ := st.Store.MentionsOf(ctx, []int64{w.wenjiang}, since); len(none) != 0 {
			t.Errorf("MentionsOf(温江), who writes but is not mentioned = %v", none)
		}
		if later, _ := st.Store.MentionsOf(ctx, []int64{w.other.ID}, c.CreatedAt.Add(time.Second)); len(later) != 0 {
			t.Errorf("MentionsOf since after the comment = %v", later)
		}
		if events, err := st.Store.History(ctx, "comments", c.ID); err != nil || len(events) != 1 || events[0].Action != "create" || events[0].ActorID != c.AuthorID || c.AuthorID == 0 {
			t.Errorf("the comment's audit events %+v, %v; want its creation by its author", events, err)
		}
		_, page = w.liaison.get(itemPath)
		if link := fmt.Sprintf(`<a href="/items?unit=%d" class="mention">@%s</a>`, w.other.ID, w.other.Name); !strings.Contains(page, link) {
			t.Errorf("the mention is not shown as a link %s", link)
		}

		t.Run("UnknownNameRefused", func(t *testing.T) {
			res, page := w.liaison.post(itemPath+"/comments", url.Values{"csrf": {w.liaison.csrf(page)}, "body": {"请 @成都市不存在局 回复"}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("unknown mention = %d, want 422", res.StatusCode)
			}
			if !strings.Contains(page, "没有名为“成都市不存在局”的单位") || !strings.Contains(page, "请 @成都市不存在局 回复</textarea>") {
				t.Errorf("the refusal does not name the unknown unit or lost the text: %s", between(page, `id="comments"`, "</section>"))
			}
			if n := count(t); n != 1 {
				t.Errorf("the refused comment was stored: %d comments", n)
			}
		})
		t.Run("UnreadableRecordNotFound", func(t *testing.T) {
			outsider := st.importUser(t, "comment-qingyang@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: st.orgID(t, "青羊区人民政府")}})
			_, home := outsider.get("/")
			form := url.Values{"csrf": {outsider.csrf(home)}, "body": {"路过"}}
			res, body := outsider.post(itemPath+"/comments", form)
			res2, body2 := outsider.post("/items/987654/comments", form)
			if res.StatusCode != http.StatusNotFound || res2.StatusCode != res.StatusCode {
				t.Errorf("outsider's comment = %d, on no item = %d; want 404 both", res.StatusCode, res2.StatusCode)
			}
			// The pages differ only in the id asked for.
			same := func(body, id string) string { return strings.ReplaceAll(between(body, "<main", "</main>"), id, "N") }
			if same(body, fmt.Sprint(w.item.ID)) != same(body2, "987654") {
				t.Error("the answers differ, telling the item exists")
			}
			if n := count(t); n != 1 {
				t.Errorf("the outsider's comment was stored: %d comments", n)
			}
		})
		t.Run("ViewerReadsOnly", func(t *testing.T) {
			viewer := st.importUser(t, "comment-viewer@example.gov.cn", []domain.Grant{{Role: domain.Viewer, ScopeKind: domain.MechanismScope, ScopeID: w.mech.ID}})
			_, page := viewer.get(itemPath)
			if strings.Contains(page, `id="comment-form"`) || !strings.Contains(page, "协调用地指标") {
				t.Fatal("a viewer is offered the comment form, or does not read the comments")
			}
			res, page := viewer.post(itemPath+"/comments", url.Values{"csrf": {viewer.csrf(page)}, "body": {"我也说一句"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "您的角色只能查看、不能评论此事项") {
				t.Errorf("viewer's comment = %d without the reason", res.StatusCode)
			}
			if n := count(t); n != 1 {
				t.Errorf("the viewer's comment was stored: %d comments", n)
			}
		})
		t.Run("OnATask", func(t *testing.T) {
			task := &domain.Task{MechanismID: w.mech.ID, Year: 2024, Content: "联合编制用地方案", LeadID: w.wenjiang, Status: domain.TaskOpen}
			if err := st.Store.Tasks.Create(ctx, domain.Actor{}, task); err != nil {
				t.Fatal(err)
			}
			taskPath := fmt.Sprintf("/tasks/%d", task.ID)
			_, page := w.liaison.get(taskPath)
			res, _ := w.liaison.post(taskPath+"/comments", url.Values{"csrf": {w.liaison.csrf(page)}, "body": {"@" + w.other.Name + " 请提供数据"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("task comment = %d", res.StatusCode)
			}
			if list, _ := st.Store.Comments(ctx, domain.Actor{}, "tasks", task.ID); len(list) != 1 || list[0].Mentions[0] != w.other.ID {
				t.Errorf("task comments %+v", list)
			}
		})
	})
}

// TestProblemTimelineAndResponse: a problem raised on 温江's item, made
// 温江's responsibility and escalated with a note, then answered by 温江's
// liaison as the unit's response: the page tells raised, the escalation
// with its note and time limit, and the response, in that order. The
// response is offered only to who acts for a responsible unit.
func TestProblemTimelineAndResponse(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		w := newFollowWorld(t, st, "response-wenjiang@example.gov.cn")
		p := &domain.Problem{MechanismID: w.mech.ID, ItemID: w.item.ID, Title: "园区用地指标不足", Tier: domain.Execution, Status: domain.ProblemOpen,
			Responsible: []domain.ResponsibleUnit{{Side: w.side, OrganizationID: w.wenjiang}}}
		if err := st.Store.Problems.Create(ctx, domain.Actor{}, p); err != nil {
			t.Fatal(err)
		}
		esc, err := st.Store.Escalate(ctx, domain.Actor{}, p.ID, p.Version, "提请协调层研究用地指标")
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/problems/%d", p.ID)

		admin := st.client(t)
		admin.signIn(st.User.Email, testPassword)
		if _, page := admin.get(path); !strings.Contains(page, `id="comment-form"`) || strings.Contains(page, `id="comment-response"`) {
			t.Error("the administrator, who acts for no unit, is offered a response (or no comment form)")
		}
		_, page := w.liaison.get(path)
		if !strings.Contains(page, `id="comment-response"`) {
			t.Fatal("温江's liaison is not offered to answer for 温江")
		}
		res, _ := w.liaison.post(path+"/comments", url.Values{"csrf": {w.liaison.csrf(page)}, "body": {"已与自然资源部门对接，月底前报送方案"}, "kind": {"response"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("response = %d", res.StatusCode)
		}
		list, _ := st.Store.Comments(ctx, domain.Actor{}, "problems", p.ID)
		if len(list) != 1 || list[0].Kind != domain.CommentResponse || list[0].UnitID != w.wenjiang {
			t.Fatalf("stored %+v, want 温江's response", list)
		}
		_, page = w.liaison.get(path)
		timeline := between(page, `id="problem-timeline"`, "</ol>")
		raised := strings.Index(timeline, "提出")
		escalated := strings.Index(timeline, "提请协调层研究用地指标")
		due := strings.Index(timeline, "办理时限 "+st.Web.tr("zh-CN").Date(esc.Problem.DueOn))
		response := strings.Index(timeline, "温江区人民政府 反馈")
		answer := strings.Index(timeline, "已与自然资源部门对接")
		if raised < 0 || escalated < 0 || due < 0 || response < 0 || answer < 0 {
			t.Fatalf("the timeline lacks a step (raised %d, note %d, due %d, response %d, text %d): %s", raised, escalated, due, response, answer, timeline)
		}
		if !(raised < escalated && escalated < response && response < answer) {
			t.Errorf("the timeline is out of order: %s", timeline)
		}

		t.Run("ResponseOnlyForResponsibleUnits", func(t *testing.T) {
			p2 := &domain.Problem{MechanismID: w.mech.ID, ItemID: w.item.ID, Title: "另一问题", Tier: domain.Execution, Status: domain.ProblemOpen,
				Responsible: []domain.ResponsibleUnit{}}
			if err := st.Store.Problems.Create(ctx, domain.Actor{}, p2); err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/problems/%d", p2.ID)
			_, page := w.liaison.get(path)
			if strings.Contains(page, `id="comment-response"`) {
				t.Error("a response is offered on a problem 温江 is not responsible for")
			}
			res, page := w.liaison.post(path+"/comments", url.Values{"csrf": {w.liaison.csrf(page)}, "body": {"代为反馈"}, "kind": {"response"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "单位反馈须代表") {
				t.Errorf("a response for no responsible unit = %d without the reason", res.StatusCode)
			}
		})
	})
}

// TestTaskPageUpdate: the task page links back to the decision and meeting
// the task came from; its lead unit's liaison sets it done with a progress
// text, which is stored; a cooperating unit's liaison reads the task but is
// offered no form, is told why, and a change it sends anyway is refused
// with the reason and changes nothing. The tasks list, filtered by unit,
// links to the task.
func TestTaskPageUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		w := newFollowWorld(t, st, "task-wenjiang@example.gov.cn")
		mt := &domain.Meeting{MechanismID: w.mech.ID, Number: 9, Title: "工作组第九次会议", HeldOn: domain.MustDate("2024-11-20"), HeldOnPrecision: domain.DayPrecision,
			Decisions: []domain.MeetingDecision{{Text: "共建生物医药中试平台，年底前投运"}}}
		if err := st.Store.Meetings.Create(ctx, domain.Actor{}, mt); err != nil {
			t.Fatal(err)
		}
		task := &domain.Task{MechanismID: w.mech.ID, Year: 2024, Content: "共建生物医药中试平台", LeadID: w.wenjiang, Cooperating: []int64{w.other.ID},
			Status: domain.TaskOpen, DueOn: domain.MustDate("2024-12-31"), DecisionID: mt.Decisions[0].ID}
		if err := st.Store.Tasks.Create(ctx, domain.Actor{}, task); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/tasks/%d", task.ID)
		_, list := w.liaison.get(fmt.Sprintf("/tasks?unit=%d", w.wenjiang))
		if !strings.Contains(list, `href="`+path+`"`) {
			t.Error("the tasks of 温江 do not link to the task")
		}
		_, page := w.liaison.get(path)
		if back := fmt.Sprintf(`href="/meetings/%d#decision-%d"`, mt.ID, mt.Decisions[0].ID); !strings.Contains(page, back) {
			t.Errorf("the task does not link back to its decision (%s)", back)
		}
		if !strings.Contains(page, `id="task-form"`) {
			t.Fatal("the lead unit's liaison is offered no update form")
		}
		res, _ := w.liaison.post(path, url.Values{"csrf": {w.liaison.csrf(page)}, "version": {fmt.Sprint(task.Version)}, "status": {"done"}, "progress": {"平台已投入运行"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("update = %d", res.StatusCode)
		}
		stored, _ := st.Store.Tasks.Get(ctx, task.ID)
		if stored.Status != domain.TaskDone || stored.Progress != "平台已投入运行" {
			t.Fatalf("stored %s %q", stored.Status, stored.Progress)
		}
		if _, page := w.liaison.get(path); !strings.Contains(page, `<dd id="task-status">已完成</dd>`) {
			t.Error("the page does not show the task done")
		}

		cooperating := st.importUser(t, "task-other@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.other.ID}})
		outsider := st.importUser(t, "task-qingyang@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: st.orgID(t, "青羊区人民政府")}})
		if res, _ := outsider.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("a liaison of a unit with no part in the task reads its page: %d", res.StatusCode)
		}
		_, page = cooperating.get(path)
		if strings.Contains(page, `id="task-form"`) || !strings.Contains(page, "只有牵头单位的联络员和机制秘书处可以修改此任务") {
			t.Error("the cooperating unit's liaison is offered the form, or not told why not")
		}
		res, page = cooperating.post(path, url.Values{"csrf": {cooperating.csrf(page)}, "version": {fmt.Sprint(stored.Version)}, "status": {"advancing"}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(page, "只有牵头单位的联络员和机制秘书处可以修改此任务") {
			t.Errorf("the cooperating unit's change = %d without the reason", res.StatusCode)
		}
		if again, _ := st.Store.Tasks.Get(ctx, task.ID); again.Version != stored.Version || again.Status != domain.TaskDone {
			t.Errorf("the refused change was stored: %s v%d", again.Status, again.Version)
		}
	})
}

// between returns the part of s from the first from to the next to after it.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}
