package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
)

var meetingLocation = regexp.MustCompile(`^/meetings/(\d+)`)

// meetingOf returns the stored meeting a redirect's Location names.
func (st *site) meetingOf(t *testing.T, res *http.Response) *domain.Meeting {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answered %d, want 303", res.StatusCode)
	}
	m := meetingLocation.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q, not to a meeting", res.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	mt, err := st.Store.Meetings.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return mt
}

// TestMeetingPreparedThroughThePages: the secretariat's whole round of a
// meeting in the browser, on both databases — create it (number defaulting
// to the next), edit it with minutes and decisions, build its agenda (add,
// reorder, remove), record attendance, create a task and an item from a
// decision, prepare the next meeting (a draft carrying what is unfinished),
// and see an escalated problem arrive on that draft. A leader and a
// liaison get none of the controls, and a refused POST says why and
// changes nothing.
func TestMeetingPreparedThroughThePages(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		wenjiang := st.orgID(t, "温江区人民政府")
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)

		_, list := c.get("/meetings")
		if !strings.Contains(list, `id="meeting-new"`) {
			t.Fatal("the meeting list offers no new meeting to an administrator")
		}
		_, form := c.get(fmt.Sprintf("/meetings/new?mechanism=%d", mech.ID))
		if !strings.Contains(form, `name="number" inputmode="numeric" required value="3"`) {
			t.Fatal("the number does not default to the working group's next (3)")
		}
		fields := url.Values{"csrf": {c.csrf(form)}, "mechanism": {fmt.Sprint(mech.ID)}, "title": {"成渝双核联动工作组第三次会议"},
			"number": {"3"}, "held_on": {"2024-11-20"}, "place": {"重庆"}, "format": {"hybrid"}, "chair": {"张组长"}, "status": {"held"}}
		bad := url.Values{}
		for k, v := range fields {
			bad[k] = v
		}
		bad.Set("held_on", "2024/11/20")
		if res, body := c.post("/meetings/new", bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "张组长") || !strings.Contains(body, "YYYY-MM-DD") {
			t.Fatalf("a bad date: %d, or the input or the reason was lost", res.StatusCode)
		}
		res, _ := c.post("/meetings/new", fields)
		mt := st.meetingOf(t, res)
		if mt.Number != 3 || mt.Chair != "张组长" || mt.Status != domain.MeetingHeld || mt.Format != domain.Hybrid || mt.HeldOn.String() != "2024-11-20" {
			t.Fatalf("stored %+v", mt)
		}
		path := fmt.Sprintf("/meetings/%d", mt.ID)

		t.Run("EditMinutesAndDecisions", func(t *testing.T) {
			_, form := c.get(path + "/edit")
			res, _ := c.post(path+"/edit", url.Values{"csrf": {c.csrf(form)}, "version": {fmt.Sprint(mt.Version)}, "title": {mt.Title}, "number": {"3"},
				"held_on": {"2024-11-20"}, "place": {"重庆两江新区"}, "format": {"hybrid"}, "chair": {"张组长"}, "status": {"held"},
				"minutes": {"各成员单位汇报推进情况。"}, "decision_new": {"建立联合招商机制。"}})
			mt = st.meetingOf(t, res)
			if mt.Minutes != "各成员单位汇报推进情况。" || mt.Place != "重庆两江新区" || len(mt.Decisions) != 1 || mt.Decisions[0].ID == 0 {
				t.Fatalf("after edit: %+v", mt)
			}
			// Edit the decision's text: it keeps its id.
			_, form = c.get(path + "/edit")
			id := mt.Decisions[0].ID
			res, _ = c.post(path+"/edit", url.Values{"csrf": {c.csrf(form)}, "version": {fmt.Sprint(mt.Version)}, "title": {mt.Title}, "number": {"3"},
				"held_on": {"2024-11-20"}, "format": {"hybrid"}, "status": {"held"}, "minutes": {mt.Minutes},
				"decision_id": {fmt.Sprint(id)}, "decision_text": {"建立联合招商工作机制。"}})
			mt = st.meetingOf(t, res)
			if len(mt.Decisions) != 1 || mt.Decisions[0].ID != id || mt.Decisions[0].Text != "建立联合招商工作机制。" {
				t.Fatalf("the decision was not edited in place: %+v", mt.Decisions)
			}
		})

		items, err := listAll(ctx, nil, st.Store.Items, map[string]string{"mechanism": fmt.Sprint(mech.ID), "status": "advancing"})
		if err != nil || len(items) < 2 {
			t.Fatalf("the working group's items: %d %v", len(items), err)
		}
		open := &domain.Problem{MechanismID: mech.ID, ItemID: items[0].ID, Title: "跨区审批衔接不畅", Tier: domain.Coordination, Status: domain.ProblemOpen}
		solved := &domain.Problem{MechanismID: mech.ID, ItemID: items[0].ID, Title: "场地协调", Tier: domain.Coordination, Status: domain.ProblemOpen}
		for _, p := range []*domain.Problem{open, solved} {
			if err := st.Store.Problems.Create(ctx, domain.Actor{}, p); err != nil {
				t.Fatal(err)
			}
		}
		agendaPost := func(t *testing.T, form url.Values) *domain.Meeting {
			t.Helper()
			_, page := c.get(path)
			form.Set("csrf", c.csrf(page))
			form.Set("version", fmt.Sprint(mt.Version))
			res, _ := c.post(path+"/agenda", form)
			return st.meetingOf(t, res)
		}
		t.Run("AgendaAddReorderRemove", func(t *testing.T) {
			_, page := c.get(path + "?agenda_q=" + url.QueryEscape(items[1].Title))
			option := func(it *domain.Item) *regexp.Regexp {
				return regexp.MustCompile(fmt.Sprintf(`<option value="%d">[^<]*%s</option>`, it.ID, regexp.QuoteMeta(html.EscapeString(it.Title))))
			}
			if !option(items[1]).MatchString(page) || option(items[0]).MatchString(page) {
				t.Error("the agenda builder's item list is not filtered by what was typed")
			}
			mt = agendaPost(t, url.Values{"op": {"add"}, "kind": {"topic"}, "topic": {"听取专项工作汇报"}})
			mt = agendaPost(t, url.Values{"op": {"add"}, "kind": {"item"}, "item": {fmt.Sprint(items[0].ID)}})
			mt = agendaPost(t, url.Values{"op": {"add"}, "kind": {"problem"}, "problem": {fmt.Sprint(open.ID)}})
			mt = agendaPost(t, url.Values{"op": {"add"}, "kind": {"problem"}, "problem": {fmt.Sprint(solved.ID)}})
			mt = agendaPost(t, url.Values{"op": {"add"}, "kind": {"item"}, "item": {fmt.Sprint(items[1].ID)}})
			if len(mt.Agenda) != 5 {
				t.Fatalf("agenda after adding: %+v", mt.Agenda)
			}
			mt = agendaPost(t, url.Values{"op": {"up"}, "index": {"1"}}) // the item above the topic
			if mt.Agenda[0].ItemID != items[0].ID || mt.Agenda[1].Kind != domain.AgendaTopicKind {
				t.Fatalf("agenda after moving up: %+v", mt.Agenda)
			}
			mt = agendaPost(t, url.Values{"op": {"down"}, "index": {"0"}})
			if mt.Agenda[0].Kind != domain.AgendaTopicKind || mt.Agenda[1].ItemID != items[0].ID {
				t.Fatalf("agenda after moving down: %+v", mt.Agenda)
			}
			mt = agendaPost(t, url.Values{"op": {"remove"}, "index": {"4"}})
			if len(mt.Agenda) != 4 || mt.Agenda[3].ProblemID != solved.ID {
				t.Fatalf("agenda after removing: %+v", mt.Agenda)
			}
			// A form read before the last change is refused, and says so.
			_, page = c.get(path)
			res, body := c.post(path+"/agenda", url.Values{"csrf": {c.csrf(page)}, "version": {fmt.Sprint(mt.Version - 1)}, "op": {"remove"}, "index": {"0"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "已被他人修改") {
				t.Errorf("a stale agenda form: %d", res.StatusCode)
			}
			if got, _ := st.Store.Meetings.Get(ctx, mt.ID); len(got.Agenda) != 4 {
				t.Error("the stale form changed the agenda")
			}
		})

		t.Run("AttendanceSaved", func(t *testing.T) {
			_, page := c.get(path)
			var chengdu, chongqing int64
			for _, mb := range mech.Members {
				if mb.Side == "chengdu" && chengdu == 0 {
					chengdu = mb.OrganizationID
				}
				if mb.Side == "chongqing" && chongqing == 0 {
					chongqing = mb.OrganizationID
				}
			}
			if chengdu == 0 || chongqing == 0 || !strings.Contains(page, fmt.Sprintf(`name="attended-%d"`, chongqing)) {
				t.Fatal("the attendance form does not list the members of both sides")
			}
			res, _ := c.post(path+"/attendance", url.Values{"csrf": {c.csrf(page)}, "version": {fmt.Sprint(mt.Version)},
				fmt.Sprintf("attended-%d", chengdu): {"on"}, fmt.Sprintf("reported-%d", chengdu): {"on"}, fmt.Sprintf("report-%d", chengdu): {"完成联合招商方案"},
				fmt.Sprintf("attended-%d", chongqing): {"on"}})
			mt = st.meetingOf(t, res)
			want := []domain.Attendee{{OrganizationID: chengdu, Reported: true, Report: "完成联合招商方案"}, {OrganizationID: chongqing}}
			if fmt.Sprint(mt.Attendees) != fmt.Sprint(want) {
				t.Fatalf("attendees = %+v, want %+v", mt.Attendees, want)
			}
			if _, page := c.get(path); !strings.Contains(page, "完成联合招商方案") {
				t.Error("the meeting page does not show what the unit reported")
			}
		})

		t.Run("DecisionToTaskAndItem", func(t *testing.T) {
			dec := mt.Decisions[0].ID
			_, page := c.get(path)
			res, _ := c.post(path+"/tasks", url.Values{"csrf": {c.csrf(page)}, "decision": {fmt.Sprint(dec)}, "year": {"2025"},
				"content": {"制定联合招商清单"}, "lead": {fmt.Sprint(wenjiang)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("task from decision: %d", res.StatusCode)
			}
			if !strings.Contains(page, fmt.Sprintf(`href="/items/new?mechanism=%d&amp;decision=%d"`, mech.ID, dec)) {
				t.Fatal("the decision offers no item form")
			}
			_, form := c.get(fmt.Sprintf("/items/new?mechanism=%d&decision=%d", mech.ID, dec))
			if !strings.Contains(form, fmt.Sprintf(`name="decision" value="%d"`, dec)) {
				t.Fatal("the item form does not carry the decision")
			}
			res, _ = c.post("/items/new", url.Values{"csrf": {c.csrf(form)}, "mechanism": {fmt.Sprint(mech.ID)}, "decision": {fmt.Sprint(dec)},
				"title": {"联合招商平台"}, "status": {"not_started"}, "lead-chengdu": {fmt.Sprint(wenjiang)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("item from decision: %d", res.StatusCode)
			}
			tasks, _ := listAll(ctx, nil, st.Store.Tasks, map[string]string{"decision": fmt.Sprint(dec)})
			all, _ := listAll(ctx, nil, st.Store.Items, map[string]string{"mechanism": fmt.Sprint(mech.ID)})
			var linked []string
			for _, it := range all {
				if it.DecisionID == dec {
					linked = append(linked, it.Title)
				}
			}
			if len(tasks) != 1 || fmt.Sprint(linked) != "[联合招商平台]" {
				t.Fatalf("from the decision: tasks %d, items %v", len(tasks), linked)
			}
			_, page = c.get(path)
			if !strings.Contains(page, "制定联合招商清单") || !strings.Contains(page, "联合招商平台") {
				t.Error("the meeting page does not link the task and the item back under their decision")
			}
		})

		var draft *domain.Meeting
		t.Run("PrepareNextCarriesUnfinished", func(t *testing.T) {
			solved.Status, solved.Resolution = domain.ProblemResolved, "已协调"
			if err := st.Store.Problems.Update(ctx, domain.Actor{}, solved); err != nil {
				t.Fatal(err)
			}
			_, page := c.get(path)
			if !strings.Contains(page, "准备下次会议") {
				t.Fatal("a held meeting offers no 准备下次会议")
			}
			res, body := c.post(path+"/next", url.Values{"csrf": {c.csrf(page)}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "必填") {
				t.Fatalf("no date: %d, or no reason", res.StatusCode)
			}
			res, _ = c.post(path+"/next", url.Values{"csrf": {c.csrf(page)}, "held_on": {"2024-12-20"}})
			draft = st.meetingOf(t, res)
			if draft.Status != domain.MeetingDraft || draft.Number != 4 || draft.Title != mech.Name+"第四次会议" || draft.HeldOn.String() != "2024-12-20" {
				t.Fatalf("the draft: %+v", draft)
			}
			want := []domain.AgendaItem{{Kind: domain.AgendaItemKind, ItemID: items[0].ID}, {Kind: domain.AgendaProblemKind, ProblemID: open.ID}}
			if fmt.Sprint(draft.Agenda) != fmt.Sprint(want) {
				t.Fatalf("carried %+v, want the unfinished item and the open problem %+v", draft.Agenda, want)
			}
			_, page = c.get(fmt.Sprintf("/meetings/%d", draft.ID))
			if strings.Contains(page, `id="prepare-next"`) || !strings.Contains(page, "草稿") {
				t.Error("the draft's page does not say it is a draft, or offers to prepare a next one")
			}
			// Its pack, while it is a draft dated ahead, runs from the last
			// meeting to today (the store's clock: 25 November 2024), not to
			// a day that has not come, and says 草稿 on its title line.
			res, md := c.get(fmt.Sprintf("/meetings/%d/pack.md", draft.ID))
			if res.StatusCode != http.StatusOK || !strings.Contains(md, draft.Title+"会议材料（草稿）") {
				t.Fatalf("the draft's pack: %d, no 草稿 on its title line", res.StatusCode)
			}
			if !strings.Contains(md, "2024年11月21日至2024年11月25日") || strings.Contains(md, "至2024年12月20日") {
				t.Errorf("the draft's pack does not run from the last meeting to today:\n%.600s", md)
			}
		})

		t.Run("EscalationReachesTheDraft", func(t *testing.T) {
			if draft == nil {
				t.Skip("no draft was prepared")
			}
			// A meeting held before the draft's date: before drafts, the
			// escalation went to the next meeting by date, this one.
			special := &domain.Meeting{MechanismID: mech.ID, Number: 5, Title: "专题会议", HeldOn: domain.MustDate("2024-12-05"),
				HeldOnPrecision: domain.DayPrecision, Status: domain.MeetingHeld}
			if err := st.Store.Meetings.Create(ctx, domain.Actor{}, special); err != nil {
				t.Fatal(err)
			}
			low := &domain.Problem{MechanismID: mech.ID, ItemID: items[1].ID, Title: "用地指标不足", Tier: domain.Execution, Status: domain.ProblemOpen}
			if err := st.Store.Problems.Create(ctx, domain.Actor{}, low); err != nil {
				t.Fatal(err)
			}
			out, err := st.Store.Escalate(ctx, domain.Actor{User: st.User, UserID: st.User.ID, Name: st.User.Name}, low.ID, low.Version, "请工作组协调")
			if err != nil {
				t.Fatal(err)
			}
			if out.Meeting == nil || out.Meeting.ID != draft.ID {
				t.Fatalf("escalated onto %+v, want the draft %d", out.Meeting, draft.ID)
			}
			got, _ := st.Store.Meetings.Get(ctx, draft.ID)
			if last := got.Agenda[len(got.Agenda)-1]; last.Kind != domain.AgendaProblemKind || last.ProblemID != low.ID {
				t.Fatalf("the draft's agenda: %+v", got.Agenda)
			}
			if sp, _ := st.Store.Meetings.Get(ctx, special.ID); len(sp.Agenda) != 0 {
				t.Error("the escalation also went onto the held meeting")
			}
		})

		t.Run("MonthDateStaysMonth", func(t *testing.T) {
			// The joint meeting of September 2022 is dated by month only;
			// saving its minutes does not turn that into 1 September.
			joint, err := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "重庆成都第一次双核联动联席会议"}})
			if err != nil || len(joint.Items) != 1 || joint.Items[0].HeldOnPrecision != domain.MonthPrecision {
				t.Fatalf("the joint meeting of September 2022: %v", err)
			}
			jm := joint.Items[0]
			jp := fmt.Sprintf("/meetings/%d", jm.ID)
			_, form := c.get(jp + "/edit")
			res, _ := c.post(jp+"/edit", url.Values{"csrf": {c.csrf(form)}, "version": {fmt.Sprint(jm.Version)}, "title": {jm.Title}, "number": {"1"},
				"held_on": {jm.HeldOn.String()}, "format": {string(jm.Format)}, "status": {"held"}, "minutes": {"确定第一批合作项目。"},
				"decision_id": {fmt.Sprint(jm.Decisions[0].ID)}, "decision_text": {jm.Decisions[0].Text}})
			if got := st.meetingOf(t, res); got.HeldOnPrecision != domain.MonthPrecision || got.Minutes != "确定第一批合作项目。" {
				t.Errorf("after saving the minutes: precision %s, minutes %q", got.HeldOnPrecision, got.Minutes)
			}
		})

		t.Run("NonSecretariatGetsNoControls", func(t *testing.T) {
			for i, g := range []domain.Grant{
				{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: mech.ID},
				{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang},
			} {
				u := &domain.User{Email: fmt.Sprintf("meeting-reader%d@example.gov.cn", i), Name: string(g.Role), Locale: "zh-CN", Password: testPassword, Grants: []domain.Grant{g}}
				if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
					t.Fatal(err)
				}
				rc := st.client(t)
				rc.signIn(u.Email, testPassword)
				if _, list := rc.get("/meetings"); strings.Contains(list, `id="meeting-new"`) {
					t.Errorf("%s: the list offers a new meeting", g.Role)
				}
				_, page := rc.get(path)
				for _, control := range []string{`id="meeting-edit"`, `id="meeting-notice"`, `id="agenda-add"`, `id="attendance"`, `id="prepare-next"`, "agenda-remove-0"} {
					if strings.Contains(page, control) {
						t.Errorf("%s: the meeting page offers %s", g.Role, control)
					}
				}
				if g.Role != domain.Liaison {
					continue // a reader's POST stops at the role check; the liaison's reaches the meeting
				}
				before, _ := st.Store.Meetings.Get(ctx, mt.ID)
				res, body := rc.post(path+"/agenda", url.Values{"csrf": {rc.csrf(page)}, "version": {fmt.Sprint(before.Version)}, "op": {"remove"}, "index": {"0"}})
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您无权") || !strings.Contains(body, mt.Title) {
					t.Errorf("a liaison's agenda POST: %d, and the meeting page does not say why", res.StatusCode)
				}
				if after, _ := st.Store.Meetings.Get(ctx, mt.ID); after.Version != before.Version || len(after.Agenda) != len(before.Agenda) {
					t.Error("the refused POST changed the meeting")
				}
				if res, body := rc.get(path + "/edit"); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "您无权") {
					t.Errorf("a liaison's edit page: %d", res.StatusCode)
				}
			}
		})
	})
}

// TestMeetingNoticeReachesWebhook: the notice goes through the mechanism's
// generic webhook (a test server on 127.0.0.1) with the meeting's title,
// date, place, mode, chair, agenda and link; the page says to how many
// channels it went, the delivery log keeps it, and a mechanism without
// channels is told it has none.
func TestMeetingNoticeReachesWebhook(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		var mu sync.Mutex
		var got []notify.WebhookBody
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			var body notify.WebhookBody
			json.Unmarshal(b, &body)
			mu.Lock()
			got = append(got, body)
			mu.Unlock()
		}))
		t.Cleanup(hook.Close)
		st.Store.AllowPrivateTargets = true // the receiver is a test server on 127.0.0.1
		mt := &domain.Meeting{MechanismID: mech.ID, Number: 3, Title: "成渝双核联动工作组第三次会议", HeldOn: domain.MustDate("2024-12-20"),
			HeldOnPrecision: domain.DayPrecision, Place: "重庆", Format: domain.InPerson, Chair: "张组长", Status: domain.MeetingDraft,
			Agenda: []domain.AgendaItem{{Kind: domain.AgendaTopicKind, Topic: "听取专项工作汇报"}}}
		if err := st.Store.Meetings.Create(ctx, domain.Actor{}, mt); err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		path := fmt.Sprintf("/meetings/%d", mt.ID)
		_, page := c.get(path)
		if _, body := c.post(path+"/notice", url.Values{"csrf": {c.csrf(page)}}); !strings.Contains(body, "尚未设置通知渠道") {
			t.Error("a mechanism without channels is not told so")
		}
		ch := &domain.NotificationChannel{MechanismID: mech.ID, Name: "工作组群", Kind: domain.WebhookChannel, Target: hook.URL}
		if err := st.Store.NotificationChannels().Create(ctx, domain.Actor{}, ch); err != nil {
			t.Fatal(err)
		}
		res, body := c.post(path+"/notice", url.Values{"csrf": {c.csrf(page)}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "会议通知已发送到1个通知渠道") {
			t.Fatalf("notice: %d, the page does not say where it went", res.StatusCode)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 1 {
			t.Fatalf("the webhook received %d messages", len(got))
		}
		n := got[0]
		for _, want := range []string{"2024年12月20日", "重庆", "现场会议", "张组长", "1. 听取专项工作汇报", path} {
			if !strings.Contains(n.Text, want) {
				t.Errorf("the notice lacks %q: %s", want, n.Text)
			}
		}
		if n.Kind != notify.NoticeKind || !strings.Contains(n.Subject, mt.Title) {
			t.Errorf("notice kind %q subject %q", n.Kind, n.Subject)
		}
		log, err := st.Store.Deliveries(ctx, store.DeliveryQuery{MechanismID: mech.ID})
		if err != nil || len(log) != 1 || log[0].Status != domain.Delivered {
			t.Errorf("the delivery log: %+v %v", log, err)
		}
	})
}

// TestPrepareNextCarriesAProblemFromBelow: a problem escalated from a
// mechanism below sits on the working group's agenda though its
// secretariat cannot read it; preparing the next meeting carries it all
// the same, while a leader of the group may not prepare one.
func TestPrepareNextCarriesAProblemFromBelow(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		below := &domain.Mechanism{ParentID: mech.ID, Name: "温江区专项组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
			Sides: mech.Sides}
		if err := st.Store.Mechanisms.Create(ctx, domain.Actor{}, below); err != nil {
			t.Fatal(err)
		}
		pr := &domain.Problem{MechanismID: below.ID, Title: "园区用电指标", Tier: domain.Coordination, Status: domain.ProblemOpen}
		if err := st.Store.Problems.Create(ctx, domain.Actor{}, pr); err != nil {
			t.Fatal(err)
		}
		mt := &domain.Meeting{MechanismID: mech.ID, Number: 3, Title: "成渝双核联动工作组第三次会议", HeldOn: domain.MustDate("2024-11-20"),
			HeldOnPrecision: domain.DayPrecision, Status: domain.MeetingHeld, Agenda: []domain.AgendaItem{{Kind: domain.AgendaProblemKind, ProblemID: pr.ID}}}
		if err := st.Store.Meetings.Create(ctx, domain.Actor{}, mt); err != nil {
			t.Fatal(err)
		}
		users := map[domain.Role]*client{}
		for _, role := range []domain.Role{domain.SecretariatRole, domain.Leader} {
			u := &domain.User{Email: string(role) + "-below@example.gov.cn", Name: string(role), Locale: "zh-CN", Password: testPassword,
				Grants: []domain.Grant{{Role: role, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}}}
			if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
				t.Fatal(err)
			}
			users[role] = st.client(t)
			users[role].signIn(u.Email, testPassword)
		}
		if _, err := st.Store.Problems.GetAs(ctx, domain.Actor{User: mustUser(t, st, string(domain.SecretariatRole)+"-below@example.gov.cn")}, pr.ID); err == nil {
			t.Fatal("the working group's secretariat reads the problem from below; the test shows nothing")
		}
		path := fmt.Sprintf("/meetings/%d", mt.ID)
		leader := users[domain.Leader]
		_, page := leader.get(path)
		if res, _ := leader.post(path+"/next", url.Values{"csrf": {leader.csrf(page)}, "held_on": {"2024-12-20"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a leader prepared the next meeting: %d", res.StatusCode)
		}
		sec := users[domain.SecretariatRole]
		_, page = sec.get(path)
		res, body := sec.post(path+"/next", url.Values{"csrf": {sec.csrf(page)}, "held_on": {"2024-12-20"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the secretariat's next meeting: %d %s", res.StatusCode, body)
		}
		draft := st.meetingOf(t, res)
		if len(draft.Agenda) != 1 || draft.Agenda[0].ProblemID != pr.ID {
			t.Fatalf("the draft's agenda %+v does not carry the problem from below", draft.Agenda)
		}
	})
}

func mustUser(t *testing.T, st *site, email string) *domain.User {
	t.Helper()
	page, err := st.Store.Users.List(context.Background(), domain.ListQuery{Filters: map[string]string{"q": email}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("user %s: %v", email, err)
	}
	return page.Items[0]
}
