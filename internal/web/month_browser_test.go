package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// The month tests walk a whole month of one person's work on the pages
// alone (issue 13): set-up may use the store, the work is clicks and typing
// in Chromium. Each month is walked four times, as four new users, in one
// browser: in Chinese and in English, in a 1280 px window and on a 360 px
// phone.

// monthRun is one walk of a month: the user's language and the window.
type monthRun struct {
	n             int // which walk, for names the walks must not share
	locale        string
	width, height int64
}

func (r monthRun) phone() bool  { return r.width < 480 }
func (r monthRun) name() string { return fmt.Sprintf("%s-%d", r.locale, r.width) }

// pick returns zh for a Chinese walk and en for an English one.
func (r monthRun) pick(zh, en string) string {
	if r.locale == "en" {
		return en
	}
	return zh
}

// walkMonths walks a month four times in one browser, each walk a
// subtest: in Chinese and in English, at 1280 and at 360 px. With
// LIANDONG_TEST_POSTGRES_URL set, two walks run on SQLite and two on
// PostgreSQL, each database seeing both languages and both widths;
// otherwise all four run on SQLite. start sets up a site for its walks
// and returns the walk.
func walkMonths(t *testing.T, start func(t *testing.T, st *site, b *browser) func(t *testing.T, r monthRun)) {
	t.Helper()
	runs := []monthRun{{0, "zh-CN", 1280, 900}, {1, "en", 360, 780}, {2, "en", 1280, 900}, {3, "zh-CN", 360, 780}}
	type database struct {
		name string
		open func(*testing.T) *store.Store
		runs []monthRun
	}
	sqlite := func(t *testing.T) *store.Store { return storetest.MustOpenSQLite(t) }
	dbs := []database{{"sqlite", sqlite, runs}}
	if os.Getenv("LIANDONG_TEST_POSTGRES_URL") != "" {
		dbs = []database{{"sqlite", sqlite, runs[:2]}, {"postgres", func(t *testing.T) *store.Store { return storetest.MustOpenPostgres(t) }, runs[2:]}}
	}
	b := mustStartBrowser(t)
	for _, db := range dbs {
		t.Run(db.name, func(t *testing.T) {
			b.t = t
			walk := start(t, mustStartSiteOn(t, db.open(t)), b)
			for _, r := range db.runs {
				t.Run(r.name(), func(t *testing.T) {
					b.t = t
					b.viewport(r.width, r.height, r.phone())
					walk(t, r)
				})
			}
		})
	}
}

// monthUser adds a user who has never signed in, with one grant, reading
// the pages in the walk's language.
func (st *site) monthUser(t *testing.T, r monthRun, who, name string, g domain.Grant) *domain.User {
	t.Helper()
	u := &domain.User{Email: fmt.Sprintf("month-%s-%d@example.gov.cn", who, r.n), Name: name, Locale: r.locale, Password: testPassword,
		Grants: []domain.Grant{g}}
	if err := st.Store.Users.Create(context.Background(), domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// signInFresh signs u in from the sign-in page in a session of its own
// and waits for the home page.
func (b *browser) signInFresh(base string, u *domain.User) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		b.t.Fatal(err)
	}
	b.do("sign in as "+u.Email,
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), u.Email),
		chromedp.SetValue(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("sign-in")),
	)
	b.waitFor("home", `location.pathname === "/" && !!document.getElementById("home-inbox")`)
	if got := b.eval(`document.documentElement.lang`); got != u.Locale {
		b.t.Errorf("the home page is in %q, want the user's %q", got, u.Locale)
	}
	b.checkPage("home")
}

// menu follows a link of the main menu, unfolding it first on a phone,
// where it is folded behind one button.
func (b *browser) menu(r monthRun, href string) {
	b.t.Helper()
	if r.phone() {
		if got := b.eval(`getComputedStyle(document.getElementById("main-nav")).display`); got != "none" {
			b.t.Errorf("the menu is not folded on a phone (display %q)", got)
		}
		b.do("open the menu", chromedp.Click(chromedp.ID("menu-toggle")), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#main-nav a[href=%q]`, href))))
	}
	b.do("menu "+href, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#main-nav a[href=%q]`, href))))
	b.waitFor("page "+href, fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, href))
}

// shot keeps a screenshot of the page as name-<walk>.png in
// $LIANDONG_SCREENSHOTS, when that is set, to be looked at.
func (b *browser) shot(r monthRun, name string) {
	b.t.Helper()
	dir := os.Getenv("LIANDONG_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	b.screenshotTo(dir, name+"-"+r.name())
}

// TestSecretariatMonthInTheBrowser: the working group's secretariat
// prepares the next meeting from the last one held, puts an item, a
// problem and a topic on its agenda, records a decision, creates a task
// from it, opens the draft's pack and finds the task on /tasks.
func TestSecretariatMonthInTheBrowser(t *testing.T) {
	walkMonths(t, func(t *testing.T, st *site, b *browser) func(*testing.T, monthRun) {
		mech, _ := st.workingGroup(t)
		ctx := context.Background()
		held, err := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "工作组第二次会议"}})
		if err != nil || len(held.Items) != 1 {
			t.Fatalf("meeting no. 2: %v", err)
		}
		last := held.Items[0]
		wenjiang := st.orgID(t, "温江区人民政府")
		// The demo has no problem; a unit raised one this month.
		raised := &domain.Problem{MechanismID: mech.ID, Title: "园区用地指标未落实", Tier: domain.Coordination, Status: domain.ProblemOpen,
			Responsible: []domain.ResponsibleUnit{{Side: "chengdu", OrganizationID: wenjiang}}}
		if err := st.Store.Problems.Create(ctx, domain.Actor{}, raised); err != nil {
			t.Fatal(err)
		}
		return func(t *testing.T, r monthRun) {
			u := st.monthUser(t, r, "secretariat", "工作组办公室", domain.Grant{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID})
			b.signInFresh(st.URL, u)

			b.menu(r, "/meetings")
			b.checkPage("meetings")
			b.do("open the last meeting",
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`main a[href="/meetings/%d"]`, last.ID))),
				chromedp.WaitVisible(chromedp.ID("prepare-next")))
			b.checkPage("held meeting")
			b.do("prepare the next meeting",
				chromedp.Click(chromedp.CSS("#prepare-next summary")),
				chromedp.SetValue(chromedp.ID("next-held-on"), "2024-12-20"),
				chromedp.Click(chromedp.CSS("#prepare-next button[type=submit]")),
			)
			b.waitFor("the draft", `!!document.querySelector("h1 .tag") && !!document.getElementById("agenda-add")`)
			if got := b.text("h1 .tag"); got != r.pick("草稿", "Draft") {
				t.Errorf("the new meeting is marked %q, want it a draft", got)
			}
			draftURL := b.eval(`location.pathname`)
			b.checkPage("draft")
			b.shot(r, "secretariat-1-draft")

			// The agenda: an item, a problem and a topic, each chosen or typed
			// in the agenda's own forms.
			agenda := func(what, form, control string) string {
				t.Helper()
				b.do("open the agenda forms", chromedp.Click(chromedp.CSS("#agenda-add summary")), chromedp.WaitVisible(chromedp.ID(control)))
				var title string
				if form == "agenda-add-topic" {
					title = fmt.Sprintf("听取专项工作汇报 %d", r.n)
					b.do("type the topic", chromedp.SetValue(chromedp.ID(control), title))
				} else {
					title = b.eval(fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.selectedIndex = 1; return s.options[1].textContent.trim(); })()`, control))
				}
				b.do("add "+what, chromedp.Click(chromedp.CSS("#"+form+" button[type=submit]")))
				b.waitFor(what+" on the agenda", fmt.Sprintf(`location.pathname === %q && !!document.querySelector("ol.agenda") && document.querySelector("ol.agenda").textContent.includes(%q)`, draftURL, title))
				return title
			}
			agenda("an item", "agenda-add-item", "agenda-item")
			agenda("a problem", "agenda-add-problem", "agenda-problem")
			topic := agenda("a topic", "agenda-add-topic", "agenda-topic")
			if n := b.eval(`String(document.querySelectorAll("ol.agenda > li").length)`); n != "3" {
				t.Errorf("the agenda holds %s entries, want 3", n)
			}
			if got := b.eval(`Array.from(document.querySelectorAll("ol.agenda > li")).map(li => li.textContent.split(":")[0].trim()).join("|")`); got != r.pick("项目|问题|议题", "Item|Problem|Topic") {
				t.Errorf("the agenda's entries are of kinds %q", got)
			}
			b.checkPage("agenda")
			b.shot(r, "secretariat-2-agenda")

			decision := fmt.Sprintf("建立联合招商机制 %d", r.n)
			b.do("edit the meeting", chromedp.Click(chromedp.ID("meeting-edit")), chromedp.WaitVisible(chromedp.ID("meeting-form")))
			b.checkPage("meeting form")
			b.shot(r, "secretariat-3-form")
			b.do("record a decision",
				chromedp.SetValue(chromedp.ID("decision_new"), decision),
				chromedp.Click(chromedp.CSS("#meeting-form button[type=submit]")),
			)
			b.waitFor("the decision on the page", fmt.Sprintf(`location.pathname === %q && !!document.querySelector("ol.decisions") && document.querySelector("ol.decisions").textContent.includes(%q)`, draftURL, decision))
			task := fmt.Sprintf("制定联合招商清单 %d", r.n)
			b.do("create a task from the decision",
				chromedp.Click(chromedp.CSS("ol.decisions li details summary")),
				chromedp.SetValue(chromedp.CSS("ol.decisions li input[name=year]"), "2025"),
				chromedp.SetValue(chromedp.CSS("ol.decisions li textarea[name=content]"), task),
				chromedp.SetValue(chromedp.CSS("ol.decisions li select[name=lead]"), fmt.Sprint(wenjiang)),
				chromedp.Click(chromedp.CSS("ol.decisions li form button[type=submit]")),
			)
			b.waitFor("the task under its decision", fmt.Sprintf(`!!document.querySelector("ol.decisions a[href^='/tasks/']") && document.querySelector("ol.decisions").textContent.includes(%q)`, task))
			b.checkPage("draft with a task")
			b.shot(r, "secretariat-4-decision")

			// The pack of the draft: the briefing's sections, the agenda as the
			// next steps.
			b.do("open the pack", chromedp.Click(chromedp.CSS(`a[href$="/pack.html"]`)))
			b.waitFor("the pack", `location.pathname.endsWith("/pack.html") && document.title.includes("草稿")`)
			headings := b.eval(`Array.from(document.querySelectorAll("h2")).map(h => h.textContent.trim()).join("|")`)
			for _, want := range []string{"总体情况", "进展和亮点", "下一步工作", "附件"} {
				if !strings.Contains(headings, want) {
					t.Errorf("the pack has no heading %s: %s", want, headings)
				}
			}
			if got := b.eval(`document.body.textContent`); !strings.Contains(got, topic) {
				t.Error("the draft's pack does not list its agenda")
			}
			// On a phone the pack is laid out at the phone's width, not at a
			// desktop's shrunk to fit.
			if got, want := b.eval(`String(document.documentElement.clientWidth)`), fmt.Sprint(r.width); got != want {
				t.Errorf("the pack is laid out %s px wide in a %s px window", got, want)
			}
			if v := b.eval(`String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); v != "true" {
				t.Errorf("the pack scrolls sideways")
			}
			b.shot(r, "secretariat-5-pack")

			// The task is on the list of tasks, found by its year.
			b.do("back to the meeting", chromedp.Navigate(st.URL+draftURL), chromedp.WaitVisible(chromedp.ID("agenda")))
			b.menu(r, "/tasks")
			b.do("tasks of 2025",
				chromedp.SetValue(chromedp.ID("t-year"), "2025"),
				chromedp.Click(chromedp.CSS("form.filters button[type=submit]")))
			b.waitFor("the task on /tasks", fmt.Sprintf(`location.search.includes("year=2025") && document.querySelector("table.list").textContent.includes(%q)`, task))
			b.checkPage("tasks")
			b.shot(r, "secretariat-6-tasks")
		}
	})
}

// TestLiaisonMonthInTheBrowser: 温江's liaison opens 我的待办, taps the
// report due through to the report form and on to the item, adds a
// milestone, which waits for 重庆; 巴南's liaison finds the change in its
// own inbox and confirms it; 温江's liaison then reports with a photo
// attached, submits, and corrects the report with a reason, which the
// report's corrections show.
func TestLiaisonMonthInTheBrowser(t *testing.T) {
	walkMonths(t, func(t *testing.T, st *site, b *browser) func(*testing.T, monthRun) {
		m, batch := st.workingGroup(t)
		ctx := context.Background()
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		photo := filepath.Join(t.TempDir(), "现场照片.png")
		if err := os.WriteFile(photo, tinyPNG(t), 0o644); err != nil {
			t.Fatal(err)
		}
		return func(t *testing.T, r monthRun) {
			it := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: fmt.Sprintf("温江巴南共建医药园区 %d", r.n), Status: domain.Advancing,
				Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}}
			if err := st.Store.Items.Create(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
			wj := st.monthUser(t, r, "wenjiang", "温江联络员", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang})
			bn := st.monthUser(t, r, "banan", "巴南联络员", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: banan})
			in, err := inbox.For(ctx, st.Store, wj, testNow)
			if err != nil {
				t.Fatal(err)
			}
			itemPath := fmt.Sprintf("/items/%d", it.ID)
			reportLink := fmt.Sprintf("/report?unit=%d#entry-%d", wenjiang, it.ID)

			// 我的待办, from the menu: every entry unread until it is first opened.
			b.signInFresh(st.URL, wj)
			if got, want := b.eval(`(document.getElementById("inbox-unread") || {textContent: ""}).textContent`), fmt.Sprint(in.Total); got != want {
				t.Errorf("the menu counts %q unread, want %s", got, want)
			}
			if n := b.eval(`String(document.querySelectorAll('#main-nav a[href="/report"]').length)`); n != "1" {
				t.Errorf("the menu offers the report form %s times, want once", n)
			}
			b.menu(r, "/inbox")
			if got := b.text("main h1"); got != r.pick("我的待办", "My work") {
				t.Errorf("the inbox is titled %q", got)
			}
			b.checkPage("inbox")
			b.shot(r, "liaison-1-inbox")
			b.do("tap the report due",
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inbox-report_due a[href=%q]`, reportLink))),
				chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("entry-%d", it.ID))))
			if got := b.eval(`location.pathname + location.search + location.hash`); got != reportLink {
				t.Errorf("the tap led to %s, want %s", got, reportLink)
			}
			b.checkPage("report form")
			b.do("tap to the item", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#entry-%d legend a`, it.ID))), chromedp.WaitVisible(chromedp.ID("item-title")))
			b.checkPage("item")

			// One more milestone: the form's rows swap in place (htmx), the
			// change is held for 重庆's side.
			b.do("open the edit page", chromedp.Click(chromedp.ID("edit-item")), chromedp.WaitVisible(chromedp.ID("item-edit")))
			b.checkPage("edit page")
			milestone := "签订园区共建协议 " + r.name()
			b.eval(`window.__stayed = "yes"`)
			b.do("one more row", chromedp.Click(chromedp.ID("add-milestone")))
			b.waitFor("a second blank row", `!!document.querySelector('[name="milestones[1].title"]') && window.__stayed === "yes"`)
			b.do("fill the milestone",
				chromedp.ScrollIntoView(chromedp.CSS(`[name="milestones[0].title"]`)),
				chromedp.SetValue(chromedp.CSS(`[name="milestones[0].title"]`), milestone),
				chromedp.SetValue(chromedp.CSS(`[name="milestones[0].due_on"]`), "2025-06-30"),
			)
			b.shot(r, "liaison-2-milestone")
			b.do("save", chromedp.Click(chromedp.ID("save-item")))
			b.waitFor("back on the item page", fmt.Sprintf(`location.pathname === %q && !!document.querySelector(".flash.ok")`, itemPath))
			if got, want := b.text(".flash.ok"), r.pick("等待重庆方确认", "waiting for Chongqing to confirm"); !strings.Contains(got, want) {
				t.Errorf("the page says %q, want it to say %q", got, want)
			}
			b.checkPage("held")
			b.shot(r, "liaison-3-held")
			if got := st.storedItem(t, it.ID); len(got.Milestones) != 0 || len(got.Pending) != 1 {
				t.Fatalf("the milestone was applied (%+v) or not held (%d pending)", got.Milestones, len(got.Pending))
			}

			// The other side confirms from its own inbox.
			b.signInFresh(st.URL, bn)
			b.menu(r, "/inbox")
			b.do("tap the change awaiting 巴南", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inbox-confirmation a[href=%q]`, itemPath))),
				chromedp.WaitVisible(chromedp.ID("pending")))
			// What 巴南 confirms is on the page: the milestones as the change
			// would leave them.
			if got := b.text("#pending ol.proposed"); !strings.Contains(got, milestone) {
				t.Errorf("the change to confirm does not show the milestone proposed: %q", got)
			}
			b.checkPage("item to confirm")
			b.shot(r, "liaison-4-confirm")
			b.do("confirm", chromedp.Click(chromedp.CSS(`#pending form[action$="/confirm"] button`)))
			b.waitFor("confirmed", fmt.Sprintf(`location.pathname === %q && !!document.querySelector(".flash.ok") && !document.getElementById("pending")`, itemPath))
			if got := b.text("ol.timeline"); !strings.Contains(got, milestone) {
				t.Errorf("the item's milestones after confirming: %q", got)
			}
			b.checkPage("confirmed")
			if got := st.storedItem(t, it.ID); len(got.Milestones) != 1 || got.Milestones[0].Title != milestone {
				t.Fatalf("stored milestones %+v", got.Milestones)
			}

			// Back to 温江: the report, a photo with it, submitted, corrected.
			b.signInFresh(st.URL, wj)
			b.menu(r, "/inbox")
			b.do("tap the report due again",
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inbox-report_due a[href=%q]`, reportLink))),
				chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("text-%d", it.ID))))
			text, percent := fmt.Sprintf("#text-%d", it.ID), fmt.Sprintf("#percent-%d", it.ID)
			b.do("write the report",
				chromedp.SetValue(chromedp.CSS(text), "完成园区规划编制，签订共建协议。"),
				chromedp.SetValue(chromedp.CSS(percent), "30"),
				chromedp.Click(chromedp.ID("save-draft")))
			b.waitFor("draft saved", fmt.Sprintf(`location.search.includes("done=draft") && !!document.getElementById("file-%d")`, it.ID))
			b.checkPage("draft")
			b.do("attach a photo",
				chromedp.SetUploadFiles(chromedp.ID(fmt.Sprintf("file-%d", it.ID)), []string{photo}),
				chromedp.Click(chromedp.ID(fmt.Sprintf("attach-button-%d", it.ID))))
			b.waitFor("photo attached", fmt.Sprintf(`location.search.includes("done=attached") && !!document.querySelector("#entry-%d ul.attachments")`, it.ID))
			if got := b.text(fmt.Sprintf("#entry-%d ul.attachments", it.ID)); !strings.Contains(got, "现场照片.png") {
				t.Errorf("the report's attachments: %q", got)
			}
			b.checkPage("attached")
			b.shot(r, "liaison-5-attached")
			b.do("submit", chromedp.Click(chromedp.ID("submit-report")))
			b.waitFor("submitted", fmt.Sprintf(`location.search.includes("done=submitted") && !!document.getElementById("status-%d")`, it.ID))
			b.checkPage("submitted")

			reason := "投资数据填写有误 " + r.name()
			b.do("correct the report",
				chromedp.Click(chromedp.CSS(fmt.Sprintf("#entry-%d details summary", it.ID))),
				chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("reason-%d", it.ID))),
				chromedp.SetValue(chromedp.ID(fmt.Sprintf("percent-c%d", it.ID)), "35"),
				chromedp.SetValue(chromedp.ID(fmt.Sprintf("reason-%d", it.ID)), reason),
			)
			b.shot(r, "liaison-6-correcting")
			b.do("submit the correction", chromedp.Click(chromedp.CSS(fmt.Sprintf("#correct-%d button[type=submit]", it.ID))))
			b.waitFor("corrected", fmt.Sprintf(`location.search.includes("done=corrected") && !!document.getElementById("corrections-%d")`, it.ID))
			if got := b.text(fmt.Sprintf("#corrections-%d", it.ID)); !strings.Contains(got, reason) {
				t.Errorf("the corrections do not show the reason: %q", got)
			}
			if got := b.text(fmt.Sprintf("#entry-%d ul.attachments", it.ID)); !strings.Contains(got, "现场照片.png") {
				t.Errorf("the corrected report lost its photo: %q", got)
			}
			b.checkPage("corrected")
			b.shot(r, "liaison-7-corrected")
		}
	})
}

// TestLeaderMonthInTheBrowser: a leader of the working group signs in and
// finds on the home page and in 我的待办 what needs a decision — a
// problem at the decision tier and a red item — and taps through to each.
func TestLeaderMonthInTheBrowser(t *testing.T) {
	walkMonths(t, func(t *testing.T, st *site, b *browser) func(*testing.T, monthRun) {
		m, batch := st.workingGroup(t)
		ctx := context.Background()
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		red := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江巴南物流通道", Status: domain.Advancing,
			Light: domain.Red, LightReason: "进度严重滞后",
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}}}
		if err := st.Store.Items.Create(ctx, domain.Actor{}, red); err != nil {
			t.Fatal(err)
		}
		decide := &domain.Problem{MechanismID: m.ID, Title: "跨省审批权限待明确", Tier: domain.Decision, Status: domain.ProblemOpen,
			Responsible: []domain.ResponsibleUnit{{Side: "chongqing", OrganizationID: banan}}}
		if err := st.Store.Problems.Create(ctx, domain.Actor{}, decide); err != nil {
			t.Fatal(err)
		}
		problemPath, redPath := fmt.Sprintf("/problems/%d", decide.ID), fmt.Sprintf("/items/%d", red.ID)
		return func(t *testing.T, r monthRun) {
			u := st.monthUser(t, r, "leader", "分管领导", domain.Grant{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
			b.signInFresh(st.URL, u)
			b.shot(r, "leader-1-home")
			home := b.eval(`Array.from(document.querySelectorAll("#home-inbox li")).map(li => li.dataset.kind).join(",")`)
			if !strings.Contains(home, string(inbox.DecisionProblem)) || !strings.Contains(home, string(inbox.DecisionItem)) {
				t.Errorf("the home page does not show what needs a decision: %s", home)
			}
			// A leader reports for no unit: neither the home page nor the menu
			// offers a report form that would be empty.
			if n := b.eval(`String(document.querySelectorAll('a[href="/report"]').length)`); n != "0" {
				t.Errorf("the leader is offered the report form %s times", n)
			}
			b.do("tap the problem to decide", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#home-inbox a[href=%q]`, problemPath))),
				chromedp.WaitVisible(chromedp.ID("problem-tier")))
			if got := b.text("main h1"); got != decide.Title {
				t.Errorf("the problem page is titled %q", got)
			}
			if got := b.text("#problem-tier"); got != r.pick("决策层", "Decision") {
				t.Errorf("the problem's tier %q", got)
			}
			b.checkPage("problem")
			b.shot(r, "leader-2-problem")

			b.menu(r, "/inbox")
			for kind, heading := range map[inbox.Kind]string{
				inbox.DecisionProblem: r.pick("待决策的问题", "Problems awaiting a decision"),
				inbox.DecisionItem:    r.pick("需关注的红灯项目", "Red items needing attention"),
			} {
				if got := b.text(fmt.Sprintf("#inbox-%s h2", kind)); !strings.HasPrefix(got, heading) {
					t.Errorf("the inbox's %s heading %q, want %q", kind, got, heading)
				}
			}
			b.checkPage("inbox")
			b.shot(r, "leader-3-inbox")
			b.do("tap the red item", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inbox-decision_item a[href=%q]`, redPath))),
				chromedp.WaitVisible(chromedp.ID("item-title")))
			if got := b.text("#item-title"); got != red.Title {
				t.Errorf("the item page is titled %q", got)
			}
			if got := b.text("dl.facts"); !strings.Contains(got, r.pick("红灯", "Red")) || !strings.Contains(got, red.LightReason) {
				t.Errorf("the item's facts do not show its red light and why: %q", got)
			}
			b.checkPage("red item")
			b.shot(r, "leader-4-item")
		}
	})
}

// tinyPNG is a 4×4 picture, a photo as far as the attachment check goes.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.RGBA{R: 200, G: uint8(i * 10), B: 80, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
