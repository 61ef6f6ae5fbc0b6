package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
)

// TestLiaisonAddsMilestoneInTheBrowser: 温江's liaison opens the edit page
// from the item page, adds a milestone in the row the form offers, saves,
// and is told the milestone waits for 重庆 to confirm — at 1280 and at
// 360 px, in Chinese and in English; the milestone is not applied.
func TestLiaisonAddsMilestoneInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	ctx := context.Background()
	m, batch := st.workingGroup(t)
	wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
	it := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江巴南共建医药园区", Status: domain.Advancing,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}}
	if err := st.Store.Items.Create(ctx, domain.Actor{}, it); err != nil {
		t.Fatal(err)
	}
	u := &domain.User{Email: "wj-browser@example.gov.cn", Name: "温江联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	b.signIn(st.URL, u.Email)
	shots := t.TempDir()
	itemPage := fmt.Sprintf("%s/items/%d", st.URL, it.ID)
	held := 0
	for _, c := range []struct {
		lang          string
		width, height int64
		phone         bool
		waiting       string
	}{
		{"zh-CN", 1280, 900, false, "等待重庆方确认"},
		{"zh-CN", 360, 780, true, "等待重庆方确认"},
		{"en", 1280, 900, false, "waiting for Chongqing to confirm"},
		{"en", 360, 780, true, "waiting for Chongqing to confirm"},
	} {
		name := fmt.Sprintf("%s-%d", c.lang, c.width)
		b.viewport(c.width, c.height, c.phone)
		b.do(name+": item page", chromedp.Navigate(itemPage), chromedp.WaitVisible(chromedp.ID("item-title")))
		if b.eval(`document.documentElement.lang`) != c.lang {
			b.do("switch language", chromedp.Click(chromedp.ID("switch-language")))
			b.waitFor("language "+c.lang, fmt.Sprintf(`document.documentElement.lang === %q`, c.lang))
		}
		b.do(name+": open the edit page", chromedp.Click(chromedp.ID("edit-item")), chromedp.WaitVisible(chromedp.ID("item-edit")))
		b.checkPage(name + " edit page")
		// The stored milestones come first; the row after them is the one
		// to add with.
		n := len(st.storedItem(t, it.ID).Milestones)
		row := fmt.Sprintf(`[name="milestones[%d].title"]`, n)
		due := strings.Replace(row, "title", "due_on", 1)
		title := "浏览器里添加的节点 " + name
		// "Add a milestone" brings one more row; htmx swaps in the rows
		// alone, without leaving the page (without script the page comes
		// back whole, as the page test shows).
		b.eval(`window.__stayed = "yes"`)
		b.do(name+": one more row", chromedp.Click(chromedp.ID("add-milestone")))
		b.waitFor(name+": a second blank row", fmt.Sprintf(`!!document.querySelector('[name="milestones[%d].title"]') && window.__stayed === "yes"`, n+1))
		b.do(name+": add a milestone",
			chromedp.ScrollIntoView(chromedp.CSS(row)),
			chromedp.SetValue(chromedp.CSS(row), title),
			chromedp.SetValue(chromedp.CSS(due), "2025-06-30"),
		)
		b.screenshotTo(shots, name+"-edit")
		b.do(name+": save", chromedp.Click(chromedp.ID("save-item")))
		b.waitFor(name+": back on the item page", `location.pathname === `+fmt.Sprintf("%q", fmt.Sprintf("/items/%d", it.ID))+` && !!document.querySelector(".flash.ok")`)
		if got := b.text(".flash.ok"); !strings.Contains(got, c.waiting) {
			t.Errorf("%s: the page says %q, want it to say %q", name, got, c.waiting)
		}
		b.checkPage(name + " held")
		b.screenshotTo(shots, name+"-held")
		held++
		got := st.storedItem(t, it.ID)
		if len(got.Milestones) != 0 || len(got.Pending) != held || got.Pending[held-1].Milestones[0].Title != title {
			t.Fatalf("%s: milestones %+v applied, or not held (%d pending)", name, got.Milestones, len(got.Pending))
		}
	}
}

// screenshotTo writes the whole page to dir/name.png: screenshots of this
// test are not kept in the repository.
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
