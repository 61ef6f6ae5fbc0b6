// Package api serves the JSON API under /api/v1: every noun of the domain
// with list, create, read, update and archive, described by an OpenAPI 3.1
// document generated from the same route table that registers the handlers,
// so the two cannot drift apart.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
	"github.com/liandong/liandong/internal/store"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// API is the JSON API's handler.
type API struct {
	store  *store.Store
	log    *slog.Logger
	mux    *http.ServeMux
	routes []route
	doc    []byte
}

// route is one operation: what registers it and what documents it.
type route struct {
	method   string
	path     string // a ServeMux pattern path, which is also the OpenAPI path
	op       string // operationId
	summary  string
	tag      string
	body     any // request body type, nil when none
	response any // response body type, nil for 204
	status   int
	errors   []int
	query    []param
	public   bool // served without a token
	// consumes lists the media types of a file upload, whose body is then
	// the file (or a multipart form with a file field); produces is the
	// media type of a file download. Both are empty for JSON.
	consumes []string
	produces string
	handler  http.HandlerFunc
}

// writes reports whether the route changes records, and so takes the day
// the change happened (occurred_on).
func (rt route) writes() bool {
	return rt.method != http.MethodGet && !rt.public && !strings.HasPrefix(rt.path, Prefix+"/me/")
}

// param is a documented query parameter.
type param struct {
	name, description string
}

// New returns the API over s.
func New(s *store.Store, log *slog.Logger) *API {
	a := &API{store: s, log: log, mux: http.NewServeMux()}
	a.routes = a.table()
	for _, rt := range a.routes {
		var h http.Handler = rt.handler
		if rt.writes() {
			h = a.occurred(h)
		}
		if !rt.public {
			h = a.authenticate(h)
		}
		a.mux.Handle(rt.method+" "+rt.path, h)
	}
	doc, err := json.MarshalIndent(a.document(), "", "  ")
	if err != nil {
		panic("api: the OpenAPI document does not encode: " + err.Error())
	}
	a.doc = doc
	a.mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, domain.Errorf(domain.NotFound, "no API route %s %s", r.Method, r.URL.Path))
	})
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Pattern returns the route pattern that serves r, for metrics labels.
func (a *API) Pattern(r *http.Request) string {
	_, p := a.mux.Handler(r)
	return p
}

// Routes lists every registered "METHOD path", for the test that checks
// each is documented.
func (a *API) Routes() []string {
	out := make([]string, len(a.routes))
	for i, rt := range a.routes {
		out[i] = rt.method + " " + rt.path
	}
	return out
}

// Tags group the operations in the document.
const (
	tagPlaces     = "Places and units"
	tagMechanisms = "Mechanisms and meetings"
	tagWork       = "Cooperation work"
	tagLists      = "Agreements, lists and indicators"
	tagAccounts   = "Accounts"
)

// table is every route of the API, in one place.
func (a *API) table() []route {
	s := a.store
	var rs []route
	rs = append(rs, resource(a, "jurisdictions", "Jurisdiction", tagPlaces, s.Jurisdictions)...)
	rs = append(rs, resource(a, "organizations", "Organization", tagPlaces, s.Organizations)...)
	rs = append(rs, resource(a, "mechanisms", "Mechanism", tagMechanisms, s.Mechanisms)...)
	rs = append(rs, resource(a, "meetings", "Meeting", tagMechanisms, s.Meetings)...)
	rs = append(rs, resource(a, "batches", "Batch", tagWork, s.Batches)...)
	rs = append(rs, resource(a, "items", "Item", tagWork, s.Items)...)
	rs = append(rs, resource(a, "reports", "Report", tagWork, s.Reports)...)
	rs = append(rs, resource(a, "problems", "Problem", tagWork, s.Problems)...)
	rs = append(rs, resource(a, "tasks", "Task", tagWork, s.Tasks)...)
	rs = append(rs, resource(a, "agreements", "Agreement", tagLists, s.Agreements)...)
	rs = append(rs, resource(a, "catalogs", "Catalog", tagLists, s.Catalogs)...)
	rs = append(rs, resource(a, "catalog-entries", "CatalogEntry", tagLists, s.CatalogEntries)...)
	rs = append(rs, resource(a, "indicators", "Indicator", tagLists, s.Indicators)...)
	rs = append(rs, resource(a, "users", "User", tagAccounts, s.Users)...)
	rs = append(rs, ledgerRoutes(a)...)
	rs = append(rs, notifyRoutes(a)...)
	rs = append(rs, cycleRoutes(a)...)
	rs = append(rs, a.confirmationRoutes()...)
	rs = append(rs, a.milestoneRoutes()...)
	rs = append(rs, a.reportRoutes()...)
	rs = append(rs, a.attachmentRoutes()...)
	rs = append(rs, a.publicationRoutes()...)
	rs = append(rs, a.commentRoutes()...)
	rs = append(rs,
		route{method: "GET", path: Prefix + "/me", op: "getMe", summary: "The user the token belongs to", tag: tagAccounts,
			response: domain.User{}, status: 200, errors: []int{401}, handler: a.me},
		route{method: "GET", path: Prefix + "/me/inbox", op: "getMyInbox", summary: "What is due from you and the units you act for (我的待办), grouped by kind, each with the page where it is done", tag: tagAccounts,
			response: inbox.Inbox{}, status: 200, errors: []int{401}, handler: a.myInbox},
		route{method: "GET", path: Prefix + "/me/tokens", op: "listMyTokens", summary: "Your API tokens, without their secrets", tag: tagAccounts,
			response: TokenList{}, status: 200, errors: []int{401}, handler: a.listTokens},
		route{method: "POST", path: Prefix + "/me/tokens", op: "createMyToken", summary: "Issue an API token; its secret is shown only in this answer", tag: tagAccounts,
			body: TokenRequest{}, response: NewToken{}, status: 201, errors: []int{400, 401, 413, 422}, handler: a.createToken},
		route{method: "DELETE", path: Prefix + "/me/tokens/{id}", op: "revokeMyToken", summary: "Revoke one of your API tokens", tag: tagAccounts,
			status: 204, errors: []int{401, 404}, handler: a.revokeToken},
		route{method: "GET", path: Prefix + "/openapi.json", op: "getOpenAPI", summary: "This document", tag: tagAccounts,
			response: map[string]any{}, status: 200, public: true, handler: a.openAPI},
	)
	return rs
}

// resource returns the seven routes of a noun kept by the record kit.
func resource[T any, P entity[T]](a *API, plural, schema, tag string, rs *store.Records[T, P]) []route {
	h := records[T, P]{api: a, rs: rs, path: Prefix + "/" + plural}
	var zero T
	coll, one := Prefix+"/"+plural, Prefix+"/"+plural+"/{id}"
	var query []param
	for _, f := range rs.FilterNames() {
		query = append(query, param{f, filterDescription(f)})
	}
	sorts := "id"
	for _, s := range rs.SortNames() {
		sorts += ", " + s
	}
	query = append(query,
		param{paramSort, "sort key: " + sorts},
		param{paramOrder, "asc (default) or desc"},
		param{paramLimit, "page size, 1 to 200, default 50"},
		param{paramCursor, "next_cursor of the previous page"},
		param{paramArchived, "true to include archived records"})
	return []route{
		{method: "GET", path: coll, op: "list" + schema, summary: "List " + plural, tag: tag, response: domain.Page[T]{}, status: 200,
			errors: []int{400, 401, 403, 422}, query: query, handler: h.list},
		{method: "POST", path: coll, op: "create" + schema, summary: "Create a " + schema, tag: tag, body: zero, response: zero, status: 201,
			errors: []int{400, 401, 403, 409, 413, 422}, handler: h.create},
		{method: "GET", path: one, op: "get" + schema, summary: "Read a " + schema, tag: tag, response: zero, status: 200,
			errors: []int{401, 403, 404}, handler: h.get},
		{method: "PATCH", path: one, op: "update" + schema, summary: "Update a " + schema + " (JSON merge patch based on a stated version)", tag: tag,
			body: zero, response: zero, status: 200, errors: []int{400, 401, 403, 404, 409, 412, 413, 422, 428}, handler: h.update},
		{method: "DELETE", path: one, op: "archive" + schema, summary: "Archive a " + schema + " (If-Match or ?version= required)", tag: tag,
			response: zero, status: 200, errors: []int{400, 401, 403, 404, 409, 412, 428}, query: []param{{"version", "the version being archived, when If-Match is not sent"}}, handler: h.archive},
		{method: "POST", path: one + "/restore", op: "restore" + schema, summary: "Restore an archived " + schema + " (If-Match or ?version= required)", tag: tag,
			response: zero, status: 200, errors: []int{400, 401, 403, 404, 409, 412, 428}, query: []param{{"version", "the version being restored, when If-Match is not sent"}}, handler: h.restore},
		{method: "GET", path: one + "/history", op: "history" + schema, summary: "The audit events of a " + schema + ", oldest first", tag: tag,
			response: History{}, status: 200, errors: []int{401, 403, 404}, handler: h.history},
	}
}

// History is a record's audit trail.
type History struct {
	Items []domain.AuditEvent `json:"items"`
}

func filterDescription(name string) string {
	switch name {
	case "q":
		return "text that a name, title or content contains (one or two Chinese characters work)"
	case "due_before", "due_after", "held_before", "held_after", "signed_before", "signed_after":
		return "a date, YYYY-MM-DD"
	}
	return "filter by " + name
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(a.doc)
}
