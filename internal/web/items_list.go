package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// itemFilterNames are the filters the item list offers, in form order.
var itemFilterNames = []string{"mechanism", "batch", "status", "light", "track", "side", "unit", "q"}

// itemRow is an item with the names the list shows beside it.
type itemListData struct {
	Filters map[string]string
	// Total is how many items the filters select (all pages), as the
	// viewer may read them.
	Total int
	// Sort is the column the list is in order of, Desc its direction.
	Sort string
	Desc bool
	// SortLabel names the column the list is in order of.
	SortLabel string
	// Unsorted is the list with its filters in the default order.
	Unsorted string
	// NoMechanism: no mechanism or batch is chosen, so the unit filter
	// offers no members yet.
	NoMechanism bool
	Back        string // this page, where a bulk edit returns
	Views       []store.SavedView
	// Shared are the views others shared with the user's teams; Teams the
	// mechanisms a view may be shared with; TeamName names one.
	Shared []store.SavedView
	Teams  []*domain.Mechanism
	// TeamIsAll: the teams are every mechanism's (an administrator's).
	TeamIsAll bool
	TeamName  func(int64) string
	ViewName  string
	Query     string // the filters as a query string, for the saved view
	// QueryLink is Query as a link's: the export links and the next page.
	QueryLink template.URL
	// Head is the table's header, each sortable column's linking to the
	// list in its order; Rows the page's rows, Choices the filters'
	// options: written as HTML in Go (items_rows.go).
	Head       template.HTML
	Rows       template.HTML
	Choices    itemFilterChoices
	NextCursor string
	Tracks     []domain.Term
	Sides      []domain.Side
	Units      []*domain.Organization
	// CanWrite offers the controls that change items — new item, bulk
	// edit, the ledger import — to whom the policy lets change items.
	CanWrite bool
	// AnnualBatch is the batch whose annual completion report the viewer
	// may compile (who oversees its mechanism), zero for none; AnnualYear
	// the year the form offers first.
	AnnualBatch int64
	AnnualYear  int
	// CanLight offers setting lights by hand, the secretariat's
	// (policy.Oversee; the store holds every write to it).
	CanLight bool
}

// itemFilters reads the list's filters from the query string, keeping only
// those with a value. The query string it returns holds the order too, so
// that saved views and the next page keep it.
func itemFilters(asked url.Values) (map[string]string, string) {
	f := map[string]string{}
	q := url.Values{}
	for _, n := range itemFilterNames {
		if v := asked.Get(n); v != "" {
			f[n] = v
			q.Set(n, v)
		}
	}
	if v := asked.Get("sort"); v != "" {
		q.Set("sort", v)
	}
	return f, q.Encode()
}

// itemSortColumns are the list's columns that sort, each by the store's
// sort key of the same name.
var itemSortColumns = []string{"number", "title", "status", "updated_at"}

// itemSort reads ?sort=title or ?sort=-title (descending); by number
// when none is given. An unknown key goes to the store, which refuses it
// naming the field.
func itemSort(asked url.Values) (string, bool) {
	v := asked.Get("sort")
	if v == "" {
		return "number", false
	}
	if key, ok := strings.CutPrefix(v, "-"); ok {
		return key, true
	}
	return v, false
}

// sortHead is a sortable column's header: the list in its order, and
// whether it is the current order.
type sortHead struct {
	Link          string
	Current, Desc bool
}

// sortHeads links each sortable column to the list in its order, keeping
// the filters; the current column's link turns the order round. The
// second result is the list in the default order.
func sortHeads(filters map[string]string, current string, desc bool) (map[string]sortHead, string) {
	q := url.Values{}
	for n, v := range filters {
		q.Set(n, v)
	}
	unsorted := "/items?" + q.Encode()
	out := map[string]sortHead{}
	for _, col := range itemSortColumns {
		h := sortHead{Current: col == current, Desc: col == current && desc}
		if h.Current && !desc {
			q.Set("sort", "-"+col)
		} else {
			q.Set("sort", col)
		}
		h.Link = "/items?" + q.Encode()
		out[col] = h
	}
	return out, unsorted
}

// itemList answers GET /items: the filtered list, one page at a time. The
// filter form works without JavaScript (a GET form); with htmx it swaps
// only the table.
func (h *Handler) itemList(w http.ResponseWriter, r *http.Request) {
	h.itemListPage(w, r, http.StatusOK, nil, "")
}

// itemListPage renders the list for the filters in r's query; v carries a
// message when a form posted from the list was refused, viewName what was
// typed as the name of a view to save.
func (h *Handler) itemListPage(w http.ResponseWriter, r *http.Request, status int, v *view, viewName string) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	asked := r.URL.Query() // parsed once: a dozen reads of it were a dozen parses
	filters, query := itemFilters(asked)
	d := itemListData{Filters: filters, Query: query}
	d.QueryLink = template.URL(query) // url.Values.Encode wrote it
	d.Sort, d.Desc = itemSort(asked)
	var heads map[string]sortHead
	heads, d.Unsorted = sortHeads(filters, d.Sort, d.Desc)
	d.Head = itemHeadHTML(t, heads)
	if slices.Contains(itemSortColumns, d.Sort) {
		d.SortLabel = t.T("item." + d.Sort)
	}
	// The tracks and sides offered are the chosen mechanism's, or the
	// batch's mechanism's; without either, those filters are not offered.
	var m *domain.Mechanism
	if b, ok := rf.batches[idIn(asked, "batch")]; ok {
		m = rf.mechanisms[b.MechanismID]
	}
	if mm, ok := rf.mechanisms[idIn(asked, "mechanism")]; ok {
		m = mm
	}
	if m != nil {
		d.Tracks, d.Sides = m.Tracks, m.Sides
	}
	d.Units, d.NoMechanism = unitChoices(rf, m, idIn(asked, "unit")), m == nil
	if v == nil {
		v = h.newView(r, t.T("items.title"), "items")
	}
	views, err := h.userViews(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Views, d.Shared = views.Own, views.Shared
	if views.Team.All {
		d.Teams, d.TeamIsAll = rf.mechList, true
	}
	for _, id := range views.Team.Mechanisms {
		if m, ok := rf.mechanisms[id]; ok {
			d.Teams = append(d.Teams, m)
		}
	}
	d.TeamName = func(id int64) string {
		if m, ok := rf.mechanisms[id]; ok {
			return t.Name(m.Name, m.NameEN)
		}
		return ""
	}
	d.ViewName = viewName
	switch asked.Get("bulk") {
	case "done":
		v.Message = t.T("bulk.done")
	case "held":
		n, _ := strconv.Atoi(asked.Get("held"))
		if sides := strings.FieldsFunc(asked.Get("await"), func(c rune) bool { return c == ',' }); n > 0 && len(sides) > 0 {
			v.Message = t.F("bulk.held", n, waitingFor(t, rf.mechList, sides))
		}
	case "none":
		v.Error = t.T("bulk.none")
	case "nochange":
		v.Error = t.T("bulk.nochange")
	case "conflict":
		v.Error = t.T("error.conflict")
	case "invalid":
		v.Error = t.T("error.invalid")
	case "occurred":
		v.Error = t.T("bulk.occurred")
	}
	if asked.Get("created") == "batch" {
		v.Message = t.T("batch.created")
	}
	d.CanWrite = policy.Check(currentUser(r), policy.Write, "items") == nil
	d.CanLight = d.CanWrite && h.store.OverseesAny(ctx, actor(r), rf.mechIDs, policy.Write)
	d.Back = "/items?" + r.URL.RawQuery
	if b, ok := rf.batches[idIn(asked, "batch")]; ok && h.store.Oversee(ctx, actor(r), b.MechanismID, policy.Read) == nil {
		d.AnnualBatch, d.AnnualYear = b.ID, h.store.Now().In(shanghai).Year()
	}
	page, err := h.store.Items.List(ctx, domain.ListQuery{Filters: filters, Cursor: asked.Get("cursor"), Sort: d.Sort, Desc: d.Desc, Viewer: currentUser(r), Summary: true, Count: true})
	d.Total = page.Total
	if err == nil && page.Total < 0 { // a cursor past the last row: count apart
		var counts []store.Count
		counts, err = h.store.Items.Tally(ctx, domain.ListQuery{Filters: filters, Viewer: currentUser(r)})
		if len(counts) == 1 {
			d.Total = counts[0].Count
		}
	}
	switch domain.ErrorCode(err) {
	case "":
	case domain.Invalid:
		v.Error, v.Fields = t.T("items.bad_filter"), fieldMessages(t, err)
		status = http.StatusUnprocessableEntity
	default:
		h.fail(w, r, err)
		return
	}
	d.NextCursor = page.NextCursor
	d.Rows, d.Choices = itemRowsHTML(t, rf, page.Items, d.CanWrite), filterChoices(t, h.itemChoices[t.locale], rf, &d)
	v.Data = d
	h.render(w, r, status, "items", v)
}

// unitChoices are the units the unit filter offers: the members of the
// chosen mechanism. Without one, only the unit already chosen: a national
// installation has ten thousand units, a list no one picks from and every
// page would carry.
func unitChoices(rf *refs, m *domain.Mechanism, chosen int64) []*domain.Organization {
	var out []*domain.Organization
	if m != nil {
		for _, mb := range m.Members {
			if o, ok := rf.orgs[mb.OrganizationID]; ok {
				out = append(out, o)
			}
		}
	}
	if o, ok := rf.orgs[chosen]; ok && !slices.Contains(out, o) {
		out = append(out, o)
	}
	return out
}
