package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/liandong/liandong/internal/domain"
)

// mapLabelsCollide counts the pairs of district names the map shows over
// each other, and the names cut by its edge: the scatter series' labels
// ECharts left visible, by their drawn rectangles.
const mapLabelsCollide = `(() => {
  const c = echarts.getInstanceByDom(document.querySelector("#pairing-map"));
  const s = c.getModel().getSeriesByType("scatter")[0];
  const data = s.getData();
  const boxes = [];
  for (let i = 0; i < data.count(); i++) {
    const el = data.getItemGraphicEl(i);
    // The label hangs on the symbol's path, the group's first child.
    const path = el && (el.childAt ? el.childAt(0) : el);
    const label = path && path.getTextContent();
    if (!label || label.ignore || label.invisible || label.style.opacity === 0) { continue; }
    const r = label.getBoundingRect().clone();
    r.applyTransform(label.getComputedTransform());
    boxes.push(r);
  }
  // A name cut by the figure's edge counts as a collision too.
  let n = boxes.filter(r => r.x < 0 || r.y < 0 || r.x + r.width > c.getWidth() || r.y + r.height > c.getHeight()).length;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (boxes[i].intersect(boxes[j])) { n++; }
    }
  }
  return String(boxes.length) + " " + String(n);
})()`

// TestDashboardInTheBrowser: the dashboard at 1280 and 360 px and in 大屏
// mode, in Chinese and English: the figures first, every chart drawn, the
// map large with no two district names over each other, the pairing list
// beside the map at 1280 and below it at 360, and in 大屏 mode no menu and
// a page that reloads itself. Screenshots go to LIANDONG_SCREENSHOTS, or
// a temporary directory.
func TestDashboardInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	ctx := context.Background()
	m, batch := st.workingGroup(t)
	wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
	pr := &domain.Problem{MechanismID: m.ID, Title: "共建园区用地指标待协调", Tier: domain.Decision, Status: domain.ProblemOpen,
		DueOn: domain.MustDate("2024-11-16"), Responsible: []domain.ResponsibleUnit{{Side: "chengdu", OrganizationID: wenjiang}}}
	if err := st.Store.Problems.Create(ctx, domain.Actor{}, pr); err != nil {
		t.Fatal(err)
	}
	red := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "成渝联合实验室建设", Status: domain.Advancing, Light: domain.Red,
		LightReason: "选址未定", Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}}
	if err := st.Store.Items.Create(ctx, domain.Actor{}, red); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("LIANDONG_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	dashboard := fmt.Sprintf("%s/mechanisms/%d", st.URL, m.ID)
	drawn := `Array.from(document.querySelectorAll("[data-chart]")).every(e => e.dataset.drawn === "true" || !e.offsetParent)`
	b.signIn(st.URL, st.User.Email)
	for _, lang := range []string{"zh-CN", "en"} {
		b.viewport(1280, 900, false)
		if lang == "en" {
			b.do("switch to English", chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("switch-language")), chromedp.Click(chromedp.ID("switch-language")))
			b.waitFor("English", `document.documentElement.lang === "en"`)
		}
		for _, vp := range []struct {
			name   string
			w, h   int64
			mobile bool
		}{{"1280", 1280, 900, false}, {"360", 360, 740, true}} {
			name := fmt.Sprintf("dashboard-%s-%s", lang, vp.name)
			b.viewport(vp.w, vp.h, vp.mobile)
			b.do(name, chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("figures")))
			b.waitFor(name+": charts drawn", drawn)
			if got := b.eval(`String(document.querySelectorAll("#decisions ol.decisions a").length)`); got != "2" {
				t.Errorf("%s: %s things needing a decision, want the problem and the red item", name, got)
			}
			// The figures come before any table.
			if v := b.eval(`String(document.querySelector("#figures").getBoundingClientRect().top < document.querySelector("table").getBoundingClientRect().top)`); v != "true" {
				t.Errorf("%s: a table comes before the figures", name)
			}
			if v := b.eval(`document.querySelector("#figures li:nth-child(2)").getBoundingClientRect().top === document.querySelector("#figures li:nth-child(1)").getBoundingClientRect().top ? "row" : "column"`); v != "row" {
				t.Errorf("%s: the first two figures are not side by side", name)
			}
			mapBox := b.eval(`(() => { const r = document.querySelector("#pairing-map").getBoundingClientRect(); const l = document.querySelector(".pair-list").getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height), l.top >= r.bottom ? "below" : "beside"].join(" "); })()`)
			var w, h int
			var where string
			fmt.Sscan(mapBox, &w, &h, &where)
			switch {
			case vp.w == 1280 && (w < 780 || where != "beside"):
				t.Errorf("%s: map %d px wide with the list %s, want two thirds of the page with the list beside it", name, w, where)
			case vp.w == 360 && (h < 320 || w < 280 || where != "below"):
				t.Errorf("%s: map %d×%d px with the list %s, want at least 320 px tall and the list below", name, w, h, where)
			}
			var shown, collide int
			fmt.Sscan(b.eval(mapLabelsCollide), &shown, &collide)
			if shown < 3 || collide > 0 {
				t.Errorf("%s: %d district names shown on the map, %d pairs over each other", name, shown, collide)
			}
			b.screenshotTo(shots, name)
			shotCtx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
			png, err := chromedp.Run(shotCtx, chromedp.Screenshot(chromedp.ID("pairing-map")))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, name+"-map.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
			b.checkPage(name)
		}

		// 大屏: reached by its link, no menu, reloading itself.
		name := "dashboard-" + lang + "-screen"
		b.viewport(1920, 1080, false)
		b.do(name, chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.ID("screen-link")), chromedp.Click(chromedp.ID("screen-link")))
		b.waitFor(name+": opened", `location.search === "?screen=1" && document.readyState === "complete"`)
		b.waitFor(name+": charts drawn", drawn)
		if v := b.eval(`String(!!document.querySelector("header.top, nav"))`); v != "false" {
			t.Errorf("%s: the menu is shown", name)
		}
		if v := b.eval(`document.body.dataset.refresh`); v != strconv.Itoa(screenRefresh) {
			t.Errorf("%s: reloads every %q s, want %d", name, v, screenRefresh)
		}
		if v := b.eval(`String(!document.querySelector("#fullscreen").hidden === !!document.fullscreenEnabled)`); v != "true" {
			t.Errorf("%s: the full-screen button does not follow the browser's Fullscreen API", name)
		}
		b.screenshotTo(shots, name)
		b.checkPage(name)
		b.viewport(1280, 900, false)
		b.do("leave "+name, chromedp.Click(chromedp.ID("screen-exit")))
		b.waitFor("left "+name, `location.search === "" && !!document.querySelector("header.top")`)
	}
}
