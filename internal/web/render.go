package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/policy"
)

// Templates: layout.html frames every page, partials.html holds the
// snippets pages share, and each file in pages/ is one page defining
// "content". Each page is parsed once per language with that language's
// functions, at start-up.
//
//go:embed templates
var templateFiles embed.FS

type pageTemplate struct{ t *template.Template }

// view is what every page template receives. Data holds the page's own
// values; the rest is the frame: who is signed in, the language, the CSRF
// token for forms and the message of the last action.
type view struct {
	Title       string
	User        *domain.User
	CSRF        string
	CSRFHeaders string // JSON for hx-headers, so htmx requests carry the token too
	Locale      string
	Path        string // the current URL, where a language switch returns to
	Nav         string
	Charts      bool // load ECharts on this page
	Maps        bool // and the district outlines
	// Screen, when not zero, is the meeting room's full-screen mode: no
	// menu, large type, and app.js reloads the page every Screen seconds.
	Screen   int
	Message  string
	Error    string
	Fields   map[string]string // field → message, for forms re-rendered after validation
	Occurred string            // the date-it-happened field as the form sent it, shown again with the form
	Unread   int               // the menu's "待办 N": inbox entries that arose since the user last opened it
	Reports  bool              // the user may report progress, so the menu and the home page offer the report form
	Menu     template.HTML     // the menu's items, written when the page is rendered (menu.go)
	Data     any
}

func (h *Handler) funcs(t tr) template.FuncMap {
	return template.FuncMap{
		"t":        t.T,
		"tf":       t.F,
		"name":     t.Name,
		"date":     t.Date,
		"datetime": t.DateTime,
		"partial":  t.Partial,
		"occurred": occurredField,
		"num":      t.Num,
		"asset":    h.assets.url,
		// key joins a prefix and a value into a catalogue key, for enums
		// such as status.advancing; the tests check every enum value.
		"key": func(prefix string, v any) string { return t.T(prefix + "." + fmt.Sprint(v)) },
		"field": func(fields map[string]string, name string) string {
			return fields[name]
		},
		// query puts a stored query string after a URL's "?": parsed and
		// encoded again, so it is a query and nothing else, and marked as
		// a URL part so the template keeps its = and & (it would escape
		// them as data and the link would lose its filters).
		"query": func(s string) template.URL {
			v, _ := url.ParseQuery(s)
			return template.URL(v.Encode())
		},
		"eqID": func(a, b int64) bool { return a == b },
		// fieldsFor hands a report's parts to the "report-fields" block,
		// with the suffix of its inputs' names and ids.
		"fieldsFor": func(suffix string, f reportFields) reportFieldSet { return reportFieldSet{ID: suffix, Fields: f} },
		"hasPrefix": strings.HasPrefix,
		"add":       func(a, b int) int { return a + b },
		"add1":      func(a int) int { return a + 1 },
	}
}

func (h *Handler) parseTemplates() (map[string]map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]*pageTemplate{}
	for _, loc := range domain.Locales {
		out[loc] = map[string]*pageTemplate{}
		base, err := template.New("layout").Funcs(h.funcs(h.tr(loc))).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html")
		if err != nil {
			return nil, fmt.Errorf("parse layout: %w", err)
		}
		for _, n := range names {
			t, err := template.Must(base.Clone()).ParseFS(templateFiles, n)
			if err != nil {
				return nil, fmt.Errorf("parse %s: %w", n, err)
			}
			writeConstants(t, "layout", map[string]constantCall{
				"t": func(key string) (string, bool) { return h.tr(loc).T(key), true },
				"asset": func(name string) (string, bool) {
					u, err := h.assets.url(name)
					return u, err == nil
				},
			})
			out[loc][strings.TrimSuffix(path.Base(n), ".html")] = &pageTemplate{t}
		}
	}
	return out, nil
}

// newView fills the frame of a page for the request's visitor.
func (h *Handler) newView(r *http.Request, title, nav string) *view {
	st := state(r)
	v := &view{Title: title, Nav: nav, Locale: st.locale, CSRF: st.csrf, User: st.user, Path: r.URL.RequestURI()}
	hdr, _ := json.Marshal(map[string]string{"X-CSRF-Token": st.csrf})
	v.CSRFHeaders = string(hdr)
	v.Unread = h.unreadInbox(r, st.user)
	v.Reports = st.user != nil && policy.Check(st.user, policy.Write, "reports") == nil
	if r.Method == http.MethodPost {
		v.Occurred = r.PostFormValue("occurred_on")
	}
	return v
}

// render writes page with status. The page is rendered into a buffer first
// so that a template error becomes a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := h.pages[v.Locale][page]
	if !ok {
		h.log.Error("no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.User != nil && v.Screen == 0 {
		v.Menu = menuHTML(h.tr(v.Locale), v)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.t.ExecuteTemplate(buf, "layout", v); err != nil {
		h.log.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageBuffers hold rendered pages until they are written: a page is
// rendered whole first, so that an error shows the error page rather than
// half of this one. Reused, a buffer has already grown to a page's size;
// a new one for every page doubled its way there, and the copies were a
// quarter of the bytes a list page allocated (issue 13, point 11).
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putPageBuffer returns buf to the pool, unless an unusually large page
// grew it: the pool would keep that memory for every later small page.
func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// fail is the one error boundary of the pages: it maps the error's code to
// a status and a page. Internal errors are logged with their detail and
// shown without it.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	t := h.tr(state(r).locale)
	status, msg := http.StatusInternalServerError, t.T("error.internal")
	switch domain.ErrorCode(err) {
	case domain.NotFound:
		status, msg = http.StatusNotFound, t.T("error.not_found")
	case domain.Forbidden:
		status, msg = http.StatusForbidden, t.T("error.forbidden")
	case domain.Unauthorized:
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		status, msg = http.StatusUnauthorized, t.T("error.unauthorized")
	case domain.Conflict:
		status, msg = http.StatusConflict, t.T("error.conflict")
	case domain.Invalid:
		status, msg = http.StatusUnprocessableEntity, t.T("error.invalid")
	case domain.TooLarge:
		status, msg = http.StatusRequestEntityTooLarge, t.F("error.too_large", ledger.MaxFileBytes>>20)
	default:
		h.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status != http.StatusInternalServerError {
		// Which rule refused, in the visitor's language: "您无权修改此事项".
		m := message.Of(t.locale, err)
		if m.Message != "" {
			msg = t.F("error.detail", msg, m.Message)
		}
		// A refused request that came from no form of ours (a link typed
		// or edited) still learns which field and why.
		var fields []string
		for _, f := range m.Fields {
			fields = append(fields, t.F("error.field", f.Field, f.Reason))
		}
		if len(fields) > 0 {
			msg += t.F("error.fields", strings.Join(fields, t.T("error.field_separator")))
		}
	}
	v := h.newView(r, t.T("error.title"), "")
	v.Error = msg
	v.Data = errorPage{Status: status, Back: backFrom(r)}
	h.render(w, r, status, "error", v)
}

// errorPage is what the error page shows besides the message: the status,
// and the page the refused action came from, so the visitor returns to it
// rather than to the home page.
type errorPage struct {
	Status int
	Back   string
}

// backFrom is the local page a request came from (its Referer on this
// site), or "" when there is none or it is the page that failed.
func backFrom(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" {
		return ""
	}
	back := localPath(ref.RequestURI())
	if back == "/" || (r.Method == http.MethodGet && back == r.URL.RequestURI()) {
		return ""
	}
	return back
}

// fieldMessages turns a validation error into messages by field, in the
// visitor's language, from the message catalogue (internal/message).
func fieldMessages(t tr, err error) map[string]string {
	out := map[string]string{}
	for _, f := range domain.ErrorFields(err) {
		out[f.Field] = message.ReasonOf(t.locale, f).Reason
	}
	return out
}
