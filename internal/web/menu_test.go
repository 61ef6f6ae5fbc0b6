package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// The menu marks the page one is on, shows the report form and the
// administration only to whom they serve, and counts the inbox's news.
func TestMenu(t *testing.T) {
	h := Must(New(nil, nil))
	admin := &domain.User{Grants: []domain.Grant{{Role: domain.Admin}}}
	liaison := &domain.User{Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: 4}}}
	current := regexp.MustCompile(`<a href="([^"]*)"[^>]*aria-current="page"`)
	for _, c := range []struct {
		name    string
		v       view
		current string
		shown   []string
		hidden  []string
		unread  string
	}{
		{"the admin on the dashboard", view{Nav: "dashboard", User: admin, Unread: 3}, "/", []string{"/admin/users", "/items"}, []string{`"/report"`}, ">3</span>"},
		{"a liaison reporting", view{Nav: "report", User: liaison, Reports: true}, "/report", []string{`"/report"`}, []string{"/admin/users", "inbox-unread"}, ""},
		{"a page of no menu entry", view{Nav: "", User: liaison}, "", nil, []string{`"/report"`}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, loc := range domain.Locales {
				got := string(menuHTML(h.tr(loc), &c.v))
				marked := current.FindAllStringSubmatch(got, -1)
				switch {
				case c.current == "" && len(marked) != 0:
					t.Errorf("%s: %v marked current, want none:\n%s", loc, marked, got)
				case c.current != "" && (len(marked) != 1 || marked[0][1] != c.current):
					t.Errorf("%s: %v marked current, want only %s:\n%s", loc, marked, c.current, got)
				}
				for _, s := range c.shown {
					if !strings.Contains(got, s) {
						t.Errorf("%s: lacks %s:\n%s", loc, s, got)
					}
				}
				for _, s := range c.hidden {
					if strings.Contains(got, s) {
						t.Errorf("%s: shows %s:\n%s", loc, s, got)
					}
				}
				if c.unread != "" && !strings.Contains(got, `id="inbox-unread" title="`+h.tr(loc).T("nav.inbox_unread")+`"`+c.unread) {
					t.Errorf("%s: the inbox does not count %s:\n%s", loc, c.unread, got)
				}
				if !strings.Contains(got, h.tr(loc).T("nav.inbox")) {
					t.Errorf("%s: the inbox is not named in the language:\n%s", loc, got)
				}
			}
		})
	}
}
