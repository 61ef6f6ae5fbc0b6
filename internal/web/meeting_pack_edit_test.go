package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	stdhtml "html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/pack"
)

// TestPackEditAndIssueThroughThePages: the secretariat finishes the pack of
// working-group meeting no. 2 with its own words and issues it; the edited
// text is in the pack, the issued pack is frozen (a later change of the data
// does not change it, and it can no longer be edited), its checksum is the
// one the audit log recorded, and the next meeting's pack says what changed
// since. A leader, who reads the pack, is offered none of this and is
// refused it.
func TestPackEditAndIssueThroughThePages(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		mt := st.secondMeeting(t)
		base := fmt.Sprintf("/meetings/%d", mt.ID)
		sign := func(role domain.Role, email string) *client {
			u := &domain.User{Email: email, Name: string(role), Locale: "zh-CN", Password: testPassword,
				Grants: []domain.Grant{{Role: role, ScopeKind: domain.MechanismScope, ScopeID: mech.ID}}}
			if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
				t.Fatal(err)
			}
			c := st.client(t)
			if res := c.signIn(u.Email, testPassword); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in %s: %d", role, res.StatusCode)
			}
			return c
		}
		sec := sign(domain.SecretariatRole, "pack-secretariat@example.gov.cn")
		leader := sign(domain.Leader, "pack-leader@example.gov.cn")

		t.Run("LeaderIsNotOffered", func(t *testing.T) {
			leader.t = t
			_, page := leader.get(base)
			if strings.Contains(page, base+"/pack/edit") {
				t.Error("the meeting page offers a leader to edit the pack")
			}
			if res, _ := leader.get(base + "/pack/edit"); res.StatusCode != http.StatusForbidden {
				t.Errorf("a leader opening the edit page: %d, want 403", res.StatusCode)
			}
			res, _ := leader.post(base+"/pack/edit", url.Values{"csrf": {leader.csrf(page)}, "section-next": {"越权写入"}})
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("a leader saving the pack: %d, want 403", res.StatusCode)
			}
			if edits, _ := st.Store.PackEdits(ctx, domain.Actor{}, mt.ID); len(edits) != 0 {
				t.Errorf("a leader's words were stored: %v", edits)
			}
		})

		sec.t = t
		_, page := sec.get(base)
		if !strings.Contains(page, base+"/pack/edit") {
			t.Fatal("the meeting page does not offer the secretariat to edit the pack")
		}
		_, edit := sec.get(base + "/pack/edit")
		if !strings.Contains(edit, `name="section-overview"`) || !strings.Contains(edit, "成渝双核联动工作组第二次会议于2023年5月12日在成都召开") {
			t.Fatalf("the edit page is not prefilled with the generated overview:\n%s", edit)
		}
		if !strings.Contains(edit, `name="section-next"`) {
			t.Fatal("the edit page has no textarea for 下一步工作, which the secretariat may write")
		}
		generated := inside(edit, `name="section-overview" rows="10">`, "</textarea>")
		words := "（一）近期安排\n\n请各成员单位于6月30日前报送上半年工作总结。"
		form := url.Values{"csrf": {sec.csrf(edit)}, "section-overview": {stdhtml.UnescapeString(generated)}, "section-next": {words}}
		if res, _ := sec.post(base+"/pack/edit", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		edits, err := st.Store.PackEdits(ctx, domain.Actor{}, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := edits["overview"]; ok || edits["next"] != words {
			t.Errorf("stored edits %q: want the next steps only, the unchanged overview left generated", edits)
		}
		_, md := sec.get(base + "/pack.md")
		for _, want := range []string{"## 三、下一步工作", "### （一）近期安排", "请各成员单位于6月30日前报送上半年工作总结。", "## 一、总体情况", "## 四、附件"} {
			if !strings.Contains(md, want) {
				t.Errorf("the pack does not say %q after the edit:\n%s", want, md)
			}
		}

		if res, _ := sec.post(base+"/pack/issue", url.Values{"csrf": {sec.csrf(edit)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue: %d", res.StatusCode)
		}
		res, html := sec.get(base + "/pack.html")
		sum := sha256.Sum256([]byte(html))
		checksum := hex.EncodeToString(sum[:])
		if res.Header.Get("X-Content-SHA256") != checksum {
			t.Errorf("served checksum %q, the page's is %s", res.Header.Get("X-Content-SHA256"), checksum)
		}
		history, err := st.Store.History(ctx, "meetings", mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		var logged, editLogged bool
		for _, ev := range history {
			logged = logged || (ev.Action == "pack_issue" && strings.Contains(ev.After, checksum))
			editLogged = editLogged || (ev.Action == "pack_edit" && strings.Contains(ev.After, "近期安排"))
		}
		if !logged || !editLogged {
			t.Errorf("the audit log lacks the issue with checksum %s (%v) or the edit (%v)", checksum, logged, editLogged)
		}
		if _, err := st.Store.SealAudit(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Store.VerifyAudit(ctx); err != nil {
			t.Errorf("the audit log does not verify after the pack's edit and issue: %v", err)
		}

		// A later change of the data changes nothing in the issued pack:
		// the meeting's minutes, which the pack's annex quotes, rewritten.
		stored, err := st.Store.Meetings.Get(ctx, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored.Minutes = "会后补记：各成员单位书面报送了工作总结。"
		if err := st.Store.Meetings.Update(ctx, domain.Actor{}, stored); err != nil {
			t.Fatal(err)
		}
		if built, _ := pack.Build(ctx, st.Store, mt.ID); !strings.Contains(string(mustBytes(built.Doc().Bytes(pack.Markdown))), "会后补记") {
			t.Fatal("the change did not reach a pack built now; the test shows no freeze")
		}
		if _, again := sec.get(base + "/pack.html"); again != html {
			t.Error("the issued pack changed after the data did")
		}
		if _, md := sec.get(base + "/pack.md"); strings.Contains(md, "会后补记") || !strings.Contains(md, "请各成员单位于6月30日前报送上半年工作总结。") {
			t.Error("the issued pack's Markdown follows the data, not the issued text")
		}

		// Issued, it is no longer edited, and the page says why.
		_, page = sec.get(base + "/pack/edit")
		if strings.Contains(page, "<textarea") || !strings.Contains(page, "已于") || !strings.Contains(page, checksum) {
			t.Error("the edit page of an issued pack still offers editing, or does not say it was issued with its checksum")
		}
		res, body := sec.post(base+"/pack/edit", url.Values{"csrf": {sec.csrf(page)}, "section-next": {"印发后再改"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "已印发") {
			t.Errorf("editing an issued pack: %d, want 409 and the reason", res.StatusCode)
		}
		if after, _ := st.Store.PackEdits(ctx, domain.Actor{}, mt.ID); after["next"] != words {
			t.Errorf("editing an issued pack changed the words: %q", after["next"])
		}
		if res, body := sec.post(base+"/pack/issue", url.Values{"csrf": {sec.csrf(page)}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "已经印发") {
			t.Errorf("issuing again: %d, want 409 and the reason", res.StatusCode)
		}

		// The next meeting's pack says what changed since the issued one.
		next := &domain.Meeting{MechanismID: mech.ID, Number: 3, Title: "成渝双核联动工作组第三次会议", HeldOn: domain.MustDate("2024-11-20"), HeldOnPrecision: domain.DayPrecision}
		if err := st.Store.Meetings.Create(ctx, domain.Actor{}, next); err != nil {
			t.Fatal(err)
		}
		_, md3 := sec.get(fmt.Sprintf("/meetings/%d/pack.md", next.ID))
		if !strings.Contains(md3, "印发的成渝双核联动工作组第二次会议会议材料相比") {
			t.Errorf("the next meeting's pack does not say what changed since the issued one:\n%s", md3)
		}
	})
}

// TestPackPDFThroughThePage: the pack as PDF from the meeting page — a PDF
// whose text has the headings, or, on a server without Chromium, 503 with
// the reason in the reader's language.
func TestPackPDFThroughThePage(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	meetings, err := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双核联动工作组第二次会议"}})
	if err != nil || len(meetings.Items) != 1 {
		t.Fatalf("meeting no. 2: %v", err)
	}
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	path := fmt.Sprintf("/meetings/%d/pack.pdf", meetings.Items[0].ID)

	t.Run("WithoutChromium", func(t *testing.T) {
		c.t = t
		t.Setenv("LIANDONG_CHROMIUM", "/nonexistent/chromium")
		res, body := c.get(path)
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "未安装 Chromium") {
			t.Errorf("without Chromium: %d, want 503 saying why", res.StatusCode)
		}
	})
	t.Run("WithChromium", func(t *testing.T) {
		c.t = t
		if _, err := exec.LookPath("chromium"); err != nil {
			if os.Getenv("LIANDONG_REQUIRE_BROWSER") == "1" {
				t.Fatal("LIANDONG_REQUIRE_BROWSER=1 but chromium is not installed")
			}
			t.Skip("chromium is not installed")
		}
		res, body := c.get(path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
			t.Fatalf("pack.pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
}

// inside returns the part of s after the first from and before the next to.
func inside(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(after, to)
	return in
}

func mustBytes(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestIssuedPackReachesChannels: issuing the pack tells the mechanism's
// channels (here its generic webhook, a test server on 127.0.0.1) where the
// frozen pack is, as a page, a PDF and a Word document, with its checksum;
// the page says how many channels were told.
func TestIssuedPackReachesChannels(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		mt := st.secondMeeting(t)
		var mu sync.Mutex
		var got []notify.WebhookBody
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body notify.WebhookBody
			json.NewDecoder(r.Body).Decode(&body)
			mu.Lock()
			got = append(got, body)
			mu.Unlock()
		}))
		t.Cleanup(hook.Close)
		st.Store.AllowPrivateTargets = true
		ch := &domain.NotificationChannel{MechanismID: mech.ID, Name: "工作组群", Kind: domain.WebhookChannel, Target: hook.URL}
		if err := st.Store.NotificationChannels().Create(ctx, domain.Actor{}, ch); err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		base := fmt.Sprintf("/meetings/%d/pack", mt.ID)
		_, edit := c.get(base + "/edit")
		res, _ := c.post(base+"/issue", url.Values{"csrf": {c.csrf(edit)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue: %d", res.StatusCode)
		}
		if _, page := c.get(res.Header.Get("Location")); !strings.Contains(page, "会议材料已印发，并已通知1个通知渠道") {
			t.Error("the page does not say the channel was told")
		}
		issued, err := st.Store.IssuedPack(ctx, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 1 {
			t.Fatalf("the webhook received %d messages, want 1", len(got))
		}
		m := got[0]
		for _, want := range []string{mt.Title, base + ".html", base + ".pdf", base + ".docx", issued.SHA256} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the message lacks %q:\n%s", want, m.Text)
			}
		}
		if m.Kind != PackIssuedKind || !strings.Contains(m.Subject, "会议材料印发") {
			t.Errorf("kind %q, subject %q", m.Kind, m.Subject)
		}
	})
}

// secondMeeting is the demo's working-group meeting no. 2, the meeting whose
// pack the issue's "done when" reads.
func (st *site) secondMeeting(t *testing.T) *domain.Meeting {
	t.Helper()
	meetings, err := st.Store.Meetings.List(context.Background(), domain.ListQuery{Filters: map[string]string{"q": "成渝双核联动工作组第二次会议"}})
	if err != nil || len(meetings.Items) != 1 {
		t.Fatalf("meeting no. 2: %v", err)
	}
	return meetings.Items[0]
}
