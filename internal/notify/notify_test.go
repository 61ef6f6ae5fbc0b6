package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// mailbox is an in-process SMTP server that keeps every message it accepts.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []string
}

func startSMTP(t *testing.T) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	mb := &mailbox{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go mb.serve(c)
		}
	}()
	return mb
}

func (mb *mailbox) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 localhost ESMTP test")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-localhost")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			mb.mu.Lock()
			mb.msgs = append(mb.msgs, b.String())
			mb.mu.Unlock()
			say("250 OK")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

func (mb *mailbox) keys() []string {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	var out []string
	for _, m := range mb.msgs {
		for _, l := range strings.Split(m, "\r\n") {
			if k, ok := strings.CutPrefix(l, "X-Liandong-Reminder: "); ok {
				out = append(out, k)
			}
		}
	}
	return out
}

// hooks is an HTTP receiver of generic webhooks that checks signatures.
type hooks struct {
	mu       sync.Mutex
	keys     []string
	badSigs  int
	failures map[string]int // answer 500 this many times per key first
}

func (h *hooks) handler(secret string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var v notify.WebhookBody
		json.Unmarshal(body, &v)
		h.mu.Lock()
		defer h.mu.Unlock()
		if r.Header.Get(notify.SignatureHeader) != notify.Sign(secret, body) {
			h.badSigs++
		}
		if h.failures[v.Key] > 0 {
			h.failures[v.Key]--
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		h.keys = append(h.keys, v.Key)
	}
}

func (h *hooks) got() ([]string, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.keys...), h.badSigs
}

// Late December in Chongqing: the working group's monthly reports are due.
var december = time.Date(2024, 12, 25, 2, 0, 0, 0, time.UTC)

func workingGroup(t *testing.T, s *store.Store) store.MechanismClock {
	t.Helper()
	ms, err := s.ActiveMechanisms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == "成渝双核联动工作组" {
			return m
		}
	}
	t.Fatal("no working group")
	return store.MechanismClock{}
}

func addChannel(t *testing.T, s *store.Store, c domain.NotificationChannel) int64 {
	t.Helper()
	if err := s.NotificationChannels().Create(context.Background(), domain.Actor{}, &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func newNotifier(t *testing.T, s *store.Store, id, smtpAddr string) *notify.Notifier {
	t.Helper()
	n, err := notify.New(s, notify.Config{ID: id, SMTPAddr: smtpAddr, PollInterval: 100 * time.Millisecond,
		Now: func() time.Time { return december }, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n.Stop(ctx)
	})
	return n
}

func TestTwoInstancesDeliverEachReminderOnce(t *testing.T) {
	stores := storetest.MustOpenPostgresInstances(t, 2)
	if stores == nil {
		t.Skip("LIANDONG_TEST_POSTGRES_URL is not set")
	}
	// The receivers are test servers on 127.0.0.1.
	for _, s := range stores {
		s.AllowPrivateTargets = true
	}
	ctx := context.Background()
	if err := demo.Load(ctx, stores[0]); err != nil {
		t.Fatal(err)
	}
	wg := workingGroup(t, stores[0])
	want, err := notify.Reminders(ctx, stores[0], wg, december, 10, 7)
	if err != nil {
		t.Fatal(err)
	}
	var reportsDue int
	for _, r := range want {
		if r.Kind == "report_due" {
			reportsDue++
		}
	}
	if reportsDue == 0 {
		t.Fatalf("no report due in the demo working group: %v", want)
	}
	mb := startSMTP(t)
	h := &hooks{}
	srv := httptest.NewServer(h.handler("s3cret"))
	defer srv.Close()
	addChannel(t, stores[0], domain.NotificationChannel{MechanismID: wg.ID, Name: "秘书处邮箱", Kind: domain.SMTPChannel, Target: "secretariat@example.org"})
	addChannel(t, stores[0], domain.NotificationChannel{MechanismID: wg.ID, Name: "webhook", Kind: domain.WebhookChannel, Target: srv.URL, Secret: "s3cret"})

	a := newNotifier(t, stores[0], "instance-a", mb.addr)
	b := newNotifier(t, stores[1], "instance-b", mb.addr)
	// Both instances scan at once, as two periodic scans could.
	var mu sync.Mutex
	inserted := 0
	var wgScan sync.WaitGroup
	for _, n := range []*notify.Notifier{a, b, a, b} {
		wgScan.Add(1)
		go func() {
			defer wgScan.Done()
			k, err := n.Scan(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			inserted += k
			mu.Unlock()
		}()
	}
	wgScan.Wait()
	if inserted > 2*len(want) {
		t.Fatalf("%d jobs inserted for %d reminders on 2 channels", inserted, len(want))
	}
	waitFor(t, "deliveries", func() bool {
		keys, _ := h.got()
		return len(mb.keys()) >= len(want) && len(keys) >= len(want)
	})
	time.Sleep(time.Second) // a duplicate would arrive now
	keys, bad := h.got()
	mails := mb.keys()
	if len(mails) != len(want) || len(keys) != len(want) || bad != 0 {
		t.Fatalf("%d mails, %d webhooks (%d badly signed) for %d reminders", len(mails), len(keys), bad, len(want))
	}
	for _, got := range [][]string{mails, keys} {
		seen := map[string]bool{}
		for _, k := range got {
			if seen[k] {
				t.Errorf("reminder %s delivered twice", k)
			}
			seen[k] = true
		}
	}
	log, err := stores[1].Deliveries(ctx, store.DeliveryQuery{MechanismID: wg.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2*len(want) {
		t.Fatalf("delivery log has %d entries, want %d", len(log), 2*len(want))
	}
}

func TestFailingWebhookIsRetried(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.AllowPrivateTargets = true // the receiver is a test server on 127.0.0.1
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		wg := workingGroup(t, s)
		const key = "report_due/2024-12/test"
		h := &hooks{failures: map[string]int{key: 2}}
		srv := httptest.NewServer(h.handler("k"))
		defer srv.Close()
		ch := addChannel(t, s, domain.NotificationChannel{MechanismID: wg.ID, Name: "飞书以外的回调", Kind: domain.WebhookChannel, Target: srv.URL, Secret: "k"})
		n := newNotifier(t, s, "only", "")
		r := notify.Reminder{Key: key, MechanismID: wg.ID, Kind: "report_due", Subject: "请报送", Text: "测试"}
		if k, err := n.Enqueue(ctx, r); err != nil || k != 1 {
			t.Fatalf("enqueue: %d, %v", k, err)
		}
		if k, err := n.Enqueue(ctx, r); err != nil || k != 0 {
			t.Fatalf("second enqueue in the same period: %d, %v; want 0", k, err)
		}
		var log []domain.Delivery
		// The periodic scan delivers the demo's own reminders alongside.
		waitFor(t, "three attempts", func() bool {
			all, _ := s.Deliveries(ctx, store.DeliveryQuery{ChannelID: ch, Limit: 200})
			log = log[:0]
			for _, d := range all {
				if d.ReminderKey == key {
					log = append(log, d)
				}
			}
			return len(log) >= 3
		})
		// Newest first: delivered on the third attempt after two failures.
		want := []struct {
			status  domain.DeliveryStatus
			attempt int
		}{{domain.Delivered, 3}, {domain.Failed, 2}, {domain.Failed, 1}}
		for i, w := range want {
			if log[i].Status != w.status || log[i].Attempt != w.attempt || log[i].ReminderKey != key {
				t.Errorf("log[%d] = %+v, want %s on attempt %d", i, log[i], w.status, w.attempt)
			}
		}
		if !strings.Contains(log[2].Error, "500") {
			t.Errorf("failed attempt's error %q does not name the status", log[2].Error)
		}
		keys, bad := h.got()
		once := 0
		for _, k := range keys {
			if k == key {
				once++
			}
		}
		if once != 1 || bad != 0 {
			t.Fatalf("webhooks %v, %d badly signed; want %s once", keys, bad, key)
		}
	})
}

func TestRobotBodies(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	s.AllowPrivateTargets = true // the robots are a test server on 127.0.0.1
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	wg := workingGroup(t, s)
	var mu sync.Mutex
	bodies := map[string]map[string]any{}
	queries := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var v map[string]any
		json.Unmarshal(raw, &v)
		if !strings.Contains(string(raw), "问题已超期") {
			io.WriteString(w, `{"errcode":0,"code":0}`) // the periodic scan's own reminders
			return
		}
		mu.Lock()
		bodies[r.URL.Path], queries[r.URL.Path] = v, r.URL.RawQuery
		mu.Unlock()
		io.WriteString(w, `{"errcode":0,"code":0}`)
	}))
	defer srv.Close()
	addChannel(t, s, domain.NotificationChannel{MechanismID: wg.ID, Name: "企业微信", Kind: domain.WeComChannel, Target: srv.URL + "/wecom"})
	addChannel(t, s, domain.NotificationChannel{MechanismID: wg.ID, Name: "钉钉", Kind: domain.DingTalkChannel, Target: srv.URL + "/dingtalk?access_token=x", Secret: "SEC1"})
	addChannel(t, s, domain.NotificationChannel{MechanismID: wg.ID, Name: "飞书", Kind: domain.FeishuChannel, Target: srv.URL + "/feishu", Secret: "f"})
	n := newNotifier(t, s, "robots", "")
	if _, err := n.Enqueue(ctx, notify.Reminder{Key: "problem_overdue/x", MechanismID: wg.ID, Subject: "问题已超期", Text: "请处理"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three robots", func() bool { mu.Lock(); defer mu.Unlock(); return len(bodies) == 3 })
	if b := bodies["/wecom"]; b["msgtype"] != "text" || !strings.Contains(b["text"].(map[string]any)["content"].(string), "问题已超期") {
		t.Errorf("wecom body %v", b)
	}
	if b := bodies["/dingtalk"]; b["msgtype"] != "text" || !strings.Contains(queries["/dingtalk"], "sign=") || !strings.Contains(queries["/dingtalk"], "timestamp=") {
		t.Errorf("dingtalk body %v query %s", b, queries["/dingtalk"])
	}
	if b := bodies["/feishu"]; b["msg_type"] != "text" || b["sign"] == nil || b["timestamp"] == nil {
		t.Errorf("feishu body %v", b)
	}
}

// jointItem returns a demo item of the working group with a lead unit on
// both sides.
func jointItem(t *testing.T, s *store.Store, wg store.MechanismClock) *domain.Item {
	t.Helper()
	page, err := s.Items.List(context.Background(), domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(wg.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range page.Items {
		if len(v.LeadSides()) == 2 {
			return v
		}
	}
	t.Fatal("no demo item with lead units on both sides")
	return nil
}

func TestRemindersFindWhatIsDue(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		wg := workingGroup(t, s)
		it := jointItem(t, s, wg)
		// A milestone due in three days, an overdue problem, and a
		// completion waiting for both sides' confirmation.
		it.Milestones = append(it.Milestones, domain.Milestone{Title: "签订合作协议", DueOn: domain.MustDate("2024-12-28")})
		if err := s.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		pr := &domain.Problem{MechanismID: wg.ID, ItemID: it.ID, Title: "用地指标未落实", Tier: domain.Execution, Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-12-20")}
		if err := s.Problems.Create(ctx, domain.Actor{}, pr); err != nil {
			t.Fatal(err)
		}
		admin := &domain.User{Email: "admin@example.gov.cn", Name: "管理员", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
		if err := s.Users.Create(ctx, domain.Actor{}, admin); err != nil {
			t.Fatal(err)
		}
		it, _ = s.Items.Get(ctx, it.ID)
		it.Status = domain.Completed
		if err := s.Items.Update(ctx, domain.ActorFor(admin), it); err != nil {
			t.Fatal(err)
		}
		rs, err := notify.Reminders(ctx, s, wg, december, 10, 7)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, r := range rs {
			kinds[r.Kind]++
		}
		if kinds["report_due"] == 0 || kinds["milestone_near"] != 1 || kinds["problem_overdue"] != 1 || kinds["confirmation_waiting"] != 1 {
			t.Fatalf("reminders by kind %v: %+v", kinds, rs)
		}
		// Early in the month no report is due yet.
		rs, _ = notify.Reminders(ctx, s, wg, time.Date(2024, 12, 3, 2, 0, 0, 0, time.UTC), 10, 7)
		for _, r := range rs {
			if r.Kind == "report_due" {
				t.Fatalf("report reminder on 3 December: %+v", r)
			}
		}
	})
}

// TestReturnedReportTellsItsUnit: a report the secretariat returns is
// told to its unit through the reminders, with the reason, until the unit
// corrects it.
func TestReturnedReportTellsItsUnit(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		wg := workingGroup(t, s)
		it := jointItem(t, s, wg)
		unit := it.Lead(it.LeadSides()[0])
		rep := &domain.Report{ItemID: it.ID, OrganizationID: unit, Period: "2001-01", Progress: "完成选址", Status: domain.Submitted}
		if err := s.Reports.Create(ctx, domain.Actor{}, rep); err != nil {
			t.Fatal(err)
		}
		returned := func() []notify.Reminder {
			t.Helper()
			rs, err := notify.Reminders(ctx, s, wg, december, 10, 7)
			if err != nil {
				t.Fatal(err)
			}
			var out []notify.Reminder
			for _, r := range rs {
				if r.Kind == "report_returned" {
					out = append(out, r)
				}
			}
			return out
		}
		if rs := returned(); len(rs) != 0 {
			t.Fatalf("reminders of returned reports before any return: %+v", rs)
		}
		back, err := s.ReviewReport(ctx, domain.Actor{}, rep.ID, rep.Version, false, "缺少投资完成数据")
		if err != nil {
			t.Fatal(err)
		}
		o, _ := s.Organizations.Get(ctx, unit)
		rs := returned()
		if len(rs) != 1 || !strings.Contains(rs[0].Text, o.Name) || !strings.Contains(rs[0].Text, "缺少投资完成数据") || !strings.Contains(rs[0].Subject, it.Title) {
			t.Fatalf("the unit is not told of the return and its reason: %+v", rs)
		}
		if _, err := s.CorrectReport(ctx, domain.Actor{}, back.ID, back.Version, &domain.Report{Progress: "完成选址，投资200万元", InvestmentDone: 200}, "补充投资"); err != nil {
			t.Fatal(err)
		}
		if rs := returned(); len(rs) != 0 {
			t.Fatalf("still told after the correction: %+v", rs)
		}
	})
}

// firstSideProposes loads the demo and creates an item of the working
// group with the parties made of its joint item and that item's two sides;
// a liaison of the first side's lead then changes it by edit. It returns
// the joint item, the second side, and a function that reads the reminder
// of the change waiting for that side.
func firstSideProposes(t *testing.T, s *store.Store, title string, parties func(pair *domain.Item, first, second string) []domain.Party,
	edit func(it, pair *domain.Item, second string)) (*domain.Item, string, func() string) {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	wg := workingGroup(t, s)
	pair := jointItem(t, s, wg)
	first, second := pair.LeadSides()[0], pair.LeadSides()[1]
	it := &domain.Item{MechanismID: pair.MechanismID, BatchID: pair.BatchID, Title: title, Status: domain.Advancing, Parties: parties(pair, first, second)}
	if err := s.Items.Create(ctx, domain.Actor{}, it); err != nil {
		t.Fatal(err)
	}
	liaison := &domain.User{Email: "first-side@example.gov.cn", Name: "联络员", Locale: "zh-CN",
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: pair.Lead(first)}}}
	if err := s.Users.Create(ctx, domain.Actor{}, liaison); err != nil {
		t.Fatal(err)
	}
	edit(it, pair, second)
	if err := s.Items.Update(ctx, domain.ActorFor(liaison), it); err != nil {
		t.Fatal(err)
	}
	return pair, second, func() string {
		t.Helper()
		rs, err := notify.Reminders(ctx, s, wg, december, 10, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Kind == "confirmation_waiting" && strings.Contains(r.Subject, title) {
				return r.Text
			}
		}
		t.Fatalf("no reminder of the change waiting for side %s: %+v", second, rs)
		return ""
	}
}

// TestReminderReachesASideBeingNamedAsLead: a change that names another
// side's lead waits for that side, which has no lead on the item yet; the
// reminder names the unit the change names.
func TestReminderReachesASideBeingNamedAsLead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		pair, second, reminder := firstSideProposes(t, s, "一方牵头的新事项", func(pair *domain.Item, first, _ string) []domain.Party {
			return []domain.Party{{Side: first, OrganizationID: pair.Lead(first), Role: domain.LeadUnit}}
		}, func(it, pair *domain.Item, second string) {
			it.Parties = append(it.Parties, domain.Party{Side: second, OrganizationID: pair.Lead(second), Role: domain.LeadUnit})
		})
		named, err := s.Organizations.Get(context.Background(), pair.Lead(second))
		if err != nil {
			t.Fatal(err)
		}
		if text := reminder(); !strings.Contains(text, named.Name) {
			t.Errorf("the reminder %q does not name %s, whose confirmation it waits for", text, named.Name)
		}
	})
}

// TestReminderReachesTheSecretariatOfASideWithoutLead: an item one side
// leads and the other joins with a cooperating unit only; a completion by
// the leading side waits for the other, and the reminder names who confirms
// for it — the mechanism's secretariat while the mechanism names no unit
// for that side (the demo's FACTS name none), then that side's secretariat
// unit once it does — never the cooperating unit.
func TestReminderReachesTheSecretariatOfASideWithoutLead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		pair, second, reminder := firstSideProposes(t, s, "一方牵头另一方配合", func(pair *domain.Item, first, second string) []domain.Party {
			return []domain.Party{{Side: first, OrganizationID: pair.Lead(first), Role: domain.LeadUnit}, {Side: second, OrganizationID: pair.Lead(second), Role: domain.CooperatingUnit}}
		}, func(it, _ *domain.Item, _ string) { it.Status = domain.Completed })
		cooperating, err := s.Organizations.Get(ctx, pair.Lead(second))
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Mechanisms.Get(ctx, pair.MechanismID)
		if err != nil {
			t.Fatal(err)
		}
		if text := reminder(); !strings.Contains(text, "秘书处（代"+m.Side(second).Name+"方）") || strings.Contains(text, cooperating.Name) {
			t.Errorf("with no unit named for side %s, the reminder %q should name the secretariat, not %s", second, text, cooperating.Name)
		}

		var office *domain.Organization
		for i, mb := range m.Members {
			if mb.Side == second && mb.OrganizationID != cooperating.ID {
				m.Members[i].Role = domain.Secretariat
				if office, err = s.Organizations.Get(ctx, mb.OrganizationID); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		if err := s.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
		if text := reminder(); !strings.Contains(text, office.Name) || strings.Contains(text, cooperating.Name) {
			t.Errorf("the reminder %q should name %s, the side's secretariat, and not %s", text, office.Name, cooperating.Name)
		}
	})
}
