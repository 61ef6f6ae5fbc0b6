package api

import (
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
)

// document builds the OpenAPI 3.1 description from the route table and the
// Go types the handlers encode, so a route cannot exist undocumented and a
// field cannot change without the document following.
func (a *API) document() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{
			"operationId": rt.op,
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer", "minimum": 1}})
		}
		query := rt.query
		if rt.writes() {
			query = append(query[:len(query):len(query)], param{occurredParam, occurredDescription + "; a JSON body may carry it as a top-level field instead"})
		}
		for _, p := range query {
			params = append(params, map[string]any{"name": p.name, "in": "query", "required": false, "description": p.description, "schema": map[string]any{"type": "string"}})
		}
		if rt.method == "PATCH" || rt.method == "DELETE" && strings.Contains(rt.path, "{id}") && rt.response != nil {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "required": false,
				"description": "the ETag of the version your change is based on", "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.body != nil {
			body := g.input(reflect.TypeOf(rt.body))
			if rt.writes() {
				// The day the change happened rides beside the noun's fields.
				body = map[string]any{"allOf": []any{body, map[string]any{"type": "object", "properties": map[string]any{
					occurredParam: map[string]any{"type": "string", "pattern": `^\d{4}(-\d{2}(-\d{2})?)?$`, "description": occurredDescription}}}}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json":             map[string]any{"schema": body},
				"application/merge-patch+json": map[string]any{"schema": body},
			}}
		}
		if rt.consumes != nil {
			content := map[string]any{}
			for _, mt := range rt.consumes {
				file := map[string]any{"type": "string", "format": "binary"}
				if mt == "multipart/form-data" {
					file = map[string]any{"type": "object", "required": []string{"file"}, "properties": map[string]any{"file": file}}
				}
				content[mt] = map[string]any{"schema": file}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		responses := map[string]any{}
		ok := map[string]any{"description": http.StatusText(rt.status)}
		if rt.response != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.output(reflect.TypeOf(rt.response))}}
		}
		if rt.produces != "" {
			ok["content"] = map[string]any{rt.produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		}
		responses[strconv.Itoa(rt.status)] = ok
		errs := append(rt.errors[:len(rt.errors):len(rt.errors)], http.StatusInternalServerError)
		if rt.writes() {
			// occurred_on may be unreadable (400) or no day, or a later one (422).
			errs = append(errs, http.StatusBadRequest, http.StatusUnprocessableEntity)
		}
		for _, st := range errs {
			responses[strconv.Itoa(st)] = map[string]any{"description": http.StatusText(st),
				"content": map[string]any{"application/problem+json": map[string]any{"schema": g.output(reflect.TypeOf(ProblemDetails{}))}}}
		}
		op["responses"] = responses
		if rt.public {
			op["security"] = []any{}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": map[string]any{
			"title":       "Liandong API",
			"version":     "1",
			"description": "The system of record of a cooperation mechanism between governments. Every call needs Authorization: Bearer TOKEN. Errors are application/problem+json (RFC 9457) naming each offending field, in Chinese when Accept-Language prefers it (q-values honoured), else in English; code is the class of the error, detail_code and each errors[].code the stable code of the text beside it. An update states the version it is based on (If-Match or a version field); a stale one is refused.",
			"license":     map[string]any{"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
		},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"paths":      paths,
		"components": map[string]any{"schemas": g.defs, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

// messageCodes are the values of a problem's detail_code and its errors'
// code.
func messageCodes() []MessageCode {
	var out []MessageCode
	for _, c := range message.Codes() {
		out = append(out, MessageCode(c))
	}
	return out
}

// pathParam finds the {name} wildcards of a route; every one is an id.
var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// schemaGen turns Go types into JSON Schema 2020-12, the dialect of OpenAPI 3.1.
type schemaGen struct {
	defs map[string]any
}

// readOnly fields are set by the server; input schemas leave them out.
var readOnly = map[string]bool{"id": true, "created_at": true, "updated_at": true, "archived_at": true,
	"recorded_count": true, "escalations": true, "submitted_at": true, "resolved_at": true, "pending": true}

// enums lists the allowed values of the domain's string types.
var enums = map[reflect.Type][]string{}

func enum[S ~string](values []S) {
	var zero S
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	enums[reflect.TypeOf(zero)] = out
}

func init() {
	enum(domain.JurisdictionKinds)
	enum(domain.OrganizationKinds)
	enum(domain.Tiers)
	enum(domain.Cadences)
	enum(domain.CustomFieldTypes)
	enum(domain.MemberRoles)
	enum(domain.MeetingFormats)
	enum([]domain.DatePrecision{domain.DayPrecision, domain.MonthPrecision, domain.YearPrecision})
	enum(domain.AgendaKinds)
	enum(domain.ItemStatuses)
	enum(domain.Lights)
	enum([]domain.PartyRole{domain.LeadUnit, domain.CooperatingUnit})
	enum(domain.ReportStatuses)
	enum([]domain.ProblemStatus{domain.ProblemOpen, domain.ProblemResolved})
	enum(domain.TaskStatuses)
	enum(domain.AgreementKinds)
	enum(domain.ServiceModes)
	enum([]domain.AdoptionStatus{domain.Planned, domain.Adopted, domain.Declined})
	enum(domain.Roles)
	enum(messageCodes())
	enum([]domain.ScopeKind{domain.SystemScope, domain.MechanismScope, domain.JurisdictionScope, domain.OrganizationScope})
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(domain.Date{})
)

func (g *schemaGen) output(t reflect.Type) map[string]any { return g.schema(t, false) }
func (g *schemaGen) input(t reflect.Type) map[string]any  { return g.schema(t, true) }

func (g *schemaGen) schema(t reflect.Type, input bool) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": []any{"string", "null"}, "format": "date"}
	}
	if vals, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": vals}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem(), input)
		if typ, ok := s["type"].(string); ok {
			s["type"] = []any{typ, "null"}
			return s
		}
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), input)}
	case reflect.Map, reflect.Interface:
		return map[string]any{"type": "object"}
	case reflect.Struct:
		name := schemaName(t)
		if input {
			name += "Input"
		}
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.object(t, input)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type, input bool) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if input && readOnly[name] {
				continue
			}
			prop := g.schema(f.Type, input)
			if doc := f.Tag.Get("doc"); doc != "" {
				// A $ref takes no siblings in every tool; describe it beside one.
				if _, ref := prop["$ref"]; ref {
					prop = map[string]any{"allOf": []any{prop}}
				}
				prop["description"] = doc
			}
			props[name] = prop
			if !input && !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if !input {
		// The server sends only documented fields; clients may rely on it.
		out["additionalProperties"] = false
	}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

// schemaName names a component after its Go type, turning Page[Item] into ItemPage.
func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 {
		inner := name[i+1 : len(name)-1]
		inner = inner[strings.LastIndex(inner, ".")+1:]
		return inner + name[:i]
	}
	return name
}
