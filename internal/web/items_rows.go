package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// The rows of the item list and the options of its filters are written
// here as HTML, not by the page's template. html/template escapes every
// action through reflection: a page of 50 rows and its filters made about
// a thousand such calls, 40 % of the page's CPU (docs/PERFORMANCE.md,
// issue 13 point 11). The markup here is fixed text; every value in it
// is escaped as html.EscapeString escapes, which is safe in element text
// and in quoted attributes, the only two places a value goes.

// markup builds a piece of HTML, escaping what it is given as text.
type markup struct{ strings.Builder }

func (m *markup) raw(s string) { m.WriteString(s) }
func (m *markup) id(n int64) {
	var digits [20]byte
	m.Write(strconv.AppendInt(digits[:0], n, 10))
}
func (m *markup) html() template.HTML {
	return template.HTML(m.String()) // fixed markup and escaped text only
}

// text writes s as html.EscapeString does, straight into the piece: a
// list page escapes some six hundred values, most needing nothing.
func (m *markup) text(s string) {
	for {
		i := strings.IndexAny(s, `&'<>"`)
		if i < 0 {
			m.WriteString(s)
			return
		}
		m.WriteString(s[:i])
		switch s[i] {
		case '&':
			m.WriteString("&amp;")
		case '\'':
			m.WriteString("&#39;")
		case '<':
			m.WriteString("&lt;")
		case '>':
			m.WriteString("&gt;")
		case '"':
			m.WriteString("&#34;")
		}
		s = s[i+1:]
	}
}

// choice is one option of a select: its value and its label.
type choice struct{ Value, Label string }

// optionList is the options of a select, written once: a reference
// list's (three hundred mechanisms at national scale, more batches) is the
// same on every page until the references change, but for the option
// chosen, and writing them again was a third of what a page allocated.
type optionList struct {
	html   string
	values []string
	// ends holds, for each value, where the `">` closing its option's
	// opening tag stands in html.
	ends []int
}

func newOptionList(choices []choice) optionList {
	var m markup
	l := optionList{values: make([]string, len(choices)), ends: make([]int, len(choices))}
	for i, c := range choices {
		m.raw(`<option value="`)
		m.text(c.Value)
		l.values[i], l.ends[i] = c.Value, m.Len()
		m.raw(`">`)
		m.text(c.Label)
		m.raw(`</option>`)
	}
	l.html = m.String()
	return l
}

// with is the options with chosen's marked selected; with no option of
// that value, the options as written.
func (l optionList) with(chosen string) template.HTML {
	for i, v := range l.values {
		if v == chosen {
			at := l.ends[i]
			return template.HTML(l.html[:at] + `" selected>` + l.html[at+2:]) // fixed markup and escaped text only
		}
	}
	return template.HTML(l.html) // fixed markup and escaped text only
}

// options writes the options of a select after its "any" option, the one
// whose value is chosen marked selected.
func options(choices []choice, chosen string) template.HTML {
	return newOptionList(choices).with(chosen)
}

// referenceChoices are the options of the selects that list references,
// written once per language for a set of references (refs.choices).
type referenceChoices struct {
	mechanisms, batches optionList
}

func newReferenceChoices(t tr, rf *refs) *referenceChoices {
	cs := make([]choice, 0, max(len(rf.mechList), len(rf.batchList)))
	for _, m := range rf.mechList {
		cs = append(cs, choice{strconv.FormatInt(m.ID, 10), t.Name(m.Name, m.NameEN)})
	}
	c := &referenceChoices{mechanisms: newOptionList(cs)}
	cs = cs[:0]
	for _, b := range rf.batchList {
		cs = append(cs, choice{strconv.FormatInt(b.ID, 10), t.Name(b.Name, b.NameEN)})
	}
	c.batches = newOptionList(cs)
	return c
}

// itemFilterChoices are the options of the item list's filters.
type itemFilterChoices struct {
	Mechanisms, Batches, Statuses, Lights, Tracks, Sides, Units template.HTML
	// BulkStatuses and BulkLights are the bulk edit's, none chosen; its
	// lights offer "none" too.
	BulkStatuses, BulkLights template.HTML
	// Orders are the list's orders, each column either way: on a phone
	// the rows are cards whose column headers, the other way to sort, are
	// not shown.
	Orders template.HTML
	// Teams are the mechanisms a saved view may be shared with (every
	// mechanism, for an administrator: 300 at national scale).
	Teams template.HTML
}

// fixedItemChoices are the item list's options that depend on the
// language alone (statuses, lights, orders), written once per language
// when the handler starts: writing them for every page was a twentieth of
// what a page allocated.
type fixedItemChoices struct {
	statuses, lights, orders optionList
	bulkStatuses, bulkLights template.HTML
}

func newFixedItemChoices(t tr) *fixedItemChoices {
	var c fixedItemChoices
	var cs []choice
	for _, s := range domain.ItemStatuses {
		cs = append(cs, choice{string(s), t.T("status." + string(s))})
	}
	c.statuses = newOptionList(cs)
	c.bulkStatuses = c.statuses.with("")
	cs = cs[:0]
	for _, l := range domain.Lights {
		if l != "" {
			cs = append(cs, choice{string(l), t.T("light." + string(l))})
		}
	}
	c.lights = newOptionList(cs)
	cs = cs[:0]
	for _, l := range domain.Lights {
		if l == "" {
			cs = append(cs, choice{"none", t.T("light.none")})
		} else {
			cs = append(cs, choice{string(l), t.T("light." + string(l))})
		}
	}
	c.bulkLights = newOptionList(cs).with("")
	cs = cs[:0]
	for _, col := range itemSortColumns {
		label := t.T("item." + col)
		cs = append(cs, choice{col, label}, choice{"-" + col, label + t.T("items.descending")})
	}
	c.orders = newOptionList(cs)
	return &c
}

func filterChoices(t tr, fixed *fixedItemChoices, rf *refs, d *itemListData) itemFilterChoices {
	var c itemFilterChoices
	var cs []choice
	order := d.Sort
	if d.Desc {
		order = "-" + d.Sort
	}
	list := func(chosen string) template.HTML {
		h := options(cs, chosen)
		cs = cs[:0]
		return h
	}
	refChoices := rf.choices(t)
	c.Mechanisms = refChoices.mechanisms.with(d.Filters["mechanism"])
	c.Batches = refChoices.batches.with(d.Filters["batch"])
	c.Statuses, c.BulkStatuses = fixed.statuses.with(d.Filters["status"]), fixed.bulkStatuses
	c.Lights, c.BulkLights = fixed.lights.with(d.Filters["light"]), fixed.bulkLights
	c.Orders = fixed.orders.with(order)
	for _, tk := range d.Tracks {
		cs = append(cs, choice{tk.Key, t.Name(tk.Name, tk.NameEN)})
	}
	c.Tracks = list(d.Filters["track"])
	for _, s := range d.Sides {
		cs = append(cs, choice{s.Key, t.Name(s.Name, s.NameEN)})
	}
	c.Sides = list(d.Filters["side"])
	for _, u := range d.Units {
		cs = append(cs, choice{strconv.FormatInt(u.ID, 10), t.Name(u.Name, u.NameEN)})
	}
	c.Units = list(d.Filters["unit"])
	if d.TeamIsAll { // every mechanism: the mechanism filter's options
		c.Teams = refChoices.mechanisms.with("") // none chosen: "only me" is
		return c
	}
	for _, m := range d.Teams {
		cs = append(cs, choice{strconv.FormatInt(m.ID, 10), t.Name(m.Name, m.NameEN)})
	}
	c.Teams = list("")
	return c
}

// itemHeadHTML writes the header row of the item list: each sortable
// column's header links to the list in its order, and the current one
// says which way it runs (aria-sort, and an arrow for the eye).
func itemHeadHTML(t tr, heads map[string]sortHead) template.HTML {
	var m markup
	column := func(key string) {
		m.raw(`<th scope="col">`)
		m.text(t.T(key))
		m.raw(`</th>`)
	}
	sortable := func(col string) {
		h := heads[col]
		m.raw(`<th scope="col"`)
		switch {
		case h.Current && h.Desc:
			m.raw(` aria-sort="descending"`)
		case h.Current:
			m.raw(` aria-sort="ascending"`)
		}
		m.raw(`><a class="sort" href="`)
		m.text(h.Link) // a path and an encoded query: & is all it escapes
		m.raw(`">`)
		m.text(t.T("item." + col))
		switch {
		case h.Current && h.Desc:
			m.raw(`<span aria-hidden="true"> ↓</span>`)
		case h.Current:
			m.raw(`<span aria-hidden="true"> ↑</span>`)
		}
		m.raw(`</a></th>`)
	}
	m.raw(`<tr><th scope="col"><span class="sr">`)
	m.text(t.T("bulk.select"))
	m.raw("</span></th>\n    ")
	sortable("number")
	sortable("title")
	column("item.batch")
	m.raw("\n    ")
	sortable("status")
	column("item.light")
	column("item.lead_units")
	m.raw(`</tr>`)
	return m.html()
}

// itemRowsHTML writes the rows of a page of the item list: a checkbox for
// the bulk edit where the viewer may change items, then number, title,
// batch, status, light and the lead units, each cell labelled for the
// cards the rows become on a phone.
//
// What is the same on every row (the cells' openings with their labels,
// the checkbox label's words) is written once per page: joining them
// again on each row was a quarter of the rows' cost.
func itemRowsHTML(t tr, rf *refs, items []*domain.Item, canWrite bool) template.HTML {
	cell := func(key string) string { return "</td>\n    <td data-label=\"" + html.EscapeString(t.T(key)) + "\">" }
	numberCell, batchCell := cell("item.number"), cell("item.batch")
	statusCell := cell("item.status") + `<span class="status status-`
	lightCell := "</span>" + cell("item.light") + `<span class="light light-`
	leadsCell := "</span>" + cell("item.lead_units")
	landmark := ` <span class="tag">` + html.EscapeString(t.T("item.landmark")) + `</span>`
	selectBefore, selectAfter, selectSplit := strings.Cut(t.T("bulk.select_item"), "%s")
	selectSplit = selectSplit && !strings.Contains(selectBefore+selectAfter, "%")
	var m markup
	m.Grow(700 * len(items))
	for _, it := range items {
		m.raw("\n  <tr>\n    <td>")
		if canWrite {
			m.raw(`<input type="checkbox" name="item" value="`)
			m.id(it.ID)
			m.raw(":")
			m.id(it.Version)
			m.raw(`" id="sel-`)
			m.id(it.ID)
			m.raw(`" aria-label="`)
			if selectSplit {
				m.text(selectBefore)
				m.text(it.Title)
				m.text(selectAfter)
			} else {
				m.text(t.F("bulk.select_item", it.Title))
			}
			m.raw(`">`)
		}
		m.raw(numberCell)
		m.text(it.Number)
		m.raw("</td>\n    <td class=\"title\"><a href=\"/items/")
		m.id(it.ID)
		m.raw(`">`)
		m.text(it.Title)
		m.raw("</a>")
		if it.Landmark {
			m.raw(landmark)
		}
		m.raw(batchCell)
		if b, ok := rf.batches[it.BatchID]; ok {
			m.text(t.Name(b.Name, b.NameEN))
		}
		m.raw(statusCell)
		m.text(string(it.Status))
		m.raw(`">`)
		m.text(t.T("status." + string(it.Status)))
		m.raw(lightCell)
		if it.Light != "" {
			m.text(string(it.Light))
			m.raw(`">`)
			m.text(t.T("light." + string(it.Light)))
		} else {
			m.raw(`none">`)
			m.text(t.T("light.none"))
		}
		m.raw(leadsCell)
		if mech, ok := rf.mechanisms[it.MechanismID]; ok {
			first := true
			for _, s := range mech.Sides {
				if lead := it.Lead(s.Key); lead != 0 {
					if !first {
						m.raw(" / ")
					}
					m.text(rf.orgName(t, lead))
					first = false
				}
			}
		}
		m.raw("</td>\n  </tr>")
	}
	return m.html()
}
