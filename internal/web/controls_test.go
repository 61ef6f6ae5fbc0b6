package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/liandong/liandong/internal/domain"
)

// TestEveryOfferedControlWorks walks the application as each role would:
// from the home page it follows every link the pages offer and submits
// every form they show, with the values the form holds, and fails when an
// offered link or action answers 403 or 5xx. A control is shown only to
// whom it works (issue 13, point 7); a control that a role is shown and then
// refused is a bug, whatever the policy says about the action itself.
//
// A form submitted with its default values may well be refused for its
// content (422, 409): that is an explanation on the page, not a refusal of
// the person, and passes. Links are followed up to two per route shape
// (/items/1 and /items/2 are one shape), so the walk stays short.
func TestEveryOfferedControlWorks(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, _ := st.workingGroup(t)
		wenjiang := st.orgID(t, "温江区人民政府")
		grants := matrixGrants(mech.ID, wenjiang)
		// The demo holds no problem; one on an item 温江 takes part in puts
		// the problem page and its actions on the walk.
		items, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双城生物医药产业高地"}})
		if err != nil || len(items.Items) == 0 {
			t.Fatalf("item: %v", err)
		}
		problem := &domain.Problem{MechanismID: mech.ID, ItemID: items.Items[0].ID, Title: "用地指标不足", Tier: domain.Execution, Status: domain.ProblemOpen,
			Responsible: []domain.ResponsibleUnit{{Side: "chengdu", OrganizationID: wenjiang}}}
		if err := st.Store.Problems.Create(ctx, domain.Actor{}, problem); err != nil {
			t.Fatal(err)
		}
		grants["liaison of a district"] = []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.JurisdictionScope, ScopeID: st.jurisdictionID(t, "温江区")}}
		roles := []string{"secretariat", "liaison", "liaison of a district", "leader", "viewer", "admin"}
		for i, role := range roles {
			u := &domain.User{Email: fmt.Sprintf("controls%d@example.gov.cn", i), Name: role, Locale: "zh-CN", Password: testPassword, Grants: grants[role]}
			if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
				t.Fatal(err)
			}
			t.Run(strings.ReplaceAll(role, " ", "_"), func(t *testing.T) {
				c := st.client(t)
				if res := c.signIn(u.Email, testPassword); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("sign in: %d", res.StatusCode)
				}
				w := &walker{t: t, c: c, seen: map[string]bool{}, shapes: map[string]int{}}
				w.walk("/")
				if w.pages < 10 || w.forms == 0 {
					t.Errorf("the walk opened %d pages and submitted %d forms: too few to say anything", w.pages, w.forms)
				}
				t.Logf("%s: %d pages opened, %d forms submitted", role, w.pages, w.forms)
			})
		}
	})
}

// walker is one role's walk through the pages.
type walker struct {
	t            *testing.T
	c            *client
	seen         map[string]bool // paths with their query, opened
	shapes       map[string]int  // route shapes, opened how often
	pages, forms int
}

var number = regexp.MustCompile(`/\d+`)

// shape is a path's route shape: ids replaced, query keys sorted.
func shape(u *url.URL) string {
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return number.ReplaceAllString(u.Path, "/{id}") + "?" + strings.Join(keys, "&")
}

// skipped are links the walk does not follow: leaving the session, static
// files, and downloads, which are opened but not read as pages.
func skipped(path string) bool {
	return path == "/signout" || strings.HasPrefix(path, "/assets/") || strings.HasPrefix(path, "/api/")
}

func download(path string) bool {
	return regexp.MustCompile(`\.(csv|xlsx|docx|md|pdf)$|/attachments/\d+$`).MatchString(path)
}

func (w *walker) walk(start string) {
	queue := []string{start}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		u, err := url.Parse(path)
		if err != nil || w.seen[u.String()] || skipped(u.Path) {
			continue
		}
		w.seen[u.String()] = true
		sh := shape(u)
		if w.shapes[sh] >= 2 {
			continue
		}
		w.shapes[sh]++
		res, body := w.c.get(u.String())
		w.pages++
		if res.StatusCode == http.StatusForbidden || res.StatusCode >= 500 {
			w.t.Errorf("link %s: %d", u, res.StatusCode)
			continue
		}
		if res.StatusCode != http.StatusOK || download(u.Path) || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			w.t.Fatalf("%s does not parse: %v", u, err)
		}
		links, forms := controls(doc)
		for _, l := range links {
			queue = append(queue, l)
		}
		for _, f := range forms {
			w.submit(u.String(), f)
		}
	}
}

// form is a form as the page offers it.
type form struct {
	method, action string
	values         url.Values
	buttons        [][2]string // submit buttons that carry a name and value
}

// submit sends a form once per named submit button (accept and return
// are two actions of one form), with the values it holds.
func (w *walker) submit(page string, f form) {
	action := f.action
	if action == "" {
		action = page
	}
	u, err := url.Parse(action)
	if err != nil || skipped(u.Path) || u.Path == "/signin" || u.Host != "" {
		return
	}
	if f.method != "post" {
		q := u.Query()
		for k, vs := range f.values {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		w.walkOne(u.String())
		return
	}
	buttons := f.buttons
	if len(buttons) == 0 {
		buttons = [][2]string{{}}
	}
	for _, b := range buttons {
		values := url.Values{}
		for k, vs := range f.values {
			values[k] = slices.Clone(vs)
		}
		if b[0] != "" {
			values.Set(b[0], b[1])
		}
		key := "POST " + shape(u) + " " + b[0] + "=" + b[1]
		if w.shapes[key] >= 1 {
			continue
		}
		w.shapes[key]++
		res, body := w.c.post(u.String(), values)
		w.forms++
		switch {
		case res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusNotFound:
			// A refused write may answer 404, as for a record that does
			// not exist; the record was just on the page.
			w.t.Errorf("the form on %s posting to %s (%s) is offered and answers %d:\n%.300s", page, u, b[0], res.StatusCode, text(body))
		case res.StatusCode >= 500:
			w.t.Errorf("the form on %s posting to %s: %d", page, u, res.StatusCode)
		}
	}
}

// walkOne opens a page reached by a GET form (a filter), as a link.
func (w *walker) walkOne(path string) {
	u, _ := url.Parse(path)
	if w.seen[u.String()] {
		return
	}
	res, _ := w.c.get(u.String())
	w.seen[u.String()] = true
	w.pages++
	if res.StatusCode == http.StatusForbidden || res.StatusCode >= 500 {
		w.t.Errorf("filter %s: %d", u, res.StatusCode)
	}
}

// controls returns the same-site links and the forms of a page.
func controls(doc *html.Node) (links []string, forms []form) {
	var visit func(n *html.Node, f *form)
	visit = func(n *html.Node, f *form) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "a":
				if href := attr(n, "href"); strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") {
					links = append(links, href)
				}
			case "form":
				forms = append(forms, form{method: strings.ToLower(attr(n, "method")), action: attr(n, "action"), values: url.Values{}})
				f = &forms[len(forms)-1]
			case "input":
				if f != nil && attr(n, "name") != "" && !has(n, "disabled") {
					switch attr(n, "type") {
					case "checkbox", "radio":
						if has(n, "checked") {
							f.values.Add(attr(n, "name"), valueOr(n, "on"))
						}
					case "file":
					case "submit":
						f.buttons = append(f.buttons, [2]string{attr(n, "name"), attr(n, "value")})
					default:
						f.values.Add(attr(n, "name"), attr(n, "value"))
					}
				}
			case "button":
				if f != nil && attr(n, "name") != "" && attr(n, "type") != "button" {
					f.buttons = append(f.buttons, [2]string{attr(n, "name"), attr(n, "value")})
				}
			case "textarea":
				if f != nil && attr(n, "name") != "" {
					var b strings.Builder
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						b.WriteString(c.Data)
					}
					f.values.Add(attr(n, "name"), b.String())
				}
			case "select":
				if f != nil && attr(n, "name") != "" {
					for _, v := range selected(n) {
						f.values.Add(attr(n, "name"), v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			// A form's controls are its descendants; forms do not nest.
			if f != nil && n.Data == "form" {
				visit(c, f)
			} else if c.Type == html.ElementNode && c.Data == "form" {
				visit(c, nil)
			} else {
				visit(c, f)
			}
		}
	}
	visit(doc, nil)
	return links, forms
}

// selected is what a select sends: its selected options, or its first.
func selected(sel *html.Node) []string {
	var opts []*html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "option" {
			opts = append(opts, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(sel)
	var out []string
	for _, o := range opts {
		if has(o, "selected") {
			out = append(out, optionValue(o))
		}
	}
	if len(out) == 0 && len(opts) > 0 && !has(sel, "multiple") {
		out = append(out, optionValue(opts[0]))
	}
	return out
}

func optionValue(o *html.Node) string {
	if v, ok := attrOK(o, "value"); ok {
		return v
	}
	if o.FirstChild != nil {
		return strings.TrimSpace(o.FirstChild.Data)
	}
	return ""
}

func attr(n *html.Node, key string) string { v, _ := attrOK(n, key); return v }

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func has(n *html.Node, key string) bool { _, ok := attrOK(n, key); return ok }

func valueOr(n *html.Node, def string) string {
	if v, ok := attrOK(n, "value"); ok {
		return v
	}
	return def
}

var tags = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)

// text is a page's words, for a failure message.
func text(body string) string {
	return strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " ")
}

// TestRefusalExplainedWhereItCameFrom: an action refused to a person (a
// form kept in a tab after a role changed, a link typed by hand) answers
// with the rule that refused it, in their language, and a way back to the
// page it came from, not a bare 403.
func TestRefusalExplainedWhereItCameFrom(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	mech, _ := st.workingGroup(t)
	u := &domain.User{Email: "refused-leader@example.gov.cn", Name: "领导", Locale: "zh-CN", Password: testPassword,
		Grants: matrixGrants(mech.ID, st.orgID(t, "温江区人民政府"))["leader"]}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	c.signIn(u.Email, testPassword)
	_, page := c.get("/items")
	req, _ := http.NewRequest("GET", st.URL+"/items/new", nil)
	req.Header.Set("Referer", st.URL+"/items?batch=1")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = io.Copy(b, res.Body)
	body := b.String()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a leader opening the new-item form: %d, want 403", res.StatusCode)
	}
	if !strings.Contains(body, "您没有权限") || !strings.Contains(text(body), "（") {
		t.Errorf("the refusal does not say which rule refused:\n%.400s", text(body))
	}
	if !strings.Contains(body, `id="error-back" href="/items?batch=1"`) && !strings.Contains(body, `href="/items?batch=1" id="error-back"`) {
		t.Errorf("the refusal offers no way back to /items?batch=1:\n%.600s", text(body))
	}
	// A Referer of another site is no way back.
	req, _ = http.NewRequest("POST", st.URL+"/items/bulk", strings.NewReader(url.Values{"csrf": {c.csrf(page)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "https://evil.example/items")
	res, err = c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b.Reset()
	_, _ = io.Copy(b, res.Body)
	if res.StatusCode < 400 || strings.Contains(b.String(), "evil.example") {
		t.Errorf("a refused bulk edit with a foreign Referer: %d, links it: %v", res.StatusCode, strings.Contains(b.String(), "evil.example"))
	}
}
