package web

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/liandong/liandong/internal/domain"
)

// showTips opens a tooltip on every drawn chart of the page, the way a
// pointer resting on its first mark would: the tooltip is where ECharts
// writes HTML, and where a CSP violation or a live title would show.
const showTips = `(() => {
  if (typeof echarts === "undefined") { return 0; }
  let n = 0;
  document.querySelectorAll("[data-chart]").forEach(el => {
    const c = echarts.getInstanceByDom(el);
    if (!c) { return; }
    (c.getOption().series || []).forEach((s, i) => {
      c.dispatchAction({type: "showTip", seriesIndex: i, dataIndex: 0});
      n++;
    });
  });
  return n;
})()`

// linkShape is a page's path with its numbers taken out: one page of each
// shape is visited (one item, one meeting, one catalog …).
var linkShape = regexp.MustCompile(`[0-9]+`)

// TestNoCSPViolationOnAnyPage signs in to the demo and visits every page
// the menu and the pages link to, one of each kind, in Chinese and then in
// English, opening each chart's tooltips: not one CSP violation.
func TestNoCSPViolationOnAnyPage(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	m, _ := st.workingGroup(t)
	// The demo has no problem; one is raised so that its page is visited.
	pr := &domain.Problem{MechanismID: m.ID, Title: "跨市审批标准不一", Tier: domain.Execution, Status: domain.ProblemOpen}
	if err := st.Store.Problems.Create(context.Background(), domain.ActorFor(st.User), pr); err != nil {
		t.Fatal(err)
	}
	b.signIn(st.URL, st.User.Email)
	for _, lang := range []string{"zh-CN", "en"} {
		if b.eval(`document.documentElement.lang`) != lang {
			b.do("switch to "+lang, chromedp.Navigate(st.URL+"/"), chromedp.WaitVisible(chromedp.ID("switch-language")),
				chromedp.Click(chromedp.ID("switch-language")))
			b.waitFor(lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		}
		visited := map[string]string{}
		// The problem board lists problems once a mechanism is chosen.
		queue := []string{fmt.Sprintf("/problems?mechanism=%d", m.ID), "/"}
		for len(queue) > 0 && len(visited) < 80 {
			p := queue[0]
			queue = queue[1:]
			shape := linkShape.ReplaceAllString(strings.SplitN(p, "?", 2)[0], "#")
			if _, seen := visited[shape]; seen {
				continue
			}
			visited[shape] = p
			b.do(lang+" "+p, chromedp.Navigate(st.URL+p), chromedp.WaitReady(chromedp.CSS("body")))
			if !strings.HasSuffix(shape, ".html") {
				b.waitFor("charts drawn on "+p, `Array.from(document.querySelectorAll("[data-chart]")).every(e => e.dataset.drawn === "true" || !e.offsetParent)`)
				b.eval(`String(` + showTips + `)`)
				time.Sleep(150 * time.Millisecond)
			}
			if v := b.eval(`JSON.stringify(window.__csp || [])`); v != "[]" {
				t.Errorf("%s %s: CSP violations %s", lang, p, v)
			}
			var links []string
			if err := json.Unmarshal([]byte(b.eval(`JSON.stringify(Array.from(document.querySelectorAll("a[href]")).map(a => a.getAttribute("href")))`)), &links); err != nil {
				t.Fatal(err)
			}
			for _, l := range links {
				if strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") && !strings.HasPrefix(l, "/assets/") &&
					!regexp.MustCompile(`\.(csv|xlsx|docx|md)(\?|$)`).MatchString(l) {
					queue = append(queue, l)
				}
			}
		}
		var shapes []string
		for s := range visited {
			shapes = append(shapes, s)
		}
		sort.Strings(shapes)
		t.Logf("%s: %d kinds of page: %s", lang, len(shapes), strings.Join(shapes, " "))
		for _, want := range []string{"/", "/mechanisms/#", "/items", "/items/#", "/report", "/problems", "/problems/#", "/meetings", "/meetings/#",
			"/meetings/#/pack.html", "/tasks", "/agreements", "/catalogs", "/catalogs/#", "/indicators", "/admin/users", "/admin/jurisdictions",
			"/admin/mechanisms", "/admin/mechanisms/#"} {
			if _, ok := visited[want]; !ok {
				t.Errorf("%s: no link led to a page %s", lang, want)
			}
		}
	}
}

// TestAgreementTitleInTooltipIsText gives a pairing agreement a title that
// is markup and opens the map's and the graph's tooltips on it: the title
// shows as text, nothing runs, no element is made.
func TestAgreementTitleInTooltipIsText(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	m, _ := st.workingGroup(t)
	ctx := context.Background()
	list, err := st.Store.Agreements.List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(m.ID)}, Limit: 200})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("the working group's agreements: %v", err)
	}
	// Every one of them: whichever the map can place carries the payload.
	for _, a := range list.Items {
		a.Title = xssTitle
		if err := st.Store.Agreements.Update(ctx, domain.ActorFor(st.User), a); err != nil {
			t.Fatal(err)
		}
	}
	b.signIn(st.URL, st.User.Email)
	b.do("dashboard", chromedp.Navigate(fmt.Sprintf("%s/mechanisms/%d", st.URL, m.ID)), chromedp.WaitVisible(chromedp.ID("pairing-map")))
	b.waitFor("pairing map drawn", `document.querySelector("#pairing-map").dataset.drawn === "true"`)
	b.waitFor("pairing figure drawn", `document.querySelector("#pairing-chart").dataset.drawn === "true"`)
	// The map's line of a pairing, through ECharts; the graph's edge by
	// resting the pointer on its middle, as a reader would.
	b.eval(fmt.Sprintf(`(() => { const c = echarts.getInstanceByDom(document.getElementById("pairing-map"));
		c.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: c.getOption().series[0].data.findIndex(d => d.name === %q)}); return ""; })()`, xssTitle))
	var mid []float64
	if err := json.Unmarshal([]byte(b.eval(`(() => { const el = document.getElementById("pairing-chart"); const c = echarts.getInstanceByDom(el);
		const s = c.getOption().series[0], l = s.links[0], r = el.getBoundingClientRect();
		const a = c.convertToPixel({seriesIndex: 0}, [s.data[l.source].x, s.data[l.source].y]), z = c.convertToPixel({seriesIndex: 0}, [s.data[l.target].x, s.data[l.target].y]);
		el.scrollIntoView(); const r2 = el.getBoundingClientRect();
		return JSON.stringify([r2.left + (a[0] + z[0]) / 2, r2.top + (a[1] + z[1]) / 2]); })()`)), &mid); err != nil {
		t.Fatal(err)
	}
	b.do("rest on the pairing", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, mid[0]-3, mid[1]-3), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, mid[0], mid[1]))
	for _, chart := range []string{"pairing-map", "pairing-chart"} {
		shows := fmt.Sprintf(`Array.from(document.querySelectorAll("#%s div")).some(d => d.textContent.includes(%q))`, chart, "window.__xss=2")
		b.waitFor(chart+" tooltip", fmt.Sprintf(`%s || !!document.querySelector("#%s img")`, shows, chart))
		time.Sleep(200 * time.Millisecond) // a broken image's error handler would fire by now
		if v := b.eval(`String(window.__xss)`); v != "undefined" {
			t.Errorf("%s: the title ran in the tooltip (window.__xss = %s)", chart, v)
		}
		if n := b.eval(fmt.Sprintf(`String(document.querySelectorAll("#%s img, #%s script").length)`, chart, chart)); n != "0" {
			t.Errorf("%s: the title made %s elements in the tooltip", chart, n)
		}
		if v := b.eval(`JSON.stringify(window.__csp || [])`); v != "[]" {
			t.Errorf("%s: CSP violations %s", chart, v)
		}
		if b.eval(`String(`+shows+`)`) != "true" {
			t.Errorf("%s: the tooltip does not show the title as text", chart)
		}
	}
}
