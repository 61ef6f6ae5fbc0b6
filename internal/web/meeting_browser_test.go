package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/liandong/liandong/internal/domain"
)

// TestSecretariatPreparesNextMeetingInTheBrowser: the working group's
// secretariat, at 1280 px and at 360 px, in Chinese and in English,
// prepares the next meeting from the last one held, adds a topic to its
// agenda and a decision, creates a task from the decision and opens the
// draft's pack — every page labelled, no page scrolling sideways.
func TestSecretariatPreparesNextMeetingInTheBrowser(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	mech, _ := st.workingGroup(t)
	held, err := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "工作组第二次会议"}})
	if err != nil || len(held.Items) != 1 {
		t.Fatalf("meeting no. 2: %v", err)
	}
	last := held.Items[0]
	wenjiang := st.orgID(t, "温江区人民政府")
	b := mustStartBrowser(t)
	runs := []struct {
		locale string
		width  int64
	}{{"zh-CN", 1280}, {"en", 1280}, {"zh-CN", 360}, {"en", 360}}
	for i, run := range runs {
		t.Run(fmt.Sprintf("%s-%d", run.locale, run.width), func(t *testing.T) {
			b.t = t
			u := &domain.User{Email: fmt.Sprintf("meeting-secretariat%d@example.gov.cn", i), Name: "工作组办公室", Locale: run.locale, Password: testPassword,
				Grants: []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}}}
			if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
				t.Fatal(err)
			}
			b.viewport(run.width, 900, run.width < 480)
			// A fresh session for each user.
			if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatal(err)
			}
			b.do("sign in",
				chromedp.Navigate(st.URL+"/signin"),
				chromedp.WaitVisible(chromedp.ID("email")),
				chromedp.SetValue(chromedp.ID("email"), u.Email),
				chromedp.SetValue(chromedp.ID("password"), testPassword),
				chromedp.Click(chromedp.ID("sign-in")),
			)
			b.waitFor("signed in", `location.pathname === "/"`)
			b.do("open the last meeting", chromedp.Navigate(fmt.Sprintf("%s/meetings/%d", st.URL, last.ID)), chromedp.WaitVisible(chromedp.ID("prepare-next")))
			b.checkPage("held meeting")
			b.do("prepare the next meeting",
				chromedp.Click(chromedp.CSS("#prepare-next summary")),
				chromedp.SetValue(chromedp.ID("next-held-on"), "2024-12-20"),
				chromedp.Click(chromedp.CSS("#prepare-next button[type=submit]")),
			)
			b.waitFor("the draft", `!!document.querySelector("h1 .tag")`)
			draftURL := b.eval(`location.pathname`)
			b.checkPage("draft")
			topic := fmt.Sprintf("听取专项工作汇报 %d", i)
			b.do("add a topic",
				chromedp.Click(chromedp.CSS("#agenda-add summary")),
				chromedp.SetValue(chromedp.ID("agenda-topic"), topic),
				chromedp.Click(chromedp.CSS("#agenda-add-topic button")),
			)
			b.waitFor("the topic on the agenda", fmt.Sprintf(`document.querySelector("ol.agenda") && document.querySelector("ol.agenda").textContent.includes(%q)`, topic))
			decision := fmt.Sprintf("建立联合招商机制 %d", i)
			b.do("add a decision",
				chromedp.Click(chromedp.ID("meeting-edit")),
				chromedp.WaitVisible(chromedp.ID("meeting-form")),
			)
			b.checkPage("edit")
			b.do("save the decision",
				chromedp.SetValue(chromedp.ID("decision_new"), decision),
				chromedp.Click(chromedp.CSS("#meeting-form button[type=submit]")),
			)
			b.waitFor("the decision on the page", fmt.Sprintf(`location.pathname === %q && document.querySelector("ol.decisions") !== null && document.querySelector("ol.decisions").textContent.includes(%q)`, draftURL, decision))
			task := fmt.Sprintf("制定联合招商清单 %d", i)
			b.do("create a task from the decision",
				chromedp.Click(chromedp.CSS("ol.decisions li details summary")),
				chromedp.SetValue(chromedp.CSS("ol.decisions li input[name=year]"), "2025"),
				chromedp.SetValue(chromedp.CSS("ol.decisions li textarea[name=content]"), task),
				chromedp.SetValue(chromedp.CSS("ol.decisions li select[name=lead]"), fmt.Sprint(wenjiang)),
				chromedp.Click(chromedp.CSS("ol.decisions li form button[type=submit]")),
			)
			b.waitFor("the task under its decision", fmt.Sprintf(`document.querySelector("ol.decisions").textContent.includes(%q)`, task))
			b.checkPage("draft with a task")
			if run.width < 480 {
				b.screenshot("meeting-draft-" + run.locale + "-360")
			}
			b.do("open the pack", chromedp.Click(chromedp.CSS(`a[href$="/pack.html"]`)))
			b.waitFor("the pack", `document.title.includes("草稿")`)
			if got := b.eval(`document.body.textContent`); !strings.Contains(got, topic) {
				t.Error("the draft's pack does not list its agenda")
			}
		})
	}
}
