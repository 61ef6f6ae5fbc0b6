package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// itemFilterNames are the filters the item list offers, in form order.
var itemFilterNames = []string{"mechanism", "batch", "status", "light", "track", "side", "unit", "q"}

// itemRow is an item with the names the list shows beside it.
type itemRow struct {
	Item  *domain.Item
	Batch string
	Leads []string // of the sides that have one, in the mechanism's order
}

type itemListData struct {
	Filters    map[string]string
	Back       string // this page, where a bulk edit returns
	Views      []store.SavedView
	ViewName   string
	Query      string // the filters as a query string, for the export links
	Rows       []itemRow
	NextCursor string
	Mechanisms []*domain.Mechanism
	Batches    []*domain.Batch
	Statuses   []domain.ItemStatus
	Lights     []domain.Light
	Tracks     []domain.Term
	Sides      []domain.Side
	Units      []*domain.Organization
	// CanWrite offers the controls that change items — new item, bulk
	// edit, the ledger import — to whom the policy lets change items.
	CanWrite bool
	// CanLight offers setting lights by hand, the secretariat's
	// (policy.Oversee; the store holds every write to it).
	CanLight bool
}

// itemFilters reads the list's filters from the query string, keeping only
// those with a value.
func itemFilters(r *http.Request) (map[string]string, string) {
	f := map[string]string{}
	q := url.Values{}
	for _, n := range itemFilterNames {
		if v := r.URL.Query().Get(n); v != "" {
			f[n] = v
			q.Set(n, v)
		}
	}
	return f, q.Encode()
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
	filters, query := itemFilters(r)
	d := itemListData{Filters: filters, Query: query, Mechanisms: rf.mechList, Batches: rf.batchList,
		Statuses: domain.ItemStatuses, Lights: domain.Lights, Units: rf.orgList}
	// The tracks and sides offered are the chosen mechanism's, or the
	// batch's mechanism's; without either, those filters are not offered.
	var m *domain.Mechanism
	if b, ok := rf.batches[queryID(r, "batch")]; ok {
		m = rf.mechanisms[b.MechanismID]
	}
	if mm, ok := rf.mechanisms[queryID(r, "mechanism")]; ok {
		m = mm
	}
	if m != nil {
		d.Tracks, d.Sides = m.Tracks, m.Sides
	}
	if v == nil {
		v = h.newView(r, t.T("items.title"), "items")
	}
	var err2 error
	if d.Views, err2 = h.store.SavedViews(ctx, currentUser(r).ID); err2 != nil {
		h.fail(w, r, err2)
		return
	}
	d.ViewName = viewName
	switch r.URL.Query().Get("bulk") {
	case "done":
		v.Message = t.T("bulk.done")
	case "held":
		n, _ := strconv.Atoi(r.URL.Query().Get("held"))
		if sides := strings.FieldsFunc(r.URL.Query().Get("await"), func(c rune) bool { return c == ',' }); n > 0 && len(sides) > 0 {
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
	if r.URL.Query().Get("created") == "batch" {
		v.Message = t.T("batch.created")
	}
	d.CanWrite = policy.Check(currentUser(r), policy.Write, "items") == nil
	for _, m := range rf.mechList {
		if d.CanWrite && h.store.Oversee(ctx, actor(r), m.ID, policy.Write) == nil {
			d.CanLight = true
		}
	}
	d.Back = "/items?" + r.URL.RawQuery
	page, err := h.store.Items.List(ctx, domain.ListQuery{Filters: filters, Cursor: r.URL.Query().Get("cursor"), Sort: "number", Viewer: currentUser(r)})
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
	d.Rows = itemRows(t, rf, page.Items)
	v.Data = d
	h.render(w, r, status, "items", v)
}

func itemRows(t tr, rf *refs, items []*domain.Item) []itemRow {
	rows := make([]itemRow, 0, len(items))
	for _, it := range items {
		row := itemRow{Item: it}
		if b, ok := rf.batches[it.BatchID]; ok {
			row.Batch = t.Name(b.Name, b.NameEN)
		}
		if m, ok := rf.mechanisms[it.MechanismID]; ok {
			for _, s := range m.Sides {
				if lead := it.Lead(s.Key); lead != 0 {
					row.Leads = append(row.Leads, rf.orgName(t, lead))
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}
