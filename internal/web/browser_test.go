package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/liandong/liandong/internal/domain"
)

// chromiumPath finds Debian's chromium (or another Chrome). Without one the
// browser tests skip, unless LIANDONG_REQUIRE_BROWSER=1 (CI) makes that a
// failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LIANDONG_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found and LIANDONG_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium found; set LIANDONG_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// browser is one Chromium tab with the console and dialogs watched: a CSP
// violation, a script error or an alert (an XSS payload firing) fails the
// test.
type browser struct {
	t       *testing.T
	ctx     context.Context
	mu      sync.Mutex
	console []string
	dialogs []string
}

func mustStartBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.console = append(b.console, m.String())
				b.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	// Record CSP violations in the page, where the test can read them; this
	// runs through the DevTools protocol, which the policy does not govern.
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });`,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do runs steps with a timeout, failing the test with what went wrong.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(v)
}

// waitFor polls a JavaScript condition until it holds. Errors while the
// page navigates (its context goes away) are retried, not fatal.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("%s: %s never held (last error %v)", what, cond, last)
}

// checkPage asserts what every page must hold: no CSP violation, no
// script error, no dialog, every form control labelled.
func (b *browser) checkPage(name string) {
	b.t.Helper()
	if v := b.eval(`JSON.stringify(window.__csp || [])`); v != "[]" {
		b.t.Errorf("%s: CSP violations %s", name, v)
	}
	unlabelled := b.eval(`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
		.filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.name || e.id).join(",")`)
	if unlabelled != "" {
		b.t.Errorf("%s: controls without a label: %s", name, unlabelled)
	}
	if v := b.eval(`String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); v != "true" {
		b.t.Errorf("%s: the page scrolls sideways", name)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.console) > 0 {
		b.t.Errorf("%s: console errors: %v", name, b.console)
		b.console = nil
	}
	if len(b.dialogs) > 0 {
		b.t.Errorf("%s: a script opened a dialog: %v", name, b.dialogs)
		b.dialogs = nil
	}
}

// screenshot writes the whole page to testdata/screenshots/name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	b.screenshotTo(dir, name)
}

// screenshotTo writes the whole page to dir/name.png.
func (b *browser) screenshotTo(dir, name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) viewport(w, h int64, mobile bool) {
	b.t.Helper()
	if mobile {
		b.do("phone viewport", chromedp.EmulateViewport(w, h, chromedp.EmulateMobile))
	} else {
		b.do("desktop viewport", chromedp.EmulateViewport(w, h))
	}
}

func (b *browser) signIn(base, email string) {
	b.t.Helper()
	b.do("sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), email),
		chromedp.SetValue(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.CSS("ul.batches")),
	)
	b.checkPage("home")
}

// TestNewcomerReportsFromPhone is the "done when": on the demo
// data a new user signs in, finds the first batch, opens an item, creates
// one with a lead unit on each side, submits a report from a 360 px window,
// sees it on the dashboard, escalates a problem, sees the pairing figure
// drawn, and switches to English and back.
func TestNewcomerReportsFromPhone(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	m, batch := st.workingGroup(t)
	ctx := context.Background()
	wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
	dashboard := fmt.Sprintf("%s/mechanisms/%d", st.URL, m.ID)

	// Views the newcomer saved: on a phone they fold, as the filters do.
	for i := range 6 {
		if _, err := st.Store.CreateSavedView(ctx, st.User, fmt.Sprintf("视图%d", i), fmt.Sprintf("batch=%d", batch.ID), 0); err != nil {
			t.Fatal(err)
		}
	}
	b.signIn(st.URL, st.User.Email)

	// Find the first batch and open an item.
	rail, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝中线高铁"}})
	if err != nil || len(rail.Items) != 1 {
		t.Fatalf("成渝中线高铁: %v", err)
	}
	b.do("open the first batch",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/items?batch=%d"]`, batch.ID))),
		chromedp.WaitVisible(chromedp.ID("items-table")),
	)
	if got := b.text("#items-table"); !strings.Contains(got, "成渝中线高铁") {
		t.Fatalf("the first batch lists no 成渝中线高铁: %q", got)
	}
	b.checkPage("items")
	if b.eval(`["filter-fold", "views-fold", "tools-fold"].map(id => document.getElementById(id).open).join(" ")`) != "true true true" {
		t.Error("on a desktop the list's filters, saved views or further tools are folded")
	}
	b.do("open an item",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#items-table a[href="/items/%d"]`, rail.Items[0].ID))),
		chromedp.WaitVisible(chromedp.ID("item-title")),
	)
	if got := b.text("#item-title"); got != "成渝中线高铁" {
		t.Fatalf("item page title %q", got)
	}
	b.checkPage("item")

	// Create an item with a lead unit on each side.
	title := "温江巴南生物医药联合攻关"
	b.do("create an item",
		chromedp.Navigate(fmt.Sprintf("%s/items/new?mechanism=%d&batch=%d", st.URL, m.ID, batch.ID)),
		chromedp.WaitVisible(chromedp.ID("item-form")),
		chromedp.SetValue(chromedp.ID("title"), title),
		chromedp.SetValue(chromedp.ID("status"), string(domain.Advancing)),
		chromedp.SetValue(chromedp.ID("lead-chengdu"), strconv.FormatInt(wenjiang, 10)),
		chromedp.SetValue(chromedp.ID("lead-chongqing"), strconv.FormatInt(banan, 10)),
		chromedp.Click(chromedp.ID("create-item")),
		chromedp.WaitVisible(chromedp.ID("item-title")),
	)
	b.checkPage("new item")
	itemID, err := strconv.ParseInt(strings.TrimPrefix(b.eval(`location.pathname`), "/items/"), 10, 64)
	if err != nil {
		t.Fatalf("not on the new item's page: %v", err)
	}
	it, err := st.Store.Items.Get(ctx, itemID)
	if err != nil || it.Lead("chengdu") != wenjiang || it.Lead("chongqing") != banan {
		t.Fatalf("stored item %+v, %v", it, err)
	}

	b.do("dashboard before", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("reports-submitted")))
	before, _ := strconv.Atoi(b.text("#reports-submitted"))
	if missing := b.text("#reports-missing"); !strings.Contains(missing, title) {
		t.Errorf("the dashboard does not list the new item's missing report: %q", missing)
	}

	// Report from a phone: save a draft, then submit it. On the phone the
	// list's filters fold, and the first item is in reach.
	b.viewport(360, 740, true)
	b.do("the list on a phone", chromedp.Navigate(fmt.Sprintf("%s/items?batch=%d", st.URL, batch.ID)), chromedp.WaitVisible(chromedp.ID("items-table")))
	if b.eval(`["filter-fold", "views-fold", "tools-fold"].map(id => document.getElementById(id).open).join(" ")`) != "false false false" {
		t.Error("on a phone the list's filters, saved views or further tools are not folded")
	}
	if top := b.eval(`String(document.querySelector("#items-table tbody tr").getBoundingClientRect().top < window.innerHeight)`); top != "true" {
		t.Error("on a phone the list's first item is below the first screen: " + b.eval(`["h1", "#views-fold", "#filter-fold", "#items-total", "#tools-fold", "#items-table tbody tr"].map(s => s + "=" + Math.round(document.querySelector(s).getBoundingClientRect().top)).join(" ") + " h=" + window.innerHeight`))
	}
	if got := b.text("#views-fold summary"); !strings.Contains(got, "6") {
		t.Errorf("the folded views' summary %q does not count the six views", got)
	}

	b.checkPage("items on a phone")
	// A view saved without a name is refused; the fold stays open on the
	// message rather than hiding it.
	b.do("save a view without a name",
		chromedp.Click(chromedp.CSS("#tools-fold summary")),
		chromedp.WaitVisible(chromedp.ID("view-name")),
		chromedp.Click(chromedp.CSS("#save-view button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("view-name-err")),
	)
	if b.eval(`String(document.getElementById("tools-fold").open)`) != "true" {
		t.Error("on a phone the refused view's form was folded away")
	}
	b.mu.Lock()
	b.console = nil // the refusal answers 422, which Chromium logs as a failed load
	b.mu.Unlock()

	text := fmt.Sprintf("#text-%d", itemID)
	b.do("fill the report",
		chromedp.Navigate(fmt.Sprintf("%s/report?unit=%d", st.URL, wenjiang)),
		chromedp.WaitVisible(chromedp.CSS(text)),
		chromedp.SetValue(chromedp.CSS(text), "完成联合实验室选址，签订共建协议。"),
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#percent-%d", itemID)), "30"),
		chromedp.Click(chromedp.ID("save-draft")),
	)
	b.waitFor("draft saved", `!!document.querySelector(".flash.ok") && location.search.includes("done=draft")`)
	if got := b.eval(fmt.Sprintf(`document.querySelector(%q).value`, text)); got != "完成联合实验室选址，签订共建协议。" {
		t.Fatalf("the draft was not kept: %q", got)
	}
	if v := b.eval(`String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); v != "true" {
		t.Errorf("the report form scrolls sideways at 360 px")
	}
	b.checkPage("report draft")
	b.do("submit the report", chromedp.Click(chromedp.ID("submit-report")))
	b.waitFor("report submitted", `location.search.includes("done=submitted")`)
	b.screenshot("report-360")
	b.checkPage("report submitted")

	b.do("dashboard on a phone", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("reports-submitted")))
	after, _ := strconv.Atoi(b.text("#reports-submitted"))
	if after != before+1 {
		t.Errorf("submitted reports on the dashboard: %d before, %d after, want one more", before, after)
	}
	if missing := b.text("#reports-missing"); strings.Contains(missing, title+" — 成都") {
		t.Errorf("the dashboard still lists Chengdu's report as missing: %q", missing)
	}
	b.waitFor("pairing figure drawn on a phone", `document.querySelector("#pairing-chart").dataset.drawn === "true"`)
	if v := b.eval(`String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); v != "true" {
		t.Errorf("the dashboard scrolls sideways at 360 px")
	}
	b.screenshot("dashboard-360")
	b.checkPage("dashboard 360")
	b.do("item on a phone", chromedp.Navigate(fmt.Sprintf("%s/items/%d", st.URL, itemID)), chromedp.WaitVisible(chromedp.ID("item-title")))
	if got := b.text("main"); !strings.Contains(got, "完成联合实验室选址") {
		t.Errorf("the item page does not show the report")
	}
	b.screenshot("item-360")

	// The pairing figure at desktop width.
	b.viewport(1280, 900, false)
	b.do("dashboard", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("pairing-chart")))
	b.waitFor("pairing figure drawn", `document.querySelector("#pairing-chart").dataset.drawn === "true"`)
	if v := b.eval(`(() => { const c = document.querySelector("#pairing-chart canvas"); return String(!!c && c.width > 0 && c.height > 0); })()`); v != "true" {
		t.Errorf("the pairing figure has no canvas")
	}
	b.waitFor("pairing map drawn", `document.querySelector("#pairing-map").dataset.drawn === "true"`)
	b.screenshot("dashboard-1280")
	b.checkPage("dashboard")
	b.do("item", chromedp.Navigate(fmt.Sprintf("%s/items/%d", st.URL, itemID)), chromedp.WaitVisible(chromedp.ID("item-title")))
	b.screenshot("item-1280")

	// Raise a problem on the item and escalate it.
	b.do("raise a problem",
		chromedp.Navigate(fmt.Sprintf("%s/problems/new?mechanism=%d&item=%d", st.URL, m.ID, itemID)),
		chromedp.WaitVisible(chromedp.ID("problem-form")),
		chromedp.SetValue(chromedp.ID("title"), "联合实验室用地指标待协调"),
		chromedp.Click(chromedp.ID("raise-problem")),
		chromedp.WaitVisible(chromedp.ID("escalate")),
	)
	if got := b.text("#problem-tier"); got != "执行层" {
		t.Fatalf("new problem's tier %q", got)
	}
	b.checkPage("problem")
	b.do("escalate", chromedp.SetValue(chromedp.ID("note"), "需市级协调"), chromedp.Click(chromedp.ID("escalate")))
	b.waitFor("escalated", `document.querySelector("#problem-tier") && document.querySelector("#problem-tier").textContent.trim() === "协调层"`)
	b.checkPage("problem escalated")

	// English, remembered on the user, then back.
	b.do("dashboard", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("reports-submitted")))
	b.do("switch to English", chromedp.Click(chromedp.ID("switch-language")))
	b.waitFor("English", `document.documentElement.lang === "en"`)
	if got := b.text("#reports-missing h2"); got != "Progress reports this period" {
		t.Errorf("dashboard heading in English: %q", got)
	}
	if u, _ := st.Store.Users.Get(ctx, st.User.ID); u.Locale != "en" {
		t.Errorf("the user's locale is %q, want en", u.Locale)
	}
	b.screenshot("dashboard-1280-en")
	b.checkPage("dashboard en")
	b.do("switch back to Chinese", chromedp.Click(chromedp.ID("switch-language")))
	b.waitFor("Chinese", `document.documentElement.lang === "zh-CN"`)
	if got := b.text("#reports-missing h2"); got != "本期进展填报" {
		t.Errorf("dashboard heading in Chinese: %q", got)
	}
	if u, _ := st.Store.Users.Get(ctx, st.User.ID); u.Locale != "zh-CN" {
		t.Errorf("the user's locale is %q, want zh-CN", u.Locale)
	}

	// The indicator charts draw too, and the list's filters swap the table
	// in place through htmx.
	b.do("indicators", chromedp.Navigate(st.URL+"/indicators"), chromedp.WaitVisible(chromedp.CSS("[data-chart]")))
	b.waitFor("indicator charts drawn", `Array.from(document.querySelectorAll("[data-chart]")).every(e => e.dataset.drawn === "true")`)
	b.checkPage("indicators")
	b.do("items", chromedp.Navigate(st.URL+"/items"), chromedp.WaitVisible(chromedp.ID("items-table")))
	b.do("filter by batch", chromedp.SetValue(chromedp.ID("f-batch"), strconv.FormatInt(batch.ID, 10)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-batch").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.waitFor("filtered in place", fmt.Sprintf(`location.search.includes("batch=%d") && document.querySelectorAll("#items-table tbody tr").length === 7`, batch.ID))
	b.checkPage("items filtered")
}

// xssTitle holds a script element and an image whose error handler would
// run script; both must show as text.
const xssTitle = `<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">`

// TestXSSTitleRendersAsText stores an item whose title is a payload and
// opens the pages that show it in Chromium: nothing runs, the text shows.
func TestXSSTitleRendersAsText(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	m, batch := st.workingGroup(t)
	it := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: xssTitle, Content: xssTitle, Status: domain.Advancing,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: st.orgID(t, "温江区人民政府"), Role: domain.LeadUnit}}}
	if err := st.Store.Items.Create(context.Background(), domain.ActorFor(st.User), it); err != nil {
		t.Fatal(err)
	}
	b.signIn(st.URL, st.User.Email)
	for _, p := range []string{fmt.Sprintf("/items/%d", it.ID), fmt.Sprintf("/items?batch=%d", batch.ID), fmt.Sprintf("/mechanisms/%d", m.ID),
		fmt.Sprintf("/report?unit=%d", st.orgID(t, "温江区人民政府"))} {
		b.do("open "+p, chromedp.Navigate(st.URL+p), chromedp.WaitVisible(chromedp.ID("main")))
		time.Sleep(200 * time.Millisecond) // give a broken image's error handler time to fire
		if v := b.eval(`String(window.__xss)`); v != "undefined" {
			t.Errorf("%s: the payload ran (window.__xss = %s)", p, v)
		}
		if !strings.Contains(b.text("main"), xssTitle) {
			t.Errorf("%s: the title does not show as text", p)
		}
		if n := b.eval(`String(document.querySelectorAll('main script:not([type="application/json"]), main img').length)`); n != "0" {
			t.Errorf("%s: the payload made %s elements", p, n)
		}
		b.checkPage(p)
	}
}
