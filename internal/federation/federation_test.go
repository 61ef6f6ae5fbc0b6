package federation_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/federation/fedtest"
	"github.com/liandong/liandong/internal/federation/mtls"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// installation is one government's Liandong: its store, its key, its
// node serving over mutual TLS with a certificate of its own CA.
type installation struct {
	name  string
	store *store.Store
	node  *federation.Node
	url   string
	ca    *fedtest.CA
	cert  func(peerCA *fedtest.CA) *http.Client
}

// newInstallation starts an installation named name on s. Its client to
// the peers is made by connect, once the peer's CA is known.
func newInstallation(t testing.TB, s *store.Store, name string) *installation {
	t.Helper()
	key, err := auditlog.OpenKeyNamed(filepath.Join(t.TempDir(), auditlog.KeyFile), name)
	if err != nil {
		t.Fatal(err)
	}
	s.AuditKey = key
	in := &installation{name: name, store: s, ca: fedtest.NewCA(t, name+" CA")}
	if in.node, err = federation.NewNode(s, key, nil, nil); err != nil {
		t.Fatal(err)
	}
	return in
}

// connect serves each installation to the other over mutual TLS, each
// trusting the other's CA, through the transports wrap makes.
func connect(t testing.TB, a, b *installation, wrap func(http.RoundTripper) http.RoundTripper) {
	t.Helper()
	for _, pair := range [][2]*installation{{a, b}, {b, a}} {
		self, peer := pair[0], pair[1]
		cert := self.ca.Issue(t, self.name, "localhost")
		srv, err := mtls.ServerConfigFor(cert, peer.ca.Pool())
		if err != nil {
			t.Fatal(err)
		}
		// Through self.node as it is at each request: a restarted
		// installation serves at the same address.
		self.url = fedtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { self.node.Handler().ServeHTTP(w, r) }), srv)
		cli, err := mtls.ClientConfigFor(cert, peer.ca.Pool())
		if err != nil {
			t.Fatal(err)
		}
		var rt http.RoundTripper = &http.Transport{TLSClientConfig: cli}
		if wrap != nil {
			rt = wrap(rt)
		}
		self.node.Client = &http.Client{Transport: rt}
	}
}

// agree configures peer on in, sharing the mechanisms given.
func agree(t testing.TB, in, peer *installation, shares ...string) {
	t.Helper()
	p := &domain.Peer{Name: peer.name, BaseURL: peer.url, VerifierKey: peer.node.Key.VerifierKey(), Shares: shares}
	if err := in.store.SavePeer(context.Background(), domain.Actor{}, p); err != nil {
		t.Fatal(err)
	}
}

// twinCore is a mechanism with a unit on each side, kept by in.
type twinCore struct {
	mech  *domain.Mechanism
	cdDRC *domain.Organization
	cqDRC *domain.Organization
	// A member unit more on each side, which cooperates where its side
	// says so.
	cdEconomy, cqEconomy *domain.Organization
	globalMech           string
}

func newTwinCore(t testing.TB, in *installation) *twinCore {
	t.Helper()
	ctx := context.Background()
	s := in.store
	cd := mustCreate(t, s, s.Jurisdictions, &domain.Jurisdiction{Code: "510100", Name: "成都市", Kind: domain.City})
	cq := mustCreate(t, s, s.Jurisdictions, &domain.Jurisdiction{Code: "500000", Name: "重庆市", Kind: domain.Municipality})
	w := &twinCore{}
	w.cdDRC = mustCreate(t, s, s.Organizations, &domain.Organization{JurisdictionID: cd.ID, Name: "成都市发展和改革委员会", Kind: domain.Department})
	w.cqDRC = mustCreate(t, s, s.Organizations, &domain.Organization{JurisdictionID: cq.ID, Name: "重庆市发展和改革委员会", Kind: domain.Department})
	w.cdEconomy = mustCreate(t, s, s.Organizations, &domain.Organization{JurisdictionID: cd.ID, Name: "成都市经济和信息化局", Kind: domain.Department})
	w.cqEconomy = mustCreate(t, s, s.Organizations, &domain.Organization{JurisdictionID: cq.ID, Name: "重庆市经济和信息化委员会", Kind: domain.Department})
	w.mech = mustCreate(t, s, s.Mechanisms, &domain.Mechanism{Name: "成渝双核联动工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides: []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: cd.ID}, {Key: "chongqing", Name: "重庆", JurisdictionID: cq.ID}},
		Members: []domain.Member{{OrganizationID: w.cdDRC.ID, Side: "chengdu", Role: domain.MemberUnit},
			{OrganizationID: w.cqDRC.ID, Side: "chongqing", Role: domain.MemberUnit},
			{OrganizationID: w.cdEconomy.ID, Side: "chengdu", Role: domain.MemberUnit},
			{OrganizationID: w.cqEconomy.ID, Side: "chongqing", Role: domain.MemberUnit}}})
	g, err := s.GlobalID(ctx, "mechanisms", w.mech.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.globalMech = g.String()
	return w
}

type creator[T any, P interface {
	*T
	domain.Entity
}] interface {
	Create(ctx context.Context, actor domain.Actor, v P) error
}

func mustCreate[T any, P interface {
	*T
	domain.Entity
}](t testing.TB, _ *store.Store, rs creator[T, P], v P) P {
	t.Helper()
	if err := rs.Create(context.Background(), domain.Actor{}, v); err != nil {
		t.Fatal(err)
	}
	return v
}

func sync(t testing.TB, ins ...*installation) {
	t.Helper()
	for _, in := range ins {
		if err := in.node.Sync(context.Background()); err != nil {
			t.Fatalf("%s: sync: %v", in.name, err)
		}
	}
}

// sharedItems is what an installation holds of the items of the shared
// mechanism: by global id, the fields that cross, ids made global.
func sharedItems(t testing.TB, in *installation, globalMech string) map[string]string {
	t.Helper()
	ctx := context.Background()
	g, _ := domain.ParseGlobalID(globalMech)
	mech, ok, err := in.store.LocalID(ctx, g)
	if err != nil || !ok {
		t.Fatalf("%s holds no mechanism %s (%v)", in.name, globalMech, err)
	}
	items, err := store.All(ctx, in.store.Items, map[string]string{"mechanism": itoa(mech)}, true)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range items {
		id, err := in.store.GlobalID(ctx, "items", it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var parties []string
		for _, p := range it.Parties {
			unit, err := in.store.GlobalID(ctx, "organizations", p.OrganizationID)
			if err != nil {
				t.Fatal(err)
			}
			parties = append(parties, p.Side+"/"+string(p.Role)+"/"+unit.String())
		}
		var due []string
		for _, m := range it.Milestones {
			due = append(due, m.Title+"@"+m.DueOn.String()+"/"+m.DoneOn.String())
		}
		b, _ := json.Marshal(map[string]any{"title": it.Title, "status": it.Status, "number": it.Number, "archived": it.ArchivedAt != nil,
			"parties": parties, "milestones": due, "investment": it.Investment, "end_on": it.EndOn.String()})
		out[id.String()] = string(b)
	}
	return out
}

func itoa(id int64) string { b, _ := json.Marshal(id); return string(b) }

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sharingPair is Chengdu and Chongqing connected over mutual TLS, each
// having agreed with the other to share Chengdu's twin-core mechanism.
func sharingPair(t testing.TB) (cd, cq *installation, w *twinCore) {
	t.Helper()
	cd, cq = chengduAndChongqing(t)
	connect(t, cd, cq, nil)
	w = newTwinCore(t, cd)
	agree(t, cd, cq, w.globalMech)
	agree(t, cq, cd, w.globalMech)
	return cd, cq, w
}

// sharedRail is sharingPair with an item Chengdu keeps, led by a unit on
// each side, received by Chongqing: its id on each installation, and
// Chongqing's unit as Chongqing holds it.
func sharedRail(t testing.TB) (cd, cq *installation, w *twinCore, rail, railOnCQ, cqUnit int64) {
	t.Helper()
	ctx := context.Background()
	cd, cq, w = sharingPair(t)
	it := mustCreate(t, cd.store, cd.store.Items, &domain.Item{Record: domain.Record{Source: "成都市发展和改革委员会 2024-11"}, MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.Advancing,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: w.cqDRC.ID, Role: domain.LeadUnit}}})
	sync(t, cd, cq)
	railOnCQ, ok, err := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "items", ID: it.ID})
	if err != nil || !ok {
		t.Fatalf("Chongqing holds no replica of the item (%v)", err)
	}
	cqUnit, _, _ = cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "organizations", ID: w.cqDRC.ID})
	return cd, cq, w, it.ID, railOnCQ, cqUnit
}

// liaisonOf creates, on in, a liaison acting for unit.
func liaisonOf(t testing.TB, in *installation, email, name string, unit int64) *domain.User {
	t.Helper()
	u := &domain.User{Email: email, Name: name, Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: unit}}}
	if err := in.store.Users.Create(context.Background(), domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// chengduAndChongqing are two installations, Chengdu's on SQLite and
// Chongqing's on PostgreSQL (SQLite too when no server is configured).
func chengduAndChongqing(t testing.TB) (*installation, *installation) {
	pg := storetest.MustOpenPostgres(t)
	if pg == nil {
		if os.Getenv("LIANDONG_REQUIRE_POSTGRES") != "" {
			t.Fatal("LIANDONG_TEST_POSTGRES_URL is not set")
		}
		pg = storetest.MustOpenSQLite(t)
	}
	return newInstallation(t, storetest.MustOpenSQLite(t), "liandong/chengdu"), newInstallation(t, pg, "liandong/chongqing")
}

func TestFederationItemsCrossBothWays(t *testing.T) {
	ctx := context.Background()
	cd, cq := chengduAndChongqing(t)
	connect(t, cd, cq, nil)
	w := newTwinCore(t, cd)

	// Chengdu agrees first: nothing flows until Chongqing has agreed too.
	agree(t, cd, cq, w.globalMech)
	rail := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.NotStarted,
		Parties:    []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: w.cqDRC.ID, Role: domain.LeadUnit}},
		Milestones: []domain.Milestone{{Title: "开工", DueOn: domain.MustDate("2025-06-30")}}})
	if err := cd.node.Sync(ctx); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("Chengdu pulling from Chongqing, who has not agreed: got %v, want a 403", err)
	}
	if peers, _ := cq.store.Peers(ctx); len(peers) != 0 {
		t.Fatalf("Chongqing has peers %v before agreeing", peers)
	}

	agree(t, cq, cd, w.globalMech)
	sync(t, cd, cq)
	want := sharedItems(t, cd, w.globalMech)
	if got := sharedItems(t, cq, w.globalMech); !equal(got, want) {
		t.Fatalf("Chongqing holds %v, Chengdu %v", got, want)
	}

	t.Run("ChangesFollow", func(t *testing.T) {
		it, err := cd.store.Items.Get(ctx, rail.ID)
		if err != nil {
			t.Fatal(err)
		}
		it.Title, it.Milestones[0].DoneOn = "成渝中线高铁（川渝段）", domain.MustDate("2025-06-20")
		it.Milestones = append(it.Milestones, domain.Milestone{Title: "铺轨", DueOn: domain.MustDate("2026-06-30")})
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		sync(t, cd, cq)
		if got, want := sharedItems(t, cq, w.globalMech), sharedItems(t, cd, w.globalMech); !equal(got, want) {
			t.Fatalf("after the change Chongqing holds %v, Chengdu %v", got, want)
		}
	})

	t.Run("ReplicaRefusesLocalWrites", func(t *testing.T) {
		// An item's replica takes proposals (TestFederationProposalsCrossToTheKeeper);
		// the other records a peer keeps refuse local writes outright.
		g, _ := domain.ParseGlobalID(w.globalMech)
		local, ok, err := cq.store.LocalID(ctx, g)
		if err != nil || !ok {
			t.Fatalf("no replica of %s: %v", g, err)
		}
		m, _ := cq.store.Mechanisms.Get(ctx, local)
		m.Name = "改个名字"
		err = cq.store.Mechanisms.Update(ctx, domain.Actor{}, m)
		if domain.ErrorCode(err) != domain.Forbidden || !strings.Contains(err.Error(), "liandong/chengdu") {
			t.Fatalf("a local write to Chengdu's mechanism on Chongqing's installation: got %v, want forbidden naming its keeper", err)
		}
	})

	t.Run("ThePeersItemsCrossBack", func(t *testing.T) {
		g, _ := domain.ParseGlobalID(w.globalMech)
		mech, _, _ := cq.store.LocalID(ctx, g)
		unit, _ := domain.ParseGlobalID(mustGlobal(t, cd, "organizations", w.cqDRC.ID))
		cqUnit, _, _ := cq.store.LocalID(ctx, unit)
		mustCreate(t, cq.store, cq.store.Items, &domain.Item{MechanismID: mech, Title: "巴南温江生物医药协作", Status: domain.NotStarted,
			Parties: []domain.Party{{Side: "chongqing", OrganizationID: cqUnit, Role: domain.LeadUnit}}})
		sync(t, cq, cd)
		got, want := sharedItems(t, cd, w.globalMech), sharedItems(t, cq, w.globalMech)
		if !equal(got, want) || len(got) != 2 {
			t.Fatalf("Chengdu holds %v, Chongqing %v", keys(got), keys(want))
		}
	})

	t.Run("ProblemsAndTheirEscalationCross", func(t *testing.T) {
		pr := mustCreate(t, cd.store, cd.store.Problems, &domain.Problem{MechanismID: w.mech.ID, ItemID: rail.ID, Title: "征地拆迁进度滞后", Tier: domain.Execution,
			Status: domain.ProblemOpen, Responsible: []domain.ResponsibleUnit{{Side: "chongqing", OrganizationID: w.cqDRC.ID}}})
		if _, err := cd.store.Escalate(ctx, domain.Actor{}, pr.ID, pr.Version, "执行层协调未果"); err != nil {
			t.Fatal(err)
		}
		sync(t, cd, cq)
		g, _ := cd.store.GlobalID(ctx, "problems", pr.ID)
		local, ok, err := cq.store.LocalID(ctx, g)
		if err != nil || !ok {
			t.Fatalf("no replica of %s on Chongqing (%v)", g, err)
		}
		got, _ := cq.store.Problems.Get(ctx, local)
		unit, _ := cq.store.GlobalID(ctx, "organizations", got.Responsible[0].OrganizationID)
		if got.Title != pr.Title || got.Tier != domain.Coordination || unit.String() != mustGlobal(t, cd, "organizations", w.cqDRC.ID) {
			t.Fatalf("Chongqing's replica: %q at the %s tier, responsible %s; want it escalated to coordination, Chongqing's unit responsible", got.Title, got.Tier, unit)
		}
	})

	t.Run("ReceiptsAndReplays", func(t *testing.T) {
		p, _ := cd.store.Peer(ctx, cq.name)
		size, _ := cd.store.OutboxSize(ctx, p)
		sent, err := cd.store.Checkpoints(ctx, p, store.SentCheckpoint)
		if err != nil || len(sent) == 0 {
			t.Fatalf("Chengdu holds no receipt from Chongqing (%v)", err)
		}
		if last := sent[len(sent)-1]; last.Size != size || last.CosignedAt.IsZero() {
			t.Fatalf("last receipt covers %d entries (cosigned %v), the log holds %d", last.Size, last.CosignedAt, size)
		}
		q, _ := cq.store.Peer(ctx, cd.name)
		before, _ := cq.store.Outcomes(ctx, q)
		if n, err := cq.node.Pull(ctx, q); err != nil || n != 0 {
			t.Fatalf("pulling again received %d (%v), want nothing new", n, err)
		}
		after, _ := cq.store.Outcomes(ctx, q)
		if len(after) != len(before) {
			t.Fatalf("a second pull added outcomes: %d then %d", len(before), len(after))
		}
		for _, o := range after {
			if o.Outcome != store.Applied {
				t.Errorf("envelope %d (%s): %s %s", o.Seq, o.EventID, o.Outcome, o.Reason)
			}
		}
	})
}

func mustGlobal(t testing.TB, in *installation, entity string, id int64) string {
	t.Helper()
	g, err := in.store.GlobalID(context.Background(), entity, id)
	if err != nil {
		t.Fatal(err)
	}
	return g.String()
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

var _ = errors.New
