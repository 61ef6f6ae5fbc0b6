package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/store"
)

// The installations of the federation tests: the site is Chengdu's.
const (
	chengdu   = "liandong/chengdu"
	chongqing = "liandong/chongqing"
)

// federatedSite is a site that has a key of its own (it signs as
// chengdu) and a store clock the test moves; Chongqing is a peer it knows
// by name and key only: what Chongqing would do is written through the
// store, as its node would.
type federatedSite struct {
	*site
	clock   time.Time
	peerKey string
	node    *federation.Node
}

// federate gives st a key and a clock of the test's, and a peer key.
func federate(t *testing.T, st *site) *federatedSite {
	t.Helper()
	fs := &federatedSite{site: st}
	fs.clock = fs.Store.Now().Add(time.Hour)
	fs.Store.Now = func() time.Time { return fs.clock }
	fs.Store.AuditKey = mustKey(t, chengdu)
	var err error
	if fs.node, err = federation.NewNode(fs.Store, fs.Store.AuditKey, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, fs.peerKey, err = note.GenerateKey(rand.Reader, chongqing)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// mustKey makes an installation key named name, as 'liandong federation
// cert --name' would.
func mustKey(t *testing.T, name string) *auditlog.Key {
	t.Helper()
	key, err := auditlog.OpenKeyNamed(filepath.Join(t.TempDir(), auditlog.KeyFile), name)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// agree records Chongqing as a peer sharing the demo's working group, and
// a mechanism of Chongqing's none of whose records has arrived yet.
func (fs *federatedSite) agree(t *testing.T, mech *domain.Mechanism) *domain.Peer {
	t.Helper()
	ctx := context.Background()
	g, err := fs.Store.GlobalID(ctx, "mechanisms", mech.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := &domain.Peer{Name: chongqing, BaseURL: "https://cq.example.gov.cn:8443", VerifierKey: fs.peerKey,
		Shares: []string{g.String(), chongqing + ":mechanisms:7"}}
	if err := fs.Store.SavePeer(ctx, domain.Actor{}, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// receive keeps Chongqing's log as Chongqing's node would have delivered
// it: a jurisdiction of its own, the same event again, and a write to
// item, which Chengdu keeps.
func (fs *federatedSite) receive(t *testing.T, peer *domain.Peer, item int64) {
	t.Helper()
	own := store.FederatedEvent{ID: chongqing + "#audit-1", At: fs.clock, ActorName: "重庆", ActorRole: "admin", Type: "jurisdiction.created",
		Record: chongqing + ":jurisdictions:1", Data: []byte(`{"code":"500000","name":"重庆市","kind":"municipality"}`)}
	intrusion := store.FederatedEvent{ID: chongqing + "#audit-2", At: fs.clock, ActorName: "重庆", ActorRole: "admin", Type: "item.updated",
		Record: fmt.Sprintf("%s:items:%d", chengdu, item), Base: 1, Data: []byte(`{"title":"改个名字"}`)}
	received := []store.Received{{Seq: 0, Envelope: []byte("envelope 0"), Event: own}, {Seq: 1, Envelope: []byte("envelope 1"), Event: own},
		{Seq: 2, Envelope: []byte("envelope 2"), Event: intrusion}}
	if _, err := fs.Store.Receive(context.Background(), peer, 0, received, []byte("their checkpoint"), 3); err != nil {
		t.Fatal(err)
	}
}

// figure reads the number a page shows in the element of class name.
func figure(t *testing.T, body, class string) int {
	t.Helper()
	m := regexp.MustCompile(`class="` + class + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no figure %q on the page", class)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// gauge reads one series of the federation metrics for Chongqing.
func gauge(t *testing.T, metrics, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `\{peer="` + regexp.QuoteMeta(chongqing) + `"\} (\S+)$`).FindStringSubmatch(metrics)
	if m == nil {
		t.Fatalf("no %s for %s in the metrics:\n%s", name, chongqing, metrics)
	}
	return m[1]
}

// TestFederationPageAndMarks: the administrator's federation page shows
// this installation's key and, for Chongqing, what was sent, countersigned
// and received, with the alarm once a receipt is overdue; a shared item's
// page says whether Chongqing has countersigned its latest change; the
// metrics report the lag; anyone else is refused with the usual page.
func TestFederationPageAndMarks(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) { testFederationPageAndMarks(t, federate(t, st)) })
}

func testFederationPageAndMarks(t *testing.T, fs *federatedSite) {
	ctx := context.Background()
	mech, batch := fs.workingGroup(t)
	items, err := fs.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(batch.ID)}})
	if err != nil || len(items.Items) == 0 {
		t.Fatalf("demo items: %v", err)
	}
	item := items.Items[0]
	itemPage := fmt.Sprintf("/items/%d", item.ID)
	admin := fs.client(t)
	admin.signIn(fs.User.Email, testPassword)
	token, _, err := fs.Store.CreateToken(ctx, domain.Actor{}, fs.User.ID, "metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics := func(t *testing.T) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, fs.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}

	t.Run("NoPeerExplainsTheCommand", func(t *testing.T) {
		res, body := admin.get("/admin/federation")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /admin/federation = %d", res.StatusCode)
		}
		for _, want := range []string{`id="no-peer"`, "liandong federation peer --name", chengdu, fs.Store.AuditKey.VerifierKey(), `href="/admin/federation"`} {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("the page with no peer lacks %q", want)
			}
		}
		if _, body := admin.get(itemPage); strings.Contains(body, `id="crossing"`) {
			t.Errorf("an item of a mechanism shared with no one shows a federation mark")
		}
	})

	peer := fs.agree(t, mech)
	if _, err := fs.node.Export(ctx); err != nil {
		t.Fatal(err)
	}
	size, err := fs.Store.OutboxSize(ctx, peer)
	if err != nil || size == 0 {
		t.Fatalf("the log kept for %s holds %d entries (%v), want the working group's records", chongqing, size, err)
	}
	fs.receive(t, peer, item.ID)

	t.Run("BeforeTheReceipt", func(t *testing.T) {
		fs.clock = fs.clock.Add(5 * time.Minute)
		_, body := admin.get("/admin/federation")
		for class, want := range map[string]int{"log-size": int(size), "countersigned": 0, "lag": int(size), "applied": 1, "duplicates": 1, "refused-count": 1} {
			if got := figure(t, body, class); got != want {
				t.Errorf("%s: got %d, want %d", class, got, want)
			}
		}
		for _, want := range []string{chongqing, "https://cq.example.gov.cn:8443", mech.Name, chongqing + ":mechanisms:7", "本系统尚未收到",
			"第 2 条 " + chongqing + "#audit-2", "3 条"} {
			if !strings.Contains(body, want) {
				t.Errorf("the peer's block lacks %q", want)
			}
		}
		if strings.Contains(body, `class="flash err alarm overdue"`) {
			t.Errorf("the alarm is raised 5 minutes after the entries were written, want only after 10")
		}
		if _, body := admin.get(itemPage); !strings.Contains(body, "由本系统保管，与 "+chongqing+" 共享") || !strings.Contains(body, chongqing+"：等待对方签收") {
			t.Errorf("the shared item's page before the receipt does not say it waits for %s", chongqing)
		}
		if got := gauge(t, metrics(t), "liandong_federation_lag_entries"); got != fmt.Sprint(size) {
			t.Errorf("lag in the metrics: got %s, want %d", got, size)
		}
	})

	t.Run("OverdueRaisesTheAlarm", func(t *testing.T) {
		fs.clock = fs.clock.Add(6 * time.Minute)
		_, body := admin.get("/admin/federation")
		if !strings.Contains(body, `class="flash err alarm overdue"`) || !strings.Contains(body, "最早的已等待 11 分钟") {
			t.Errorf("11 minutes without a receipt: the page raises no overdue alarm")
		}
		if got := gauge(t, metrics(t), "liandong_federation_receipt_overdue"); got != "1" {
			t.Errorf("overdue in the metrics: got %s, want 1", got)
		}
	})

	if err := fs.Store.KeepCheckpoint(ctx, peer, store.SentCheckpoint, size, []byte("our checkpoint, cosigned"), true); err != nil {
		t.Fatal(err)
	}

	t.Run("AfterTheReceipt", func(t *testing.T) {
		_, body := admin.get("/admin/federation")
		if got, lag := figure(t, body, "countersigned"), figure(t, body, "lag"); got != int(size) || lag != 0 {
			t.Errorf("after the receipt: countersigned %d, lag %d; want %d and 0", got, lag, size)
		}
		if strings.Contains(body, `alarm overdue`) {
			t.Errorf("the overdue alarm stays after the receipt came")
		}
		if _, body := admin.get(itemPage); !strings.Contains(body, chongqing+"：对方已签收") {
			t.Errorf("the shared item's page after the receipt does not say %s countersigned it", chongqing)
		}
		m := metrics(t)
		if lag, late, forks := gauge(t, m, "liandong_federation_lag_entries"), gauge(t, m, "liandong_federation_receipt_overdue"),
			gauge(t, m, "liandong_federation_forks"); lag != "0" || late != "0" || forks != "0" {
			t.Errorf("metrics after the receipt: lag %s, overdue %s, forks %s; want 0, 0, 0", lag, late, forks)
		}
	})

	t.Run("AForkRaisesTheAlarm", func(t *testing.T) {
		if err := fs.Store.KeepCheckpoint(ctx, peer, store.ForkedCheckpoint, 3, []byte("a contradicting checkpoint"), false); err != nil {
			t.Fatal(err)
		}
		if _, body := admin.get("/admin/federation"); !strings.Contains(body, `class="flash err alarm forks"`) || !strings.Contains(body, "对方日志有 1 个检查点") {
			t.Errorf("a fork kept as evidence: the page raises no alarm")
		}
		if got := gauge(t, metrics(t), "liandong_federation_forks"); got != "1" {
			t.Errorf("forks in the metrics: got %s, want 1", got)
		}
	})

	t.Run("InEnglish", func(t *testing.T) {
		_, body := admin.get("/")
		admin.post("/language", url.Values{"csrf": {admin.csrf(body)}, "locale": {"en"}, "back": {"/"}})
		_, body = admin.get("/admin/federation")
		if !strings.Contains(body, "Countersigned by the peer") || strings.Contains(body, "⟦") {
			t.Errorf("the English page is not in English or lacks a catalogue key")
		}
		if _, body := admin.get(itemPage); !strings.Contains(body, chongqing+": received by the peer (countersigned)") {
			t.Errorf("the English item page does not say the peer countersigned")
		}
	})

	t.Run("OthersAreRefusedPolitely", func(t *testing.T) {
		viewer := &domain.User{Email: "viewer-fed@example.gov.cn", Name: "观察员", Locale: "zh-CN", Password: testPassword,
			Grants: []domain.Grant{{Role: domain.Viewer}}}
		if err := fs.Store.Users.Create(ctx, domain.Actor{}, viewer); err != nil {
			t.Fatal(err)
		}
		c := fs.client(t)
		c.signIn(viewer.Email, testPassword)
		res, body := c.get("/admin/federation")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("a viewer's GET /admin/federation = %d, want 403", res.StatusCode)
		}
		if !strings.Contains(body, "只有管理员可以查看本系统与其他系统的联通情况") || !strings.Contains(body, `<html lang="zh-CN">`) {
			t.Errorf("the refusal is not the usual page with its reason")
		}
		if strings.Contains(body, fs.peerKey) || strings.Contains(body, chongqing) {
			t.Errorf("the refusal shows the peers")
		}
	})
}

// TestFederationReplicaShowsItsProposal: an item Chongqing keeps, edited
// here, is proposed to Chongqing; its page says the change went to its
// keeper, and then what Chongqing answered.
func TestFederationReplicaShowsItsProposal(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		fs := federate(t, st)
		mech, _ := fs.workingGroup(t)
		peer := fs.agree(t, mech)
		theirs := chongqing + ":mechanisms:7"
		event := func(seq int64, typ, record, data string) store.Received {
			return store.Received{Seq: seq, Envelope: []byte(fmt.Sprint("envelope ", seq)), Event: store.FederatedEvent{ID: fmt.Sprintf("%s#audit-%d", chongqing, seq+1),
				At: fs.clock, ActorName: "重庆", ActorRole: "admin", Type: typ, Record: record, Data: []byte(data)}}
		}
		log := []store.Received{
			event(0, "jurisdiction.stated", chongqing+":jurisdictions:1", `{"code":"500000","name":"重庆市","kind":"municipality"}`),
			event(1, "organization.stated", chongqing+":organizations:1", `{"jurisdiction_id":"`+chongqing+`:jurisdictions:1","name":"重庆市发展和改革委员会","kind":"department"}`),
			event(2, "mechanism.created", theirs, `{"name":"渝蓉协作小组","tier":"execution","time_zone":"Asia/Shanghai","cadence":"monthly",
				"sides":[{"key":"chongqing","name":"重庆","jurisdiction_id":"`+chongqing+`:jurisdictions:1"}],
				"members":[{"organization_id":"`+chongqing+`:organizations:1","side":"chongqing","role":"member"}]}`),
			event(3, "item.created", chongqing+":items:1", `{"mechanism_id":"`+theirs+`","title":"渝蓉高速扩容","status":"not_started",
				"parties":[{"side":"chongqing","organization_id":"`+chongqing+`:organizations:1","role":"lead"}]}`),
		}
		outcomes, err := fs.Store.Receive(ctx, peer, 0, log, []byte("their checkpoint"), int64(len(log)))
		if err != nil || strings.Join(outcomes, " ") != "applied applied applied applied" {
			t.Fatalf("Chongqing's log: %v, %v", outcomes, err)
		}
		id, ok, err := fs.Store.LocalID(ctx, domain.GlobalID{Origin: chongqing, Entity: "items", ID: 1})
		if err != nil || !ok {
			t.Fatalf("no replica of Chongqing's item (%v)", err)
		}
		it, _ := fs.Store.Items.Get(ctx, id)
		it.Title = "渝蓉高速扩容（成都建议）"
		if err := fs.Store.Items.Update(ctx, domain.ActorFor(fs.User), it); err != nil {
			t.Fatal(err)
		}
		admin := fs.client(t)
		admin.signIn(fs.User.Email, testPassword)
		page := fmt.Sprintf("/items/%d", id)
		_, body := admin.get(page + "?change=held")
		if !strings.Contains(body, "您的修改已提交给保管方 "+chongqing) || !strings.Contains(body, `id="proposal"`) {
			t.Fatalf("the replica's page after the edit does not say it went to its keeper:\n%s", excerpt(body, "crossing"))
		}
		if again, _ := fs.Store.Items.Get(ctx, id); again.Title != "渝蓉高速扩容" {
			t.Fatalf("the replica changed before its keeper did: %q", again.Title)
		}
		ps, _ := fs.Store.Proposals(ctx, "items", id)
		// An answer naming a change never received is refused, and
		// changes nothing: the proposal still waits.
		bogus := event(4, "proposal.answered", chongqing+":items:1", fmt.Sprintf(`{"proposal":"%s#proposal-%d","outcome":"held","change":"%s:item_changes:99"}`, chengdu, ps[0].ID, chongqing))
		answer := event(5, "proposal.answered", chongqing+":items:1", fmt.Sprintf(`{"proposal":"%s#proposal-%d","outcome":"refused","reason":"stale: propose again"}`, chengdu, ps[0].ID))
		outcomes, err = fs.Store.Receive(ctx, peer, 4, []store.Received{bogus}, []byte("their checkpoint"), 5)
		if err != nil || outcomes[0] != store.Refused {
			t.Fatalf("an answer naming a change never received: %v (%v), want refused", outcomes, err)
		}
		if again, _ := fs.Store.Proposals(ctx, "items", id); again[0].State != store.ProposalSent || again[0].ChangeID != 0 {
			t.Fatalf("a refused answer changed the proposal: %s on change %d", again[0].State, again[0].ChangeID)
		}
		if _, err := fs.Store.Receive(ctx, peer, 5, []store.Received{answer}, []byte("their checkpoint"), 6); err != nil {
			t.Fatal(err)
		}
		_, body = admin.get(page)
		if !strings.Contains(body, "最近一次提交给 "+chongqing+" 的修改未被接受： stale: propose again") {
			t.Fatalf("the replica's page does not give the keeper's answer:\n%s", excerpt(body, "crossing"))
		}
	})
}

// TestFederationReplicaSendsItsDecision: on Chengdu's replica of an item
// Chongqing keeps, a change Chongqing's side proposed waits for Chengdu.
// Chengdu's lead sees it with the confirm button, confirms, and the page
// says the decision went to Chongqing; the item stays as it was until
// Chongqing's events apply the change, and then nothing waits.
func TestFederationReplicaSendsItsDecision(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		r := replicaWithAChange(t, federate(t, st))
		page := fmt.Sprintf("/items/%d", r.item)
		_, body := r.lead.get(page)
		if !strings.Contains(body, `action="`+r.confirm+`"`) {
			t.Fatalf("Chengdu's lead is not offered to confirm Chongqing's change:\n%s", excerpt(body, "pending"))
		}
		res, _ := r.lead.post(r.confirm, url.Values{"csrf": {r.lead.csrf(body)}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?change=sent") {
			t.Fatalf("confirming on the replica: %d to %q, want a redirect saying it was sent", res.StatusCode, res.Header.Get("Location"))
		}
		_, body = r.lead.get(res.Header.Get("Location"))
		if !strings.Contains(body, "您对修改的决定已发送给保管方 "+chongqing) {
			t.Fatalf("the page does not say the decision went to the keeper:\n%s", excerpt(body, "crossing"))
		}
		if again, _ := r.fs.Store.Items.Get(ctx, r.item); again.Status != domain.Advancing {
			t.Fatalf("the replica applied the decision itself: %s", again.Status)
		}
		r.keeperApplies(t)
		_, body = r.lead.get(page)
		if strings.Contains(body, `id="pending"`) || !strings.Contains(body, "您最近一次对修改的决定已由 "+chongqing+" 记录") {
			t.Fatalf("once Chongqing applied it the page should show nothing waiting and the answer:\n%s", excerpt(body, "crossing"))
		}
		if again, _ := r.fs.Store.Items.Get(ctx, r.item); again.Status != domain.Completed {
			t.Fatalf("the replica is %s after its keeper's events, want completed", again.Status)
		}
		// The history names who made each change on Chongqing's side.
		if !strings.Contains(body, "重庆联络员（重庆市发展和改革委员会，"+chongqing+"）") || !strings.Contains(body, "重庆（"+chongqing+"）") {
			t.Fatalf("the replica's history does not say who made Chongqing's changes:\n%s", body[strings.LastIndex(body, "<ol"):])
		}
	})
}

// TestFederationPeerPacksOnTheMeetingsPage: a pack Chongqing issued for
// the shared mechanism is listed on Chengdu's meetings page, with its
// SHA-256, for who may read that mechanism's packs, and opens as the page
// Chongqing issued; Chengdu's liaison, who may not read packs, neither
// sees nor opens it.
func TestFederationPeerPacksOnTheMeetingsPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		fs := federate(t, st)
		r := replicaWithAChange(t, fs)
		page := r.receivePack(t, "渝蓉协作小组第2次会议")
		sum := sha256.Sum256([]byte(page))

		admin := fs.client(t)
		admin.signIn(fs.User.Email, testPassword)
		_, body := admin.get("/meetings")
		packs, _ := fs.Store.PeerPacks(context.Background(), domain.ActorFor(fs.User))
		if len(packs) != 1 || !strings.Contains(body, fmt.Sprintf(`href="/federation/packs/%d"`, packs[0].ID)) || !strings.Contains(body, hex.EncodeToString(sum[:])) {
			t.Fatalf("the meetings page does not list Chongqing's pack with its SHA-256:\n%s", excerpt(body, "peer-packs"))
		}
		link := fmt.Sprintf("/federation/packs/%d", packs[0].ID)
		res, got := admin.get(link)
		if res.StatusCode != http.StatusOK || got != page || res.Header.Get("X-Content-SHA256") != hex.EncodeToString(sum[:]) {
			t.Fatalf("opening the pack: %d, SHA-256 header %q, body %q; want Chongqing's page", res.StatusCode, res.Header.Get("X-Content-SHA256"), got)
		}
		if _, body := r.lead.get("/meetings"); strings.Contains(body, `id="peer-packs"`) {
			t.Fatal("the meetings page lists Chongqing's packs to a liaison, who may not read packs")
		}
		if res, _ := r.lead.get(link); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a liaison opening the pack: %d, want 404", res.StatusCode)
		}
	})
}

// replica is Chengdu holding an item Chongqing keeps, which both sides
// lead, with a change Chongqing's side proposed waiting for Chengdu's.
type replica struct {
	fs      *federatedSite
	peer    *domain.Peer
	item    int64   // the replica here
	lead    *client // signed in as Chengdu's lead unit's liaison
	email   string
	confirm string // where the lead confirms the change
	seq     int64  // the size of Chongqing's log received
}

func replicaWithAChange(t *testing.T, fs *federatedSite) *replica {
	t.Helper()
	ctx := context.Background()
	mech, _ := fs.workingGroup(t)
	r := &replica{fs: fs, peer: fs.agree(t, mech), email: "lead@cd.example"}
	units := `"sides":[{"key":"chongqing","name":"重庆","jurisdiction_id":"` + chongqing + `:jurisdictions:1"},{"key":"chengdu","name":"成都","jurisdiction_id":"` + chongqing + `:jurisdictions:2"}],
		"members":[{"organization_id":"` + chongqing + `:organizations:1","side":"chongqing","role":"member"},{"organization_id":"` + chongqing + `:organizations:2","side":"chengdu","role":"member"}]`
	r.receive(t,
		r.event("jurisdiction.stated", chongqing+":jurisdictions:1", `{"code":"500000","name":"重庆市","kind":"municipality"}`),
		r.event("jurisdiction.stated", chongqing+":jurisdictions:2", `{"code":"510100","name":"成都市","kind":"city"}`),
		r.event("organization.stated", chongqing+":organizations:1", `{"jurisdiction_id":"`+chongqing+`:jurisdictions:1","name":"重庆市发展和改革委员会","kind":"department"}`),
		r.event("organization.stated", chongqing+":organizations:2", `{"jurisdiction_id":"`+chongqing+`:jurisdictions:2","name":"成都市交通运输局","kind":"department"}`),
		r.event("mechanism.created", chongqing+":mechanisms:7", `{"name":"渝蓉协作小组","tier":"execution","time_zone":"Asia/Shanghai","cadence":"monthly",`+units+`}`),
		r.event("item.created", chongqing+":items:1", r.itemState("advancing")),
		r.event("item.change", chongqing+":items:1", r.changeState(`["chongqing"]`, "pending")),
	)
	r.item, _, _ = fs.Store.LocalID(ctx, domain.GlobalID{Origin: chongqing, Entity: "items", ID: 1})
	unit, _, _ := fs.Store.LocalID(ctx, domain.GlobalID{Origin: chongqing, Entity: "organizations", ID: 2})
	_, r.lead = fs.inboxUser(t, r.email, domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: unit})
	it, _ := fs.Store.Items.Get(ctx, r.item)
	if len(it.Pending) != 1 {
		t.Fatalf("the replica holds pending %+v, want Chongqing's change", it.Pending)
	}
	r.confirm = fmt.Sprintf("/items/%d/changes/%d/confirm", r.item, it.Pending[0].ID)
	return r
}

func (r *replica) itemState(status string) string {
	return `{"mechanism_id":"` + chongqing + `:mechanisms:7","title":"渝蓉高速扩容","status":"` + status + `",
		"parties":[{"side":"chongqing","organization_id":"` + chongqing + `:organizations:1","role":"lead"},{"side":"chengdu","organization_id":"` + chongqing + `:organizations:2","role":"lead"}]}`
}

func (r *replica) changeState(confirmed, state string) string {
	return `{"change":"` + chongqing + `:item_changes:1","fields":["status"],"status":"completed","confirmed":` + confirmed + `,"state":"` + state + `","proposed_at":"2026-11-30T08:00:00Z"}`
}

// event is the next entry of Chongqing's log.
func (r *replica) event(typ, record, data string) store.Received {
	r.seq++
	return store.Received{Seq: r.seq - 1, Envelope: []byte(fmt.Sprint("envelope ", r.seq-1)), Event: store.FederatedEvent{ID: fmt.Sprintf("%s#audit-%d", chongqing, r.seq),
		At: r.fs.clock, ActorName: "重庆", ActorRole: "admin", Type: typ, Record: record, Base: 1, Data: []byte(data)}}
}

func (r *replica) receive(t *testing.T, evs ...store.Received) {
	t.Helper()
	outcomes, err := r.fs.Store.Receive(context.Background(), r.peer, evs[0].Seq, evs, []byte("their checkpoint"), r.seq)
	if err != nil || strings.Count(strings.Join(outcomes, " "), "applied") != len(evs) {
		t.Fatalf("Chongqing's log: %v, %v", outcomes, err)
	}
}

// receivePack receives the pack Chongqing issued for a meeting titled
// title of its mechanism, and returns its page.
func (r *replica) receivePack(t *testing.T, title string) string {
	t.Helper()
	page := "<!doctype html><title>" + title + "会议材料</title><h1>会议材料</h1>"
	sum := sha256.Sum256([]byte(page))
	data, _ := json.Marshal(map[string]any{"mechanism_id": chongqing + ":mechanisms:7", "number": 2, "title": title,
		"held_on": "2026-11-20", "sha256": hex.EncodeToString(sum[:]), "figures": map[string]int{"items": 1}, "issued_at": "2026-11-21T02:00:00Z", "html": page})
	r.receive(t, r.event("meeting.pack_issued", chongqing+":meetings:5", string(data)))
	return page
}

// keeperApplies receives what Chongqing sends once the lead's
// confirmation reached it: its answer, the item completed, the change
// applied.
func (r *replica) keeperApplies(t *testing.T) {
	t.Helper()
	ps, _ := r.fs.Store.Proposals(context.Background(), "items", r.item)
	answer := r.event("proposal.answered", chongqing+":items:1", fmt.Sprintf(`{"proposal":"%s#proposal-%d","outcome":"applied"}`, chengdu, ps[0].ID))
	completed := r.event("item.updated", chongqing+":items:1", r.itemState("completed"))
	completed.Event.ActorName, completed.Event.ActorRole, completed.Event.ActorUnit = "重庆联络员", "liaison", chongqing+":organizations:1"
	r.receive(t, answer, completed, r.event("item.change", chongqing+":items:1", r.changeState(`["chongqing","chengdu"]`, "applied")))
}

// excerpt is the part of body from the element of id on, for a failure.
func excerpt(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return "(no element " + id + ")"
	}
	return body[i:min(len(body), i+800)]
}
