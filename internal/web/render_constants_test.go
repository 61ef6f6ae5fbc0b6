package web

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"testing"
)

// TestConstantsWrittenOnce: a catalogue text written into the template
// when it is parsed gives the page that calling it on every render gave,
// byte for byte; where it would need escaping, or stands where the escaper
// is not the HTML one (a URL, a script), it is still called.
func TestConstantsWrittenOnce(t *testing.T) {
	catalogue := map[string]string{"plain": "成渝 双城 Twin-core", "amp": `Tom & "Jerry"`, "url": "a b"}
	assets := map[string]string{"app.css": "/assets/app.3f9c.css", "odd": "/assets/a b.js", "far": "https://cdn.example/x.js"}
	calls := 0
	tt := func(key string) string { calls++; return catalogue[key] }
	asset := func(name string) string { calls++; return assets[name] }
	const src = `{{define "layout"}}<p title="{{t "plain"}}">{{t "plain"}} {{t "amp"}}</p>` +
		`<a href="/x?q={{t "url"}}" aria-label='{{t "amp"}}'>{{if .X}}{{t "plain"}}{{else}}{{t "url"}}{{end}}</a>` +
		`<link rel="stylesheet" href="{{asset "app.css"}}"><script src="{{asset "odd"}}"></script><script src="{{asset "far"}}"></script>` +
		`{{range .L}}<i>{{t "plain"}}{{.}}</i>{{end}}<script>var v = {{t "plain"}};</script>{{.X}}{{end}}`
	parse := func() *template.Template {
		return template.Must(template.New("layout").Funcs(template.FuncMap{"t": tt, "asset": asset}).Parse(src))
	}
	render := func(tm *template.Template, data any) string {
		var b bytes.Buffer
		if err := tm.ExecuteTemplate(&b, "layout", data); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	written := parse()
	writeConstants(written, "layout", map[string]constantCall{
		"t":     func(key string) (string, bool) { return tt(key), true },
		"asset": func(name string) (string, bool) { return asset(name), true },
	})
	for _, data := range []map[string]any{{"X": "1", "L": []string{"a", "<b>"}}, {"X": "", "L": nil}} {
		calls = 0
		want := render(parse(), data)
		called := calls
		calls = 0
		if got := render(written, data); got != want {
			t.Errorf("with the constants written the page reads\n%s\nwant\n%s", got, want)
		}
		// Still called: "amp" twice (escaped), "url" in the link, "plain"
		// in the script, and the assets whose URL is not a plain path.
		if calls != 6 || called <= calls {
			t.Errorf("data %v: %d calls left of %d, want 6", data, calls, called)
		}
	}
}

// Every page's words are written into its template, in both languages,
// but for texts that need escaping, and so are its assets' URLs.
func TestPageConstantsWritten(t *testing.T) {
	h := Must(New(nil, nil))
	left := regexp.MustCompile(`\{\{t "([^"]*)" \| _html_template_(?:html|attr|rcdata)escaper\}\}`)
	for loc, pages := range h.pages {
		tr := h.tr(loc)
		for page, pt := range pages {
			written := 0
			for _, tt := range pt.t.Templates() {
				if tt.Tree == nil {
					continue
				}
				tree := tt.Tree.Root.String()
				for _, m := range left.FindAllStringSubmatch(tree, -1) {
					if !strings.ContainsAny(tr.T(m[1]), escapedByThem) {
						t.Errorf("%s %s: %s is still called", loc, page, m[0])
					}
				}
				written += strings.Count(tree, tr.T("nav.signout"))
				if strings.Contains(tree, "{{asset ") {
					t.Errorf("%s %s: an asset's URL is still called", loc, page)
				}
			}
			if written == 0 {
				t.Errorf("%s %s: the layout's words are not in the template", loc, page)
			}
		}
	}
}
