package web

import (
	"html/template"
	"slices"
	"strconv"
)

// The menu is written in Go rather than by the layout: its twelve
// {{if eq .Nav …}} tests, each a call through reflection, were a tenth of
// what html/template spent on a page of the item list (issue 13, point 11).

// menuEntry is one link of the menu: where it goes, the catalogue key of
// its words, the pages (view.Nav) on which it is the current one, and
// whom it is shown to (nil: everyone signed in).
type menuEntry struct {
	href, key string
	id        string // the link's id, for the inbox's count
	current   []string
	shown     func(v *view) bool
}

var menu = []menuEntry{
	{href: "/", key: "nav.home", current: []string{"home", "dashboard"}},
	{href: "/inbox", key: "nav.inbox", id: "nav-inbox", current: []string{"inbox"}},
	{href: "/items", key: "nav.items", current: []string{"items"}},
	{href: "/report", key: "nav.report", current: []string{"report"}, shown: func(v *view) bool { return v.Reports }},
	{href: "/problems", key: "nav.problems", current: []string{"problems"}},
	{href: "/meetings", key: "nav.meetings", current: []string{"meetings"}},
	{href: "/tasks", key: "nav.tasks", current: []string{"tasks"}},
	{href: "/agreements", key: "nav.agreements", current: []string{"agreements"}},
	{href: "/catalogs", key: "nav.catalogs", current: []string{"catalogs"}},
	{href: "/indicators", key: "nav.indicators", current: []string{"indicators"}},
	{href: "/admin/users", key: "nav.admin", current: []string{"admin"}, shown: func(v *view) bool { return v.User.IsAdmin() }},
}

// menuHTML writes the menu's items for v's page and visitor: the current
// page marked (aria-current), the inbox with the count of what arose
// since it was last opened.
func menuHTML(t tr, v *view) template.HTML {
	var m markup
	for _, e := range menu {
		if e.shown != nil && !e.shown(v) {
			continue
		}
		m.raw("\n      <li><a href=\"" + e.href + `"`)
		if e.id != "" {
			m.raw(` id="` + e.id + `"`)
		}
		if slices.Contains(e.current, v.Nav) {
			m.raw(` aria-current="page"`)
		}
		m.raw(">")
		m.text(t.T(e.key))
		if e.id == "nav-inbox" && v.Unread > 0 {
			m.raw(` <span class="count" id="inbox-unread" title="`)
			m.text(t.T("nav.inbox_unread"))
			m.raw(`">`)
			m.raw(strconv.Itoa(v.Unread))
			m.raw(`</span>`)
		}
		m.raw("</a></li>")
	}
	return m.html()
}
