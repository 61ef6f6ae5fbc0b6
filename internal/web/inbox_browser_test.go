package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
)

// TestLiaisonTapsFromInboxToReport: a liaison of 温江 opens 我的待办 from
// the menu and taps the report due through to the report form, opened at
// the item — in a 1280 px window and on a 360 px phone, in Chinese and in
// English.
func TestLiaisonTapsFromInboxToReport(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	wenjiang := st.orgID(t, "温江区人民政府")
	u := &domain.User{Email: "wj-phone@example.gov.cn", Name: "温江联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	in, err := inbox.For(ctx, st.Store, u, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var due *inbox.Entry
	for _, e := range in.Entries() {
		if e.Kind == inbox.ReportDue {
			due = &e
			break
		}
	}
	if due == nil {
		t.Fatalf("the demo owes no report from 温江 in November 2024: %+v", in)
	}
	_, anchor, _ := strings.Cut(due.Link, "#")

	b := mustStartBrowser(t)
	b.signIn(st.URL, u.Email)
	for _, lang := range []struct{ locale, title string }{{"zh-CN", "我的待办"}, {"en", "My work"}} {
		for _, size := range []struct {
			w, h   int64
			mobile bool
		}{{1280, 900, false}, {360, 740, true}} {
			name := fmt.Sprintf("%s-%d", lang.locale, size.w)
			b.viewport(size.w, size.h, size.mobile)
			b.do(name+": home", chromedp.Navigate(st.URL+"/"), chromedp.WaitVisible(chromedp.ID("home-inbox")))
			if b.eval(`document.documentElement.lang`) != lang.locale {
				b.do(name+": switch language", chromedp.Click(chromedp.ID("switch-language")))
				b.waitFor(name+": language", fmt.Sprintf(`document.documentElement.lang === %q && !!document.getElementById("home-inbox")`, lang.locale))
			}
			wantUnread := "" // the menu's count: everything, until the inbox is first opened
			if lang.locale == "zh-CN" && size.w == 1280 {
				wantUnread = fmt.Sprint(in.Total)
			}
			if got := b.eval(`(document.getElementById("inbox-unread") || {textContent: ""}).textContent`); got != wantUnread {
				t.Errorf("%s: the menu counts %q unread, want %q", name, got, wantUnread)
			}
			if size.w < 480 {
				// On a phone the menu is folded behind one button.
				if got := b.eval(`getComputedStyle(document.getElementById("main-nav")).display`); got != "none" {
					t.Errorf("%s: the menu is not folded on a phone (display %q)", name, got)
				}
				b.do(name+": open the menu", chromedp.Click(chromedp.ID("menu-toggle")), chromedp.WaitVisible(chromedp.ID("nav-inbox")))
			}
			b.do(name+": open the inbox from the menu", chromedp.Click(chromedp.ID("nav-inbox")), chromedp.WaitVisible(chromedp.ID("inbox-report_due")))
			if got := b.text("main h1"); got != lang.title {
				t.Errorf("%s: the inbox is titled %q, want %q", name, got, lang.title)
			}
			b.checkPage(name + " inbox")
			b.screenshot("inbox-" + name)
			b.do(name+": tap the report due",
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inbox-report_due a[href="%s"]`, due.Link))),
				chromedp.WaitVisible(chromedp.ID(anchor)))
			if got := b.eval(`location.pathname + location.search + location.hash`); got != due.Link {
				t.Errorf("%s: the tap led to %s, want %s", name, got, due.Link)
			}
			b.checkPage(name + " report form")
		}
	}
}
