package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
)

// TestSecretariatIssuesPackFromPhone: on a 360 px phone the secretariat
// opens the pack's edit page from the meeting, adds its next steps,
// saves, and issues the pack; each page fits the width, every control is
// labelled, and the issued page shows the checksum (screenshots in
// testdata/screenshots).
func TestSecretariatIssuesPackFromPhone(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	ctx := context.Background()
	meetings, err := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双核联动工作组第二次会议"}})
	if err != nil || len(meetings.Items) != 1 {
		t.Fatalf("meeting no. 2: %v", err)
	}
	mt := meetings.Items[0]
	b.signIn(st.URL, st.User.Email)
	b.viewport(360, 740, true)
	b.do("meeting page", chromedp.Navigate(fmt.Sprintf("%s/meetings/%d", st.URL, mt.ID)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/meetings/%d/pack/edit"]`, mt.ID))),
		chromedp.WaitVisible(chromedp.ID("section-overview")))
	b.checkPage("pack edit")
	b.screenshot("pack-edit-360")
	b.do("write the next steps",
		chromedp.SetValue(chromedp.ID("section-next"), "请各成员单位于6月30日前报送上半年工作总结。"),
		chromedp.Click(chromedp.ID("pack-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	b.checkPage("pack saved")
	if got := b.eval(`document.getElementById("section-next").value`); got != "请各成员单位于6月30日前报送上半年工作总结。" {
		t.Errorf("the saved words are not in the textarea: %q", got)
	}
	b.do("issue", chromedp.Click(chromedp.ID("pack-issue")), chromedp.WaitVisible(chromedp.ID("pack-issued")))
	b.checkPage("pack issued")
	b.screenshot("pack-issued-360")
	ip, err := st.Store.IssuedPack(ctx, mt.ID)
	if err != nil {
		t.Fatalf("the pack was not issued: %v", err)
	}
	if !strings.Contains(b.text("#pack-issued"), ip.SHA256) {
		t.Error("the issued page does not show the checksum")
	}
}
