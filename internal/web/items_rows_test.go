package web

import (
	"html"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// The list's rows and options are written in Go rather than by
// html/template, so what the template escaped they must escape: every
// value a user typed, in text and in attributes.
func TestItemRowsEscapeWhatUsersTyped(t *testing.T) {
	const hostile = `"><img src=x onerror=alert(1)>&`
	const escaped = `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;`
	tt := tr{locale: "zh-CN", m: map[string]string{"bulk.select_item": "选择 %s"}}
	m := &domain.Mechanism{Sides: []domain.Side{{Key: "a"}, {Key: "b"}}}
	m.ID = 1
	rf := &refs{
		mechanisms: map[int64]*domain.Mechanism{1: m},
		batches:    map[int64]*domain.Batch{2: {Name: hostile}},
		orgs:       map[int64]*domain.Organization{3: {Name: hostile}},
	}
	it := &domain.Item{MechanismID: 1, BatchID: 2, Number: hostile, Title: hostile, Status: domain.Advancing,
		Parties: []domain.Party{{Side: "a", OrganizationID: 3, Role: domain.LeadUnit}}}
	it.ID, it.Version = 7, 4
	got := string(itemRowsHTML(tt, rf, []*domain.Item{it}, true))
	if strings.Contains(got, "<img") {
		t.Fatalf("a typed value became markup:\n%s", got)
	}
	// number, title, batch, lead unit, and the checkbox's label
	if n := strings.Count(got, escaped); n != 5 {
		t.Errorf("the typed value appears escaped %d times, want 5 (number, title, batch, lead, checkbox label):\n%s", n, got)
	}
	for _, want := range []string{`value="7:4"`, `href="/items/7"`, `class="status status-advancing"`, `class="light light-none"`} {
		if !strings.Contains(got, want) {
			t.Errorf("row lacks %s:\n%s", want, got)
		}
	}

	opts := string(options([]choice{{"1", hostile}, {hostile, "b"}}, hostile))
	if strings.Contains(opts, "<img") {
		t.Fatalf("an option became markup: %s", opts)
	}
	if want := `<option value="` + escaped + `" selected>b</option>`; !strings.Contains(opts, want) {
		t.Errorf("options = %s, want the chosen one, escaped and selected: %s", opts, want)
	}
	if strings.Count(opts, "selected") != 1 {
		t.Errorf("options = %s, want exactly one selected", opts)
	}
}

// The options of a reference select are written once and reused: the
// chosen value is marked on each page, and only it.
func TestOptionListMarksOnlyTheChosen(t *testing.T) {
	l := newOptionList([]choice{{"1", "一"}, {"12", "十二"}, {"2", "二"}})
	for chosen, want := range map[string]string{
		"":   `<option value="1">一</option><option value="12">十二</option><option value="2">二</option>`,
		"9":  `<option value="1">一</option><option value="12">十二</option><option value="2">二</option>`,
		"1":  `<option value="1" selected>一</option><option value="12">十二</option><option value="2">二</option>`,
		"2":  `<option value="1">一</option><option value="12">十二</option><option value="2" selected>二</option>`,
		"12": `<option value="1">一</option><option value="12" selected>十二</option><option value="2">二</option>`,
	} {
		if got := string(l.with(chosen)); got != want {
			t.Errorf("with(%q) = %s\nwant %s", chosen, got, want)
		}
	}
	if got := string(l.with("")); strings.Contains(got, "selected") {
		t.Errorf("marking a choice changed the list kept: %s", got)
	}
}

// markup.text escapes in place what html.EscapeString would return; the
// rows rely on the two agreeing.
func TestMarkupEscapesAsTheStandardLibrary(t *testing.T) {
	for _, s := range []string{"", "plain", `a&b<c>d'e"f`, "中文&'", "&&<<", `"`, "尾>"} {
		var m markup
		m.text(s)
		if got, want := m.String(), html.EscapeString(s); got != want {
			t.Errorf("text(%q) = %q, want %q", s, got, want)
		}
	}
}
