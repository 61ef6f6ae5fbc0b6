package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// client calls the API through a real HTTP server and checks every answer
// against the OpenAPI document, so a handler that drifts from the document
// fails whatever test exercised it.
type client struct {
	srv    *httptest.Server
	token  string
	router routers.Router
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func newClient(t *testing.T, s *store.Store) *client {
	t.Helper()
	a := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	doc, err := openapi3.NewLoader().LoadFromData(fetch(t, srv.URL+"/api/v1/openapi.json"))
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	admin := &domain.User{Email: "admin@example.gov.cn", Name: "管理员", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
	if err := s.Users.Create(context.Background(), domain.Actor{}, admin); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.CreateToken(context.Background(), domain.Actor{}, admin.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &client{srv: srv, token: token, router: router}
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	return b
}

// do sends a request; body may be nil, a []byte sent as is, or a value
// encoded as JSON. headers alternate name, value.
func (c *client) do(t *testing.T, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.conforms(t, req, res, b)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// conforms fails the test when the answer is not what the document says.
func (c *client) conforms(t *testing.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if res.StatusCode == http.StatusNotFound {
			return // an undocumented path that answered 404 is as it should be
		}
		t.Fatalf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.URL.Path, res.StatusCode, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s: the answer does not match the OpenAPI document: %v\n%s", req.Method, req.URL.Path, err, body)
	}
}

func wantStatus(t *testing.T, r response, want ...int) {
	t.Helper()
	for _, w := range want {
		if r.status == w {
			return
		}
	}
	t.Fatalf("status %d, want %v\n%s", r.status, want, r.body)
}

// wantProblem checks a problem+json answer that names field.
func wantProblem(t *testing.T, r response, field string, statuses ...int) {
	t.Helper()
	wantStatus(t, r, statuses...)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p api.ProblemDetails
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != r.status || p.Title == "" {
		t.Fatalf("problem %+v does not state its status and title", p)
	}
	if field == "" {
		return
	}
	for _, f := range p.Errors {
		if f.Field == field && f.Reason != "" {
			return
		}
	}
	t.Fatalf("problem does not name field %q: %s", field, r.body)
}

// fixture is the small world the resource tests work in.
type fixture struct {
	cd, cq, wj, bn      *domain.Jurisdiction
	cdDRC, cqDRC, wjGov *domain.Organization
	mech                *domain.Mechanism
	meeting             *domain.Meeting
	batch               *domain.Batch
	item                *domain.Item
	agreement           *domain.Agreement
	catalog             *domain.Catalog
}

func must[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], v P) P {
	t.Helper()
	if err := rs.Create(context.Background(), domain.Actor{}, v); err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
	return v
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	f := &fixture{}
	f.cd = must(t, s.Jurisdictions, &domain.Jurisdiction{Code: "510100", Name: "成都市", Kind: domain.City})
	f.cq = must(t, s.Jurisdictions, &domain.Jurisdiction{Code: "500000", Name: "重庆市", Kind: domain.Municipality})
	f.wj = must(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: f.cd.ID, Name: "温江区", Kind: domain.District})
	f.bn = must(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: f.cq.ID, Name: "巴南区", Kind: domain.District})
	f.cdDRC = must(t, s.Organizations, &domain.Organization{JurisdictionID: f.cd.ID, Name: "成都市发展和改革委员会", Kind: domain.Department})
	f.cqDRC = must(t, s.Organizations, &domain.Organization{JurisdictionID: f.cq.ID, Name: "重庆市发展和改革委员会", Kind: domain.Department})
	f.wjGov = must(t, s.Organizations, &domain.Organization{JurisdictionID: f.wj.ID, Name: "温江区人民政府", Kind: domain.Government})
	f.mech = must(t, s.Mechanisms, &domain.Mechanism{Name: "成渝双核联动工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides:   []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: f.cd.ID}, {Key: "chongqing", Name: "重庆", JurisdictionID: f.cq.ID}},
		Tracks:  []domain.Term{{Key: "hub", Name: "国际性综合交通枢纽", Group: "五个共建"}},
		Modes:   []domain.Term{{Key: "gongtou", Name: "共投共建"}},
		Members: []domain.Member{{OrganizationID: f.cdDRC.ID, Side: "chengdu", Role: domain.Secretariat}, {OrganizationID: f.cqDRC.ID, Side: "chongqing", Role: domain.Secretariat}}})
	f.meeting = must(t, s.Meetings, &domain.Meeting{MechanismID: f.mech.ID, Number: 1, Title: "工作组第一次会议", HeldOn: domain.MustDate("2022-04-28"), HeldOnPrecision: domain.DayPrecision, Format: domain.Video,
		Decisions: []domain.MeetingDecision{{Text: "建立工作机制"}}})
	f.batch = must(t, s.Batches, &domain.Batch{MechanismID: f.mech.ID, MeetingID: f.meeting.ID, Name: "第一批合作项目", DeclaredCount: 34})
	f.agreement = must(t, s.Agreements, &domain.Agreement{Title: "温江区—巴南区合作协议", Kind: domain.StrategicAgreement,
		Parties: []domain.AgreementParty{{JurisdictionID: f.wj.ID}, {JurisdictionID: f.bn.ID}}})
	f.item = must(t, s.Items, &domain.Item{MechanismID: f.mech.ID, BatchID: f.batch.ID, Title: "成渝中线高铁", Status: domain.Advancing, Track: "hub",
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: f.cdDRC.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: f.cqDRC.ID, Role: domain.LeadUnit}}})
	f.catalog = must(t, s.Catalogs, &domain.Catalog{Name: "新龙通办事项清单", Edition: 1, DeclaredCount: 71, AgreementID: f.agreement.ID})
	return f
}

// resourceCase is what the shared resource test needs to know of one noun.
type resourceCase struct {
	path     string
	valid    func(f *fixture) map[string]any
	bad      map[string]any // merged over valid; must be refused
	badField string
	patch    map[string]any // a valid change
	readBack string         // a field whose patched value must be read back
}

func cases() []resourceCase {
	return []resourceCase{
		{path: "jurisdictions", valid: func(f *fixture) map[string]any {
			return map[string]any{"name": "巴南区", "kind": "district", "parent_id": f.cq.ID, "source": "FACTS.md"}
		}, bad: map[string]any{"kind": "planet"}, badField: "kind", patch: map[string]any{"name_en": "Banan"}, readBack: "name_en"},
		{path: "organizations", valid: func(f *fixture) map[string]any {
			return map[string]any{"jurisdiction_id": f.cq.ID, "name": "重庆市交通运输委员会", "kind": "department"}
		}, bad: map[string]any{"jurisdiction_id": 987654}, badField: "jurisdiction_id", patch: map[string]any{"name_en": "Transport"}, readBack: "name_en"},
		{path: "mechanisms", valid: func(f *fixture) map[string]any {
			return map[string]any{"name": "专项工作组", "tier": "coordination", "time_zone": "Asia/Shanghai", "cadence": "quarterly",
				"sides": []any{map[string]any{"key": "chengdu", "name": "成都"}, map[string]any{"key": "chongqing", "name": "重庆"}}}
		}, bad: map[string]any{"time_zone": "Mars/Olympus"}, badField: "time_zone", patch: map[string]any{"cadence": "monthly"}, readBack: "cadence"},
		{path: "meetings", valid: func(f *fixture) map[string]any {
			return map[string]any{"mechanism_id": f.mech.ID, "number": 2, "title": "工作组第二次会议", "held_on": "2023-05-12", "held_on_precision": "day", "format": "in_person", "place": "成都", "chair": "张组长"}
		}, bad: map[string]any{"status": "planned"}, badField: "status", patch: map[string]any{"minutes": "各成员单位汇报进展", "status": "draft"}, readBack: "status"},
		{path: "batches", valid: func(f *fixture) map[string]any {
			return map[string]any{"mechanism_id": f.mech.ID, "name": "2024—2025年度合作事项清单", "declared_count": 0}
		}, bad: map[string]any{"declared_count": -3}, badField: "declared_count", patch: map[string]any{"year": 2024}, readBack: "year"},
		{path: "items", valid: func(f *fixture) map[string]any {
			return map[string]any{"mechanism_id": f.mech.ID, "batch_id": f.batch.ID, "title": "成渝双城生物医药产业高地", "status": "advancing", "mode": "gongtou",
				"parties":    []any{map[string]any{"side": "chengdu", "organization_id": f.wjGov.ID, "role": "lead"}},
				"milestones": []any{map[string]any{"title": "基地开工", "due_on": "2024-06-30"}}}
		}, bad: map[string]any{"track": "no-such-track"}, badField: "track", patch: map[string]any{"status": "completed"}, readBack: "status"},
		{path: "reports", valid: func(f *fixture) map[string]any {
			return map[string]any{"item_id": f.item.ID, "organization_id": f.cdDRC.ID, "period": "2023-05", "text": "全面开工建设", "percent": 30, "status": "draft"}
		}, bad: map[string]any{"percent": 130}, badField: "percent", patch: map[string]any{"percent": 35}, readBack: "percent"},
		{path: "problems", valid: func(f *fixture) map[string]any {
			return map[string]any{"mechanism_id": f.mech.ID, "item_id": f.item.ID, "title": "用地指标不足", "tier": "execution", "status": "open",
				"responsible": []any{map[string]any{"side": "chengdu", "organization_id": f.cdDRC.ID}}}
		}, bad: map[string]any{"status": "resolved"}, badField: "resolution", patch: map[string]any{"tier": "coordination"}, readBack: "tier"},
		{path: "tasks", valid: func(f *fixture) map[string]any {
			return map[string]any{"mechanism_id": f.mech.ID, "year": 2023, "content": "细化年度任务和分工", "lead_id": f.cdDRC.ID, "cooperating": []any{f.cqDRC.ID}, "status": "open", "due_on": "2023-12-31"}
		}, bad: map[string]any{"year": 12}, badField: "year", patch: map[string]any{"status": "done"}, readBack: "status"},
		{path: "agreements", valid: func(f *fixture) map[string]any {
			return map[string]any{"title": "双区联动行动方案", "kind": "action_plan", "parties": []any{map[string]any{"jurisdiction_id": f.wj.ID}, map[string]any{"jurisdiction_id": f.bn.ID}}}
		}, bad: map[string]any{"parties": []any{}}, badField: "parties", patch: map[string]any{"signed_on": "2022-06-01"}, readBack: "signed_on"},
		{path: "catalogs", valid: func(f *fixture) map[string]any {
			return map[string]any{"name": "川渝通办事项清单(第一批)", "edition": 1, "declared_count": 95, "published_on": "2020-11-03"}
		}, bad: map[string]any{"edition": 0}, badField: "edition", patch: map[string]any{"description": "15个部门"}, readBack: "description"},
		{path: "catalog-entries", valid: func(f *fixture) map[string]any {
			return map[string]any{"catalog_id": f.catalog.ID, "name": "户口迁移", "service_mode": "fully_online",
				"adoptions": []any{map[string]any{"jurisdiction_id": f.wj.ID, "status": "adopted", "since": "2021-01-01"}}}
		}, bad: map[string]any{"service_mode": "by-pigeon"}, badField: "service_mode", patch: map[string]any{"department": "公安"}, readBack: "department"},
		{path: "indicators", valid: func(f *fixture) map[string]any {
			return map[string]any{"name": "两市先进制造业产值", "unit": "万亿元", "values": []any{map[string]any{"observed_on": "2023-05-12", "value": 2, "note": "超过"}}}
		}, bad: map[string]any{"values": []any{map[string]any{"value": 1}}}, badField: "values[0].observed_on", patch: map[string]any{"scope": "成都、重庆"}, readBack: "scope"},
		{path: "users", valid: func(f *fixture) map[string]any {
			return map[string]any{"email": "liaison@wenjiang.gov.cn", "name": "温江联络员", "locale": "zh-CN", "password": "a long enough password",
				"grants": []any{map[string]any{"role": "liaison", "scope_kind": "organization", "scope_id": f.wjGov.ID}}}
		}, bad: map[string]any{"email": "not-an-address"}, badField: "email", patch: map[string]any{"locale": "en"}, readBack: "locale"},
	}
}

func merged(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestEveryResource(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		for _, tc := range cases() {
			t.Run(tc.path, func(t *testing.T) {
				coll := "/api/v1/" + tc.path
				created := c.do(t, "POST", coll, tc.valid(f))
				wantStatus(t, created, http.StatusCreated)
				rec := created.json(t)
				id := int64(rec["id"].(float64))
				one := fmt.Sprintf("%s/%d", coll, id)
				if loc := created.header.Get("Location"); loc != one {
					t.Errorf("Location %q, want %q", loc, one)
				}
				if rec["version"].(float64) != 1 || created.header.Get("ETag") != `"1"` {
					t.Errorf("new record version %v, ETag %q", rec["version"], created.header.Get("ETag"))
				}
				if _, leaked := rec["password"]; leaked {
					t.Error("the password is returned")
				}

				t.Run("Read", func(t *testing.T) {
					got := c.do(t, "GET", one, nil)
					wantStatus(t, got, 200)
					if got.json(t)["id"].(float64) != float64(id) {
						t.Fatalf("read %s", got.body)
					}
				})
				t.Run("Listed", func(t *testing.T) {
					page := c.do(t, "GET", coll+"?limit=200", nil)
					wantStatus(t, page, 200)
					found := false
					for _, it := range page.json(t)["items"].([]any) {
						found = found || it.(map[string]any)["id"].(float64) == float64(id)
					}
					if !found {
						t.Fatal("the created record is not listed")
					}
				})
				t.Run("NotFound", func(t *testing.T) {
					wantProblem(t, c.do(t, "GET", coll+"/987654321", nil), "", 404)
					wantProblem(t, c.do(t, "GET", coll+"/abc", nil), "", 404)
				})
				t.Run("BadInputNamesField", func(t *testing.T) {
					r := c.do(t, "POST", coll, merged(tc.valid(f), tc.bad))
					wantProblem(t, r, tc.badField, 400, 422)
				})
				t.Run("UnknownFieldRefused", func(t *testing.T) {
					wantProblem(t, c.do(t, "POST", coll, merged(tc.valid(f), map[string]any{"colour": "red"})), "colour", 400)
				})
				t.Run("MissingToken", func(t *testing.T) {
					wantProblem(t, c.do(t, "GET", coll, nil, "Authorization", ""), "Authorization", 401)
					wantProblem(t, c.do(t, "GET", one, nil, "Authorization", "Bearer ld_not-a-real-token"), "", 401)
				})
				t.Run("UpdateThenStaleUpdateRefused", func(t *testing.T) {
					upd := c.do(t, "PATCH", one, merged(tc.patch, map[string]any{"version": 1}))
					wantStatus(t, upd, 200)
					after := upd.json(t)
					want, _ := json.Marshal(tc.patch[tc.readBack])
					got, _ := json.Marshal(after[tc.readBack])
					if string(got) != string(want) || after["version"].(float64) != 2 {
						t.Fatalf("after update %s = %s version %v, want %s version 2", tc.readBack, got, after["version"], want)
					}
					stale := c.do(t, "PATCH", one, merged(tc.valid(f), map[string]any{"version": 1}))
					wantProblem(t, stale, "version", 409)
					staleIfMatch := c.do(t, "PATCH", one, tc.valid(f), "If-Match", `"1"`)
					wantProblem(t, staleIfMatch, "version", 412)
					noVersion := c.do(t, "PATCH", one, tc.patch)
					wantProblem(t, noVersion, "version", 428)
					now := c.do(t, "GET", one, nil)
					if !bytes.Equal(now.body, upd.body) {
						t.Fatalf("a refused update changed the record:\nbefore %s\nafter  %s", upd.body, now.body)
					}
				})
				t.Run("History", func(t *testing.T) {
					h := c.do(t, "GET", one+"/history", nil)
					wantStatus(t, h, 200)
					evs := h.json(t)["items"].([]any)
					if len(evs) < 2 || evs[0].(map[string]any)["action"] != "create" || evs[1].(map[string]any)["action"] != "update" {
						t.Fatalf("history %s", h.body)
					}
				})
				t.Run("Archive", func(t *testing.T) {
					wantProblem(t, c.do(t, "DELETE", one, nil), "version", 428)
					wantProblem(t, c.do(t, "DELETE", one, nil, "If-Match", `"1"`), "version", 412)
					gone := c.do(t, "DELETE", one, nil, "If-Match", `"2"`)
					wantStatus(t, gone, 200)
					if gone.json(t)["archived_at"] == nil {
						t.Fatal("archived record has no archived_at")
					}
					page := c.do(t, "GET", coll+"?limit=200", nil)
					for _, it := range page.json(t)["items"].([]any) {
						if it.(map[string]any)["id"].(float64) == float64(id) {
							t.Fatal("an archived record is still listed")
						}
					}
				})
			})
		}
	})
}

func TestBodiesThatCannotBeRead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		for name, tc := range map[string]struct {
			body   []byte
			field  string
			status int
		}{
			"MalformedJSON":  {[]byte(`{"name": `), "body", 400},
			"WrongType":      {[]byte(`{"name": 12, "kind": "district"}`), "name", 400},
			"MalformedUTF8":  {[]byte("{\"name\": \"\xff\xfe\", \"kind\": \"district\"}"), "body", 400},
			"Oversized":      {[]byte(`{"name": "` + strings.Repeat("长", api.MaxBodyBytes/3+10) + `"}`), "body", 413},
			"TwoValues":      {[]byte(`{"name":"a","kind":"district"} {}`), "body", 400},
			"OverlongName":   {[]byte(`{"name": "` + strings.Repeat("区", 201) + `", "kind": "district"}`), "name", 422},
			"ImpossibleDate": {[]byte(`{"name": "x", "kind": "district", "valid_from": "2024-02-30"}`), "", 400},
			"NegativeID":     {[]byte(`{"name": "x", "kind": "district", "parent_id": -4}`), "parent_id", 422},
			"HugeNumber":     {[]byte(`{"name": "x", "kind": "district", "parent_id": 1e40}`), "parent_id", 400},
			"NotJSONAtAll":   {[]byte(`name=x`), "body", 400},
		} {
			t.Run(name, func(t *testing.T) {
				wantProblem(t, c.do(t, "POST", "/api/v1/jurisdictions", tc.body), tc.field, tc.status)
			})
		}
		t.Run("WrongContentType", func(t *testing.T) {
			wantProblem(t, c.do(t, "POST", "/api/v1/jurisdictions", []byte(`{}`), "Content-Type", "text/plain"), "Content-Type", 400)
		})
		t.Run("BadListQueryNamesParameter", func(t *testing.T) {
			wantProblem(t, c.do(t, "GET", "/api/v1/items?colour=red", nil), "colour", 422)
			wantProblem(t, c.do(t, "GET", "/api/v1/items?due_before=2024-13-01", nil), "due_before", 422)
			wantProblem(t, c.do(t, "GET", "/api/v1/items?limit=x", nil), "limit", 400)
		})
	})
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	a := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	routes := a.Routes()
	if len(routes) < 80 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", rt)
		}
	}
	loaded, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI 3.1 document: %v", err)
	}
}

// TestMarkupInEveryTextFieldIsStoredAsText puts HTML and script into every
// text field of an item: it is stored exactly as sent and comes back as a
// JSON string, never as markup (encoding/json escapes <, > and &).
func TestMarkupInEveryTextFieldIsStoredAsText(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		payload := `<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'"`
		body := map[string]any{"mechanism_id": f.mech.ID, "title": payload, "content": payload, "light_reason": payload, "source": payload, "status": "advancing",
			"milestones": []any{map[string]any{"title": payload, "due_on": "2025-01-01"}}, "schedule": map[string]any{"q1": payload}}
		r := c.do(t, "POST", "/api/v1/items", body)
		wantStatus(t, r, 201)
		if strings.Contains(string(r.body), "<script>") || strings.Contains(string(r.body), "<img") {
			t.Fatalf("markup appears raw in the JSON answer: %s", r.body)
		}
		got := r.json(t)
		for _, k := range []string{"title", "content", "light_reason", "source"} {
			if got[k] != payload {
				t.Errorf("%s stored as %q, want it exactly as sent", k, got[k])
			}
		}
		if got["milestones"].([]any)[0].(map[string]any)["title"] != payload || got["schedule"].(map[string]any)["q1"] != payload {
			t.Error("nested text fields were not stored exactly as sent")
		}
	})
}
