package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFederationPageInTheBrowser: the federation page, with a peer whose
// receipt is overdue and an envelope refused, reads at 1280 and 360 px in
// Chinese and English: the alarm shows, the verifier key and the global ids
// wrap instead of widening the page, and nothing scrolls sideways.
func TestFederationPageInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	fs := federate(t, mustStartSite(t))
	ctx := context.Background()
	mech, _ := fs.workingGroup(t)
	peer := fs.agree(t, mech)
	if _, err := fs.node.Export(ctx); err != nil {
		t.Fatal(err)
	}
	fs.receive(t, peer, 1)
	fs.clock = fs.clock.Add(time.Hour)
	b.signIn(fs.URL, fs.User.Email)

	for _, run := range []struct {
		name   string
		width  int64
		mobile bool
		lang   string
		alarm  string
	}{{"zh-1280", 1280, false, "zh-CN", "签收超时"}, {"zh-360", 360, true, "zh-CN", "签收超时"},
		{"en-360", 360, true, "en", "Receipt overdue"}, {"en-1280", 1280, false, "en", "Receipt overdue"}} {
		t.Run(run.name, func(t *testing.T) {
			b.t = t
			b.viewport(run.width, 800, run.mobile)
			b.do("federation page", chromedp.Navigate(fs.URL+"/admin/federation"), chromedp.WaitVisible(chromedp.ID("verifier-key")))
			if b.eval(`document.documentElement.lang`) != run.lang {
				b.do("switch language", chromedp.Click(chromedp.ID("switch-language")))
				b.waitFor("language", fmt.Sprintf(`document.documentElement.lang === %q && !!document.getElementById("verifier-key")`, run.lang))
			}
			b.checkPage(run.name + " federation")
			if got := b.text(fmt.Sprintf("#peer-%d .overdue", peer.ID)); !strings.Contains(got, run.alarm) {
				t.Errorf("the overdue alarm reads %q, want it to say %q", got, run.alarm)
			}
			for _, sel := range []string{"#verifier-key", fmt.Sprintf("#peer-%d", peer.ID), fmt.Sprintf("#peer-%d .refused", peer.ID)} {
				if v := b.eval(fmt.Sprintf(`(e => String(e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= window.innerWidth))(document.querySelector(%q))`, sel)); v != "true" {
					t.Errorf("%s is wider than the window at %d px", sel, run.width)
				}
			}
			b.screenshot("federation-" + run.name)
		})
	}
}

// TestFederationDecisionInTheBrowser: Chengdu's lead, on Chengdu's
// replica of an item Chongqing keeps, confirms the change Chongqing's side
// proposed; the page says the decision went to Chongqing, then, once
// Chongqing's events arrive, that it was applied. At 1280 and 360 px, in
// Chinese and English.
func TestFederationDecisionInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	for _, run := range []struct {
		name        string
		width       int64
		mobile      bool
		lang        string
		sent, after string
	}{{"zh-1280", 1280, false, "zh-CN", "本方的决定已发往保管方", "记录"}, {"zh-360", 360, true, "zh-CN", "本方的决定已发往保管方", "记录"},
		{"en-360", 360, true, "en", "Your side's decision went to", "was recorded by"}, {"en-1280", 1280, false, "en", "Your side's decision went to", "was recorded by"}} {
		t.Run(run.name, func(t *testing.T) {
			b.t = t
			r := replicaWithAChange(t, federate(t, mustStartSite(t)))
			b.viewport(run.width, 800, run.mobile)
			b.signIn(r.fs.URL, r.email)
			page := fmt.Sprintf("%s/items/%d", r.fs.URL, r.item)
			b.do("replica item", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("pending")))
			if b.eval(`document.documentElement.lang`) != run.lang {
				b.do("switch language", chromedp.Click(chromedp.ID("switch-language")))
				b.waitFor("language", fmt.Sprintf(`document.documentElement.lang === %q && !!document.getElementById("pending")`, run.lang))
			}
			b.checkPage(run.name + " replica item")
			b.screenshot("federation-decision-" + run.name)
			b.do("confirm", chromedp.Click(fmt.Sprintf(`form[action=%q] button`, r.confirm)))
			b.waitFor("sent", fmt.Sprintf(`document.body.innerText.includes(%q)`, run.sent))
			if b.eval(fmt.Sprintf(`String(!!document.querySelector(%q))`, fmt.Sprintf(`form[action=%q]`, r.confirm))) != "false" {
				t.Error("the confirmation is offered again while the first is on its way")
			}
			b.checkPage(run.name + " decision sent")
			b.screenshot("federation-decision-sent-" + run.name)
			r.keeperApplies(t)
			b.do("reload", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("proposal")))
			if got := b.text("#proposal"); !strings.Contains(got, run.after) || b.eval(`String(!!document.getElementById("pending"))`) != "false" {
				t.Errorf("after Chongqing applied it the page says %q (pending shown: %s), want %q and nothing waiting", got, b.eval(`String(!!document.getElementById("pending"))`), run.after)
			}
			b.screenshot("federation-decision-applied-" + run.name)

			// The secretariat's side: a pack Chongqing issued, on the
			// meetings page, its SHA-256 wrapping at 360 px.
			r.receivePack(t, "渝蓉协作小组第2次会议")
			b.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("email")))
			b.signIn(r.fs.URL, r.fs.User.Email)
			b.do("meetings", chromedp.Navigate(r.fs.URL+"/meetings"), chromedp.WaitVisible(chromedp.ID("peer-packs")))
			if b.eval(`document.documentElement.lang`) != run.lang {
				b.do("switch language", chromedp.Click(chromedp.ID("switch-language")))
				b.waitFor("language", fmt.Sprintf(`document.documentElement.lang === %q && !!document.getElementById("peer-packs")`, run.lang))
			}
			b.checkPage(run.name + " peer packs")
			b.screenshot("federation-peer-packs-" + run.name)
		})
	}
}
