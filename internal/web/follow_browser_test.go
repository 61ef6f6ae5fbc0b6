package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
)

// TestLiaisonFollowsThroughInTheBrowser: 温江's liaison, with the pages
// alone, in Chinese and in English, at 1280 and at 360 px, comments on a
// problem of its unit with an @mention of another member unit (by its
// Chinese name, then its English one), which the page shows as a link and
// the store keeps as the unit's id, and sets a task its unit leads to done
// with a progress text.
func TestLiaisonFollowsThroughInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	ctx := context.Background()
	w := newFollowWorld(t, st, "browser-wenjiang@example.gov.cn")
	if w.other.NameEN == "" {
		t.Fatalf("%s has no English name to mention", w.other.Name)
	}
	b.do("sign in",
		chromedp.Navigate(st.URL+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), "browser-wenjiang@example.gov.cn"),
		chromedp.SetValue(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("sign-in")),
		// The menu, which the sign-in page has not: waiting for the
		// language switch, which both have, let the next navigation
		// cancel the sign-in on a slow run.
		chromedp.WaitVisible(chromedp.ID("nav-inbox")),
	)
	for _, lang := range []struct{ locale, mention, done string }{{"zh-CN", w.other.Name, "已完成"}, {"en", w.other.NameEN, "Done"}} {
		if b.eval(`document.documentElement.lang`) != lang.locale {
			b.do("switch language", chromedp.Click(chromedp.ID("switch-language")))
			b.waitFor(lang.locale, fmt.Sprintf(`document.documentElement.lang === %q`, lang.locale))
		}
		for _, width := range []int64{1280, 360} {
			name := fmt.Sprintf("%s-%d", lang.locale, width)
			b.viewport(width, 900, width < 480)
			p := &domain.Problem{MechanismID: w.mech.ID, ItemID: w.item.ID, Title: "用地指标 " + name, Tier: domain.Execution, Status: domain.ProblemOpen,
				Responsible: []domain.ResponsibleUnit{{Side: w.side, OrganizationID: w.wenjiang}}}
			if err := st.Store.Problems.Create(ctx, domain.Actor{}, p); err != nil {
				t.Fatal(err)
			}
			task := &domain.Task{MechanismID: w.mech.ID, Year: 2024, Content: "中试平台 " + name, LeadID: w.wenjiang, Status: domain.TaskOpen}
			if err := st.Store.Tasks.Create(ctx, domain.Actor{}, task); err != nil {
				t.Fatal(err)
			}

			b.do(name+" problem",
				chromedp.Navigate(fmt.Sprintf("%s/problems/%d", st.URL, p.ID)),
				chromedp.WaitVisible(chromedp.ID("comment-form")),
				chromedp.SetValue(chromedp.ID("comment-body"), "@"+lang.mention+" 请协助 "+name),
				chromedp.Click(chromedp.ID("comment-submit")),
			)
			b.waitFor(name+" comment shown", fmt.Sprintf(`!!document.querySelector('#comments a.mention[href="/items?unit=%d"]')`, w.other.ID))
			b.checkPage(name + " problem commented")
			b.screenshot("follow-problem-" + name)
			list, err := st.Store.Comments(ctx, domain.Actor{}, "problems", p.ID)
			if err != nil || len(list) != 1 || len(list[0].Mentions) != 1 || list[0].Mentions[0] != w.other.ID {
				t.Fatalf("%s: stored comments %+v, %v", name, list, err)
			}

			b.do(name+" task",
				chromedp.Navigate(fmt.Sprintf("%s/tasks/%d", st.URL, task.ID)),
				chromedp.WaitVisible(chromedp.ID("task-form")),
				chromedp.SetValue(chromedp.ID("task-status-select"), "done"),
				chromedp.SetValue(chromedp.ID("task-progress-text"), "平台已投运 "+name),
				chromedp.Click(chromedp.ID("task-save")),
			)
			b.waitFor(name+" task done", fmt.Sprintf(`!!document.querySelector("#task-status") && document.querySelector("#task-status").textContent.trim() === %q`, lang.done))
			b.checkPage(name + " task done")
			b.screenshot("follow-task-" + name)
			if got, _ := st.Store.Tasks.Get(ctx, task.ID); got.Status != domain.TaskDone || !strings.HasPrefix(got.Progress, "平台已投运") {
				t.Errorf("%s: stored task %s %q", name, got.Status, got.Progress)
			}
		}
	}
}
