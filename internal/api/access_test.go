package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// accessWorld is one mechanism with two sides and four items, each in a
// different relation to the unit 温江区人民政府 (A): A is its lead ("own"),
// another Chengdu unit leads it ("same side"), only a Chongqing unit takes
// part ("other side"), or no unit does ("none").
type accessWorld struct {
	mech, other *domain.Mechanism
	batch       *domain.Batch
	a, b, c, d  *domain.Organization
	items       map[string]*domain.Item
	reports     map[string]*domain.Report // drafts of the item's first party
	submitted   map[string]*domain.Report // submitted reports of the item's first party
	tokens      map[string]string
}

func newAccessWorld(t *testing.T, s *store.Store) *accessWorld {
	t.Helper()
	ctx := context.Background()
	w := &accessWorld{items: map[string]*domain.Item{}, reports: map[string]*domain.Report{}, submitted: map[string]*domain.Report{}, tokens: map[string]string{}}
	cd := must(t, s.Jurisdictions, &domain.Jurisdiction{Name: "成都市", Kind: domain.City})
	cq := must(t, s.Jurisdictions, &domain.Jurisdiction{Name: "重庆市", Kind: domain.Municipality})
	wj := must(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: cd.ID, Name: "温江区", Kind: domain.District})
	unit := func(j *domain.Jurisdiction, name string) *domain.Organization {
		return must(t, s.Organizations, &domain.Organization{JurisdictionID: j.ID, Name: name, Kind: domain.Government})
	}
	w.a, w.b, w.c, w.d = unit(wj, "温江区人民政府"), unit(cd, "青羊区人民政府"), unit(cq, "巴南区人民政府"), unit(cq, "渝中区人民政府")
	sides := []domain.Side{{Key: "chengdu", Name: "成都"}, {Key: "chongqing", Name: "重庆"}}
	member := func(o *domain.Organization, side string) domain.Member {
		return domain.Member{OrganizationID: o.ID, Side: side, Role: domain.MemberUnit}
	}
	w.mech = must(t, s.Mechanisms, &domain.Mechanism{Name: "工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly, Sides: sides,
		Members: []domain.Member{member(w.a, "chengdu"), member(w.b, "chengdu"), member(w.c, "chongqing"), member(w.d, "chongqing")}})
	w.other = must(t, s.Mechanisms, &domain.Mechanism{Name: "另一个工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly, Sides: sides,
		Members: []domain.Member{member(w.b, "chengdu"), member(w.d, "chongqing")}})
	w.batch = must(t, s.Batches, &domain.Batch{MechanismID: w.mech.ID, Name: "第一批"})
	lead := func(side string, o *domain.Organization) domain.Party {
		return domain.Party{Side: side, OrganizationID: o.ID, Role: domain.LeadUnit}
	}
	for rel, parties := range map[string][]domain.Party{
		"own":        {lead("chengdu", w.a), lead("chongqing", w.c)},
		"same side":  {lead("chengdu", w.b), lead("chongqing", w.d)},
		"other side": {lead("chongqing", w.c)},
		"none":       nil,
	} {
		w.items[rel] = must(t, s.Items, &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: "事项 " + rel, Status: domain.Advancing, Parties: parties})
		if len(parties) > 0 {
			w.reports[rel] = must(t, s.Reports, &domain.Report{ItemID: w.items[rel].ID, OrganizationID: parties[0].OrganizationID, Period: "2024-10", Status: domain.Draft})
			w.submitted[rel] = must(t, s.Reports, &domain.Report{ItemID: w.items[rel].ID, OrganizationID: parties[0].OrganizationID, Period: "2024-09", Text: "九月进展 " + rel, Status: domain.Submitted})
		}
	}
	for role, grants := range map[string][]domain.Grant{
		"admin":             {{Role: domain.Admin}},
		"secretariat":       {{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: w.mech.ID}},
		"other secretariat": {{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: w.other.ID}},
		"liaison":           {{Role: domain.Liaison, ScopeKind: domain.JurisdictionScope, ScopeID: wj.ID}},
		"leader":            {{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: w.mech.ID}},
		"viewer":            {{Role: domain.Viewer}},
		"no role":           nil,
	} {
		u := must(t, s.Users, &domain.User{Email: fmt.Sprintf("u%d@example.gov.cn", len(w.tokens)), Name: role, Locale: "zh-CN", Grants: grants})
		tok, _, err := s.CreateToken(ctx, domain.Actor{}, u.ID, role)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[role] = tok
	}
	return w
}

// TestPolicyMatrix runs every role against every action on objects in every
// relation to the liaison's unit, through the API's real routes. Each row
// states the outcome; a refused action must change nothing.
func TestPolicyMatrix(t *testing.T) {
	const (
		yes = true
		no  = false
	)
	relations := []string{"own", "same side", "other side", "none"}
	// For each role and action: allowed per relation, in the order above.
	// "read draft" and "read report" are the draft and the submitted report
	// of the item's first party (none when no unit takes part): a draft is
	// its unit's and the secretariat's until it is submitted.
	matrix := map[string]map[string][4]bool{
		"admin":             {"read": {yes, yes, yes, yes}, "list": {yes, yes, yes, yes}, "update": {yes, yes, yes, yes}, "read draft": {yes, yes, yes, no}, "read report": {yes, yes, yes, no}, "raise problem": {yes, yes, yes, yes}},
		"secretariat":       {"read": {yes, yes, yes, yes}, "list": {yes, yes, yes, yes}, "update": {yes, yes, yes, yes}, "read draft": {yes, yes, yes, no}, "read report": {yes, yes, yes, no}, "raise problem": {yes, yes, yes, yes}},
		"other secretariat": {"read": {no, no, no, no}, "list": {no, no, no, no}, "update": {no, no, no, no}, "read draft": {no, no, no, no}, "read report": {no, no, no, no}, "raise problem": {no, no, no, no}},
		"liaison":           {"read": {yes, no, no, no}, "list": {yes, no, no, no}, "update": {yes, no, no, no}, "read draft": {yes, no, no, no}, "read report": {yes, no, no, no}, "raise problem": {yes, no, no, no}},
		"leader":            {"read": {yes, yes, yes, yes}, "list": {yes, yes, yes, yes}, "update": {no, no, no, no}, "read draft": {no, no, no, no}, "read report": {yes, yes, yes, no}, "raise problem": {no, no, no, no}},
		"viewer":            {"read": {yes, yes, yes, yes}, "list": {yes, yes, yes, yes}, "update": {no, no, no, no}, "read draft": {no, no, no, no}, "read report": {yes, yes, yes, no}, "raise problem": {no, no, no, no}},
		"no role":           {"read": {no, no, no, no}, "list": {no, no, no, no}, "update": {no, no, no, no}, "read draft": {no, no, no, no}, "read report": {no, no, no, no}, "raise problem": {no, no, no, no}},
	}
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		for role, actions := range matrix {
			for action, allowed := range actions {
				for i, rel := range relations {
					t.Run(fmt.Sprintf("%s/%s/%s", role, action, rel), func(t *testing.T) {
						as := c.as(w.tokens[role])
						it := w.items[rel]
						one := fmt.Sprintf("/api/v1/items/%d", it.ID)
						want := allowed[i]
						switch action {
						case "read":
							r := as.do(t, "GET", one, nil)
							expect(t, r, want, 200, 403, 404)
						case "list":
							r := as.do(t, "GET", fmt.Sprintf("/api/v1/items?mechanism=%d&limit=200", w.mech.ID), nil)
							if r.status == 403 {
								if want {
									t.Fatalf("list refused: %s", r.body)
								}
								return
							}
							wantStatus(t, r, 200)
							listed := false
							for _, x := range r.json(t)["items"].([]any) {
								listed = listed || int64(x.(map[string]any)["id"].(float64)) == it.ID
							}
							if listed != want {
								t.Fatalf("listed = %v, want %v", listed, want)
							}
						case "update":
							before, _ := s.Items.Get(context.Background(), it.ID)
							r := as.do(t, "PATCH", one, map[string]any{"version": before.Version, "content": "由" + role + "修改"})
							expect(t, r, want, 200, 403, 404)
							after, _ := s.Items.Get(context.Background(), it.ID)
							if changed := after.Version != before.Version; changed != want {
								t.Fatalf("stored item changed = %v, want %v", changed, want)
							}
						case "read draft", "read report":
							reps := w.submitted
							if action == "read draft" {
								reps = w.reports
							}
							rep, ok := reps[rel]
							if !ok {
								return // nothing to read: no unit takes part
							}
							r := as.do(t, "GET", fmt.Sprintf("/api/v1/reports/%d", rep.ID), nil)
							expect(t, r, want, 200, 403, 404)
							if !want { // answered as a report that does not exist
								sameAnswer(t, r, rep.ID, as.do(t, "GET", "/api/v1/reports/987654", nil), 987654)
							}
							listed := false
							if l := as.do(t, "GET", fmt.Sprintf("/api/v1/reports?item=%d&limit=200", it.ID), nil); l.status == 200 {
								for _, x := range l.json(t)["items"].([]any) {
									listed = listed || int64(x.(map[string]any)["id"].(float64)) == rep.ID
								}
							}
							if listed != want {
								t.Fatalf("listed = %v, want %v", listed, want)
							}
						case "raise problem":
							body := map[string]any{"mechanism_id": w.mech.ID, "item_id": it.ID, "title": "问题 " + role, "tier": "execution", "status": "open"}
							r := as.do(t, "POST", "/api/v1/problems", body)
							// A refused item answers as one that does not exist.
							expect(t, r, want, 201, 403, 404, 422)
						}
					})
				}
			}
		}
	})
}

// expect checks that an allowed call got ok and a refused one one of refused.
func expect(t *testing.T, r response, allowed bool, ok int, refused ...int) {
	t.Helper()
	if allowed {
		wantStatus(t, r, ok)
		return
	}
	wantProblem(t, r, "", refused...)
}

// as returns a client that sends another token.
func (c *client) as(token string) *client {
	cp := *c
	cp.token = token
	return &cp
}

func TestLiaisonReportsOnlyForOwnUnit(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		liaison := c.as(w.tokens["liaison"])
		own := w.items["own"]
		ok := liaison.do(t, "POST", "/api/v1/reports", map[string]any{"item_id": own.ID, "organization_id": w.a.ID, "period": "2024-11", "text": "基地开工", "percent": 20, "status": "submitted"})
		wantStatus(t, ok, http.StatusCreated)
		// Reporting for the other side's unit on its own item is refused and stores nothing.
		other := liaison.do(t, "POST", "/api/v1/reports", map[string]any{"item_id": own.ID, "organization_id": w.c.ID, "period": "2024-11", "text": "冒名", "status": "draft"})
		wantProblem(t, other, "", 403, 404)
		page, _ := s.Reports.List(context.Background(), domain.ListQuery{Filters: map[string]string{"period": "2024-11"}})
		if len(page.Items) != 1 {
			t.Fatalf("%d reports stored for 2024-11, want 1", len(page.Items))
		}
		// Guessing another unit's report id reads nothing.
		wantProblem(t, liaison.do(t, "GET", fmt.Sprintf("/api/v1/reports/%d", w.reports["same side"].ID), nil), "", 404)
		list := liaison.do(t, "GET", "/api/v1/reports?limit=200", nil)
		for _, x := range list.json(t)["items"].([]any) {
			if int64(x.(map[string]any)["organization_id"].(float64)) != w.a.ID {
				t.Fatalf("liaison lists another unit's report: %v", x)
			}
		}
	})
}

func TestCompletionWaitsForBothSides(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		// The Chongqing side's liaison acts for 巴南区人民政府 (C).
		u := must(t, s.Users, &domain.User{Email: "banan@example.gov.cn", Name: "巴南联络员", Locale: "zh-CN",
			Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.c.ID}}})
		tok, _, _ := s.CreateToken(ctx, domain.Actor{}, u.ID, "t")
		chengdu, chongqing := c.as(w.tokens["liaison"]), c.as(tok)
		it := w.items["own"]
		one := fmt.Sprintf("/api/v1/items/%d", it.ID)

		claimed := chengdu.do(t, "PATCH", one, map[string]any{"version": it.Version, "status": "completed", "content": "已建成"})
		wantStatus(t, claimed, 200)
		body := claimed.json(t)
		pending := body["pending"].([]any)
		if body["status"] != "advancing" || body["content"] != "已建成" || len(pending) != 1 {
			t.Fatalf("after one side's claim: status %v content %v pending %v", body["status"], body["content"], pending)
		}
		ch := pending[0].(map[string]any)
		if fmt.Sprint(ch["confirmed"]) != "[chengdu]" || fmt.Sprint(ch["awaiting"]) != "[chongqing]" {
			t.Fatalf("change %v", ch)
		}
		confirm := fmt.Sprintf("%s/changes/%d/confirm", one, int64(ch["id"].(float64)))
		// The other side sees it pending on the item too.
		seen := chongqing.do(t, "GET", one, nil).json(t)
		if len(seen["pending"].([]any)) != 1 {
			t.Fatal("the other side does not see the pending change")
		}
		// The claiming side cannot confirm twice; a unit with no relation cannot confirm at all.
		wantProblem(t, chengdu.do(t, "POST", confirm, nil), "", 403)
		wantProblem(t, c.as(w.tokens["viewer"]).do(t, "POST", confirm, nil), "", 403)
		if got, _ := s.Items.Get(ctx, it.ID); got.Status != domain.Advancing {
			t.Fatalf("status %s before the other side confirmed", got.Status)
		}
		done := chongqing.do(t, "POST", confirm, nil)
		wantStatus(t, done, 200)
		if got := done.json(t); got["status"] != "completed" || len(got["pending"].([]any)) != 0 {
			t.Fatalf("after both sides: %s", done.body)
		}
		h, _ := s.History(ctx, "items", it.ID)
		var actions []string
		for _, e := range h {
			actions = append(actions, e.Action)
		}
		if fmt.Sprint(actions) != "[create update propose update confirm]" {
			t.Fatalf("history %v", actions)
		}
	})
}

func TestPublicViewShowsOnlyPublishedFields(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		public := c.as("")
		items := fmt.Sprintf("/api/v1/public/mechanisms/%d/items", w.mech.ID)
		pub := fmt.Sprintf("/api/v1/mechanisms/%d/publication", w.mech.ID)
		wantProblem(t, public.do(t, "GET", items, nil), "", 404)

		wantProblem(t, c.as(w.tokens["liaison"]).do(t, "PUT", pub, map[string]any{"enabled": true, "fields": []string{"title"}, "version": 0}), "", 403)
		wantProblem(t, c.as(w.tokens["secretariat"]).do(t, "PUT", pub, map[string]any{"enabled": true, "fields": []string{"parties"}, "version": 0}), "fields[0]", 422)
		set := c.as(w.tokens["secretariat"]).do(t, "PUT", pub, map[string]any{"enabled": true, "fields": []string{"title", "status"}, "version": 0})
		wantStatus(t, set, 200)

		page := public.do(t, "GET", items, nil)
		wantStatus(t, page, 200)
		got := page.json(t)["items"].([]any)
		if len(got) != 4 {
			t.Fatalf("%d public items, want 4", len(got))
		}
		for _, x := range got {
			fields := x.(map[string]any)
			if len(fields) != 3 || fields["title"] == nil || fields["status"] == nil {
				t.Fatalf("public item shows %v, want only id, title and status", fields)
			}
		}
		wantStatus(t, c.as(w.tokens["secretariat"]).do(t, "PUT", pub, map[string]any{"enabled": false, "fields": []string{"title"}, "version": 1}), 200)
		wantProblem(t, public.do(t, "GET", items, nil), "", 404)
		wantProblem(t, c.as(w.tokens["secretariat"]).do(t, "PUT", pub, map[string]any{"enabled": true, "version": 1}), "version", 409)
	})
}

func TestMechanismWideViewsNeedOversight(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		m := must(t, s.Meetings, &domain.Meeting{MechanismID: w.mech.ID, Number: 1, Title: "第一次会议", HeldOn: domain.MustDate("2024-11-20"), HeldOnPrecision: domain.DayPrecision})
		pack := fmt.Sprintf("/api/v1/meetings/%d/pack.md", m.ID)
		period := fmt.Sprintf("/api/v1/mechanisms/%d/periods/current", w.mech.ID)
		for role, want := range map[string]int{"secretariat": 200, "leader": 200, "viewer": 200, "liaison": 403, "other secretariat": 403} {
			r := c.as(w.tokens[role]).do(t, "GET", pack, nil)
			if r.status != want {
				t.Errorf("%s reading the meeting pack: %d, want %d", role, r.status, want)
			}
			r = c.as(w.tokens[role]).do(t, "GET", period, nil)
			if r.status != want {
				t.Errorf("%s reading the period's reports: %d, want %d", role, r.status, want)
			}
		}
		// A liaison raises and escalates a problem on its own item.
		liaison := c.as(w.tokens["liaison"])
		raised := liaison.do(t, "POST", "/api/v1/problems", map[string]any{"mechanism_id": w.mech.ID, "item_id": w.items["own"].ID, "title": "征地协调", "tier": "execution", "status": "open"})
		wantStatus(t, raised, 201)
		p := raised.json(t)
		up := liaison.do(t, "POST", fmt.Sprintf("/api/v1/problems/%d/escalate", int64(p["id"].(float64))), map[string]any{"version": 1, "note": "需协调层研究"})
		wantStatus(t, up, 200)
	})
}

// Who may call a route, on the access world's records: the roles allowed.
type allowedRoles map[string]bool

func rolesOf(names ...string) allowedRoles {
	out := allowedRoles{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

var (
	matrixRoles = []string{"admin", "secretariat", "other secretariat", "liaison", "leader", "viewer", "no role", "anonymous"}
	everyone    = rolesOf(matrixRoles...)
	signedIn    = rolesOf("admin", "secretariat", "other secretariat", "liaison", "leader", "viewer", "no role")
	withRole    = rolesOf("admin", "secretariat", "other secretariat", "liaison", "leader", "viewer")
	oversee     = rolesOf("admin", "secretariat", "leader", "viewer")
	administer  = rolesOf("admin", "secretariat")
	ownRead     = rolesOf("admin", "secretariat", "liaison", "leader", "viewer")
	ownWrite    = rolesOf("admin", "secretariat", "liaison")
	ownComment  = rolesOf("admin", "secretariat", "liaison", "leader")
	adminOnly   = rolesOf("admin")
)

// routeEntry is the matrix's row for one route: the path it is called on
// (its {id} set to a record of the access world) and who may call it.
type routeEntry struct {
	path    string
	allowed allowedRoles
}

// TestPolicyMatrixCoversEveryRoute calls every route of the API, exports
// included (ledger, packs, annual report, public view), as every role on
// the access world, and fails when the route table has a route the matrix
// has no row for. Reads and updates run for every role: an allowed one must
// answer 200, a refused one 401, 403 or 404. Creating, archiving and the
// other actions run for the refused roles, which must not succeed; the
// allowed side of each is exercised by the tests of that action.
func TestPolicyMatrixCoversEveryRoute(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		w.tokens["anonymous"] = ""
		own := w.items["own"]
		meeting := must(t, s.Meetings, &domain.Meeting{MechanismID: w.mech.ID, Number: 1, Title: "第一次会议", HeldOn: domain.MustDate("2024-11-20"), HeldOnPrecision: domain.DayPrecision})
		agreement := must(t, s.Agreements, &domain.Agreement{MechanismID: w.mech.ID, Title: "合作协议", Kind: domain.StrategicAgreement,
			Parties: []domain.AgreementParty{{OrganizationID: w.a.ID}, {OrganizationID: w.c.ID}}})
		catalog := must(t, s.Catalogs, &domain.Catalog{MechanismID: w.mech.ID, Name: "通办清单", Edition: 1})
		entry := must(t, s.CatalogEntries, &domain.CatalogEntry{CatalogID: catalog.ID, Name: "户口迁移", ServiceMode: "fully_online"})
		indicator := must(t, s.Indicators, &domain.Indicator{MechanismID: w.mech.ID, Name: "产值", Unit: "亿元"})
		task := must(t, s.Tasks, &domain.Task{MechanismID: w.mech.ID, Year: 2024, Content: "年度任务", LeadID: w.a.ID, Status: domain.TaskOpen})
		problem := must(t, s.Problems, &domain.Problem{MechanismID: w.mech.ID, ItemID: own.ID, Title: "用地", Tier: domain.Execution, Status: domain.ProblemOpen})
		channel := must(t, s.NotificationChannels(), &domain.NotificationChannel{MechanismID: w.mech.ID, Name: "群", Kind: domain.WeComChannel, Target: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
		mapping := must(t, s.ColumnMappings(), &domain.ColumnMapping{MechanismID: w.mech.ID, Name: "映射", Columns: map[string]string{"名称": "title"}})
		user := must(t, s.Users, &domain.User{Email: "target@example.gov.cn", Name: "被管理者", Locale: "zh-CN"})
		if _, err := s.SetPublication(ctx, domain.Actor{}, domain.Publication{MechanismID: w.mech.ID, Enabled: true, Fields: []string{"title"}}); err != nil {
			t.Fatal(err)
		}
		// A change 巴南 (C) proposed on "own", awaiting 温江 (A).
		banan := c.as(tokenFor(t, s, "巴南联络员", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.c.ID}))
		held := banan.do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", own.ID), map[string]any{"version": own.Version, "status": "completed"})
		wantStatus(t, held, 200)
		change := int64(held.json(t)["pending"].([]any)[0].(map[string]any)["id"].(float64))
		ledgerCSV := c.do(t, "GET", fmt.Sprintf("/api/v1/batches/%d/ledger.csv", w.batch.ID), nil).body

		m := map[string]routeEntry{}
		// The nouns of the record kit: the record each is called on, who
		// reads one, who lists, who changes one and who creates one.
		for _, n := range []struct {
			plural                    string
			id                        int64
			read, list, change, creat allowedRoles
		}{
			{"jurisdictions", w.a.JurisdictionID, withRole, withRole, adminOnly, adminOnly},
			{"organizations", w.a.ID, withRole, withRole, adminOnly, adminOnly},
			{"mechanisms", w.mech.ID, withRole, withRole, administer, adminOnly},
			{"meetings", meeting.ID, withRole, withRole, administer, administer},
			{"batches", w.batch.ID, withRole, withRole, administer, administer},
			{"items", own.ID, ownRead, withRole, ownWrite, ownWrite},
			// A draft: a submitted report is locked against PATCH, and
			// leaders and viewers do not read drafts.
			{"reports", w.reports["own"].ID, ownWrite, withRole, ownWrite, ownWrite},
			{"problems", problem.ID, ownRead, withRole, ownWrite, ownWrite},
			{"tasks", task.ID, ownRead, withRole, ownWrite, ownWrite},
			{"agreements", agreement.ID, withRole, withRole, administer, administer},
			{"catalogs", catalog.ID, withRole, withRole, administer, administer},
			{"catalog-entries", entry.ID, withRole, withRole, administer, administer},
			{"indicators", indicator.ID, withRole, withRole, administer, administer},
			{"users", user.ID, adminOnly, adminOnly, adminOnly, adminOnly},
			{"column-mappings", mapping.ID, oversee, withRole, administer, administer},
			{"notification-channels", channel.ID, oversee, withRole, administer, administer},
		} {
			coll, one := "/api/v1/"+n.plural, fmt.Sprintf("/api/v1/%s/%d", n.plural, n.id)
			m["GET /api/v1/"+n.plural] = routeEntry{coll, n.list}
			m["POST /api/v1/"+n.plural] = routeEntry{coll, n.creat}
			m["GET /api/v1/"+n.plural+"/{id}"] = routeEntry{one, n.read}
			m["PATCH /api/v1/"+n.plural+"/{id}"] = routeEntry{one, n.change}
			m["DELETE /api/v1/"+n.plural+"/{id}"] = routeEntry{one, n.change}
			m["POST /api/v1/"+n.plural+"/{id}/restore"] = routeEntry{one + "/restore", n.change}
			m["GET /api/v1/"+n.plural+"/{id}/history"] = routeEntry{one + "/history", n.read}
		}
		batch, mech, mt := fmt.Sprintf("/api/v1/batches/%d", w.batch.ID), fmt.Sprintf("/api/v1/mechanisms/%d", w.mech.ID), fmt.Sprintf("/api/v1/meetings/%d", meeting.ID)
		for _, f := range []string{"html", "md", "docx", "pdf"} {
			m["GET /api/v1/meetings/{id}/pack."+f] = routeEntry{mt + "/pack." + f, oversee}
			m["GET /api/v1/batches/{id}/annual-report."+f] = routeEntry{batch + "/annual-report." + f + "?year=2024", oversee}
		}
		changes := fmt.Sprintf("/api/v1/items/%d/changes/%d", own.ID, change)
		rep := fmt.Sprintf("/api/v1/reports/%d", w.submitted["own"].ID)
		photo, err := s.AttachToReport(ctx, domain.Actor{}, w.submitted["own"].ID, "photo.png", []byte("\x89PNG\r\n\x1a\nrest"))
		if err != nil {
			t.Fatal(err)
		}
		for k, e := range map[string]routeEntry{
			"GET /api/v1/batches/{id}/ledger.xlsx":              {batch + "/ledger.xlsx", withRole}, // each reads the items it may
			"GET /api/v1/batches/{id}/ledger.csv":               {batch + "/ledger.csv", withRole},
			"POST /api/v1/batches/{id}/ledger/preview":          {batch + "/ledger/preview?format=csv", withRole},
			"POST /api/v1/batches/{id}/ledger/import":           {batch + "/ledger/import?format=csv", ownWrite}, // a liaison: its own rows
			"GET /api/v1/deliveries":                            {"/api/v1/deliveries?mechanism=" + strconv.FormatInt(w.mech.ID, 10), oversee},
			"GET /api/v1/mechanisms/{id}/periods/current":       {mech + "/periods/current", oversee},
			"POST /api/v1/mechanisms/{id}/lights":               {mech + "/lights", administer},
			"GET /api/v1/mechanisms/{id}/problems/overdue":      {mech + "/problems/overdue", oversee},
			"POST /api/v1/problems/{id}/escalate":               {fmt.Sprintf("/api/v1/problems/%d/escalate", problem.ID), ownWrite},
			"POST /api/v1/items/{id}/changes/{change}/confirm":  {changes + "/confirm", rolesOf("liaison")},
			"POST /api/v1/items/{id}/changes/{change}/reject":   {changes + "/reject", ownWrite},
			"POST /api/v1/reports/{id}/correct":                 {rep + "/correct", ownWrite},
			"POST /api/v1/reports/{id}/accept":                  {rep + "/accept", administer},
			"POST /api/v1/reports/{id}/return":                  {rep + "/return", administer},
			"GET /api/v1/reports/{id}/attachments":              {rep + "/attachments", ownRead},
			"POST /api/v1/reports/{id}/attachments":             {rep + "/attachments?name=a.pdf", ownWrite},
			"GET /api/v1/reports/{id}/attachments/{attachment}": {fmt.Sprintf("%s/attachments/%d", rep, photo.ID), ownRead},
			"POST /api/v1/items/{id}/milestones/from-schedule":  {fmt.Sprintf("/api/v1/items/%d/milestones/from-schedule", own.ID), ownWrite},
			"GET /api/v1/mechanisms/{id}/publication":           {mech + "/publication", withRole},
			"PUT /api/v1/mechanisms/{id}/publication":           {mech + "/publication", administer},
			"GET /api/v1/public/mechanisms/{id}/items":          {"/api/v1/public/mechanisms/" + strconv.FormatInt(w.mech.ID, 10) + "/items", everyone},
			"GET /api/v1/me":                                    {"/api/v1/me", signedIn},
			// Comments: who reads the record reads them; who reads it
			// through a grant other than a viewer's writes them.
			"GET /api/v1/items/{id}/comments":     {fmt.Sprintf("/api/v1/items/%d/comments", own.ID), ownRead},
			"POST /api/v1/items/{id}/comments":    {fmt.Sprintf("/api/v1/items/%d/comments", own.ID), ownComment},
			"GET /api/v1/problems/{id}/comments":  {fmt.Sprintf("/api/v1/problems/%d/comments", problem.ID), ownRead},
			"POST /api/v1/problems/{id}/comments": {fmt.Sprintf("/api/v1/problems/%d/comments", problem.ID), ownComment},
			"GET /api/v1/tasks/{id}/comments":     {fmt.Sprintf("/api/v1/tasks/%d/comments", task.ID), ownRead},
			"POST /api/v1/tasks/{id}/comments":    {fmt.Sprintf("/api/v1/tasks/%d/comments", task.ID), ownComment},
			"GET /api/v1/me/inbox":                {"/api/v1/me/inbox", signedIn},
			"GET /api/v1/me/tokens":               {"/api/v1/me/tokens", signedIn},
			"POST /api/v1/me/tokens":              {"/api/v1/me/tokens", signedIn},
			"DELETE /api/v1/me/tokens/{id}":       {"/api/v1/me/tokens/987654", signedIn},
			"GET /api/v1/openapi.json":            {"/api/v1/openapi.json", everyone},
		} {
			m[k] = e
		}

		routes := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil))).Routes()
		var missing []string
		stale := map[string]bool{}
		for k := range m {
			stale[k] = true
		}
		for _, r := range routes {
			if _, ok := m[r]; !ok {
				missing = append(missing, r)
			}
			delete(stale, r)
		}
		if len(missing) > 0 || len(stale) > 0 {
			t.Fatalf("the policy matrix has no row for %v; it has rows for routes that do not exist: %v", missing, stale)
		}

		for _, r := range routes {
			e := m[r]
			method, _, _ := strings.Cut(r, " ")
			for _, role := range matrixRoles {
				if method != "GET" && method != "PATCH" && e.allowed[role] {
					continue // the allowed side is exercised by the tests of this action
				}
				if strings.HasSuffix(r, ".pdf") && e.allowed[role] {
					// Printing starts a browser (seconds each): the allowed
					// side is TestCycleOnTheDemo's; the refusals are here.
					continue
				}
				t.Run(r+"/"+role, func(t *testing.T) {
					as, allowed := c.as(w.tokens[role]), e.allowed[role]
					var body any
					var headers []string
					switch {
					case method == "GET":
					case method == "PATCH":
						current := c.do(t, "GET", e.path, nil)
						wantStatus(t, current, 200)
						body = map[string]any{"version": current.json(t)["version"]}
					case strings.Contains(r, "/ledger/"):
						body, headers = ledgerCSV, []string{"Content-Type", "text/csv"}
					case method == "DELETE":
						e.path += "?version=1"
					default:
						if !allowed {
							body = map[string]any{}
						}
					}
					got := as.do(t, method, e.path, body, headers...)
					if allowed {
						wantStatus(t, got, 200)
						return
					}
					if got.status < 400 {
						t.Fatalf("%s may not, yet got %d: %.300s", role, got.status, got.body)
					}
					if method == "GET" || method == "PATCH" {
						wantStatus(t, got, 401, 403, 404)
					}
				})
			}
		}
	})
}
