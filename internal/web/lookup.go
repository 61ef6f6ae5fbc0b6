package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// listCap bounds how many records a page gathers from a list by following
// its cursor; the dashboards and exports of one mechanism stay well below.
const listCap = 5000

// listAll follows a list's cursor to the end (or listCap) and returns every
// record that matches filters and that viewer may read (nil: the names of
// shared records that every page shows).
func listAll[T any, P interface {
	*T
	domain.Entity
}](ctx context.Context, viewer *domain.User, rs *store.Records[T, P], filters map[string]string) ([]P, error) {
	return listEvery(ctx, rs, domain.ListQuery{Filters: filters, Viewer: viewer})
}

// listEvery follows the cursor of the list q asks for to the end (or
// listCap), a page of the largest size at a time.
func listEvery[T any, P interface {
	*T
	domain.Entity
}](ctx context.Context, rs *store.Records[T, P], q domain.ListQuery) ([]P, error) {
	var out []P
	q.Limit = domain.MaxPageSize
	for {
		page, err := rs.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" || len(out) >= listCap {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}

// refs holds the records pages name others by: units, jurisdictions,
// mechanisms and batches, by id, kept until one of them is written
// (loadRefs).
type refs struct {
	orgs          map[int64]*domain.Organization
	jurisdictions map[int64]*domain.Jurisdiction
	mechanisms    map[int64]*domain.Mechanism
	batches       map[int64]*domain.Batch
	orgList       []*domain.Organization
	mechList      []*domain.Mechanism
	mechIDs       []int64 // of mechList, in its order
	batchList     []*domain.Batch

	// choicesIn holds the reference selects' options per language,
	// written on first use (choices).
	choicesMu sync.Mutex
	choicesIn map[string]*referenceChoices
}

// choices returns the options of the selects that list these references,
// in t's language.
func (rf *refs) choices(t tr) *referenceChoices {
	rf.choicesMu.Lock()
	defer rf.choicesMu.Unlock()
	c, ok := rf.choicesIn[t.locale]
	if !ok {
		c = newReferenceChoices(t, rf)
		if rf.choicesIn == nil {
			rf.choicesIn = map[string]*referenceChoices{}
		}
		rf.choicesIn[t.locale] = c
	}
	return c
}

// loadRefs returns the units, places, mechanisms and batches, read again
// only when the store's stamp of those tables has changed (by a write on
// any instance): at national scale they are thousands of records that every
// page names, and they change rarely. The maps are shared between requests
// and read only. The batches are names: their recorded counts, which follow
// the items, are left at zero (the home page reads them).
func (h *Handler) loadRefs(ctx context.Context) (*refs, error) {
	var stamp int64
	var err error
	if st, ok := ctx.Value(stateKey{}).(*requestState); ok && st.stamps != nil {
		stamp = st.stamps.ReferencesStamp
	} else if stamp, err = h.store.ReferencesStamp(ctx); err != nil {
		return nil, err
	}
	h.refsMu.Lock()
	cached, same := h.refs, h.refsStamp == stamp
	h.refsMu.Unlock()
	if same && cached != nil {
		return cached, nil
	}
	rf := &refs{orgs: map[int64]*domain.Organization{}, jurisdictions: map[int64]*domain.Jurisdiction{},
		mechanisms: map[int64]*domain.Mechanism{}}
	if rf.orgList, err = listAll(ctx, nil, h.store.Organizations, nil); err != nil {
		return nil, err
	}
	for _, o := range rf.orgList {
		rf.orgs[o.ID] = o
	}
	js, err := listAll(ctx, nil, h.store.Jurisdictions, nil)
	if err != nil {
		return nil, err
	}
	for _, j := range js {
		rf.jurisdictions[j.ID] = j
	}
	if rf.mechList, err = listAll(ctx, nil, h.store.Mechanisms, nil); err != nil {
		return nil, err
	}
	rf.mechIDs = make([]int64, len(rf.mechList))
	for i, m := range rf.mechList {
		rf.mechanisms[m.ID], rf.mechIDs[i] = m, m.ID
	}
	rf.batches = map[int64]*domain.Batch{}
	if rf.batchList, err = listEvery(ctx, h.store.Batches, domain.ListQuery{Summary: true}); err != nil {
		return nil, err
	}
	for _, b := range rf.batchList {
		rf.batches[b.ID] = b
	}
	h.refsMu.Lock()
	h.refs, h.refsStamp = rf, stamp
	h.refsMu.Unlock()
	return rf, nil
}

// within reports whether jurisdiction id lies in ancestor's subtree.
func (rf *refs) within(id, ancestor int64) bool {
	for n := 0; id != 0 && n < 20; n++ {
		if id == ancestor {
			return true
		}
		j, ok := rf.jurisdictions[id]
		if !ok {
			return false
		}
		id = j.ParentID
	}
	return false
}

// sideOfOrg returns the key of the mechanism side whose jurisdiction holds
// the unit, or "".
func (rf *refs) sideOfOrg(m *domain.Mechanism, orgID int64) string {
	for _, mb := range m.Members {
		if mb.OrganizationID == orgID {
			return mb.Side
		}
	}
	o, ok := rf.orgs[orgID]
	if !ok {
		return ""
	}
	for _, s := range m.Sides {
		if rf.within(o.JurisdictionID, s.JurisdictionID) {
			return s.Key
		}
	}
	return ""
}

// unitsOfSide lists the units a side may name: those in the subtree of the
// side's jurisdiction (a district government lies under its city).
func (rf *refs) unitsOfSide(side domain.Side) []*domain.Organization {
	var out []*domain.Organization
	for _, o := range rf.orgList {
		if rf.within(o.JurisdictionID, side.JurisdictionID) {
			out = append(out, o)
		}
	}
	return out
}

func (rf *refs) orgName(t tr, id int64) string {
	if o, ok := rf.orgs[id]; ok {
		return t.Name(o.Name, o.NameEN)
	}
	return ""
}

// pathID reads the {id} of the route; a malformed one is simply not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.NotFound, "no such page")
	}
	return id, nil
}

// pathRecord reads the record of rs that {id} names, as Records.Get does:
// without the viewer's read scope, which pages that need it apply with
// GetAs instead.
func pathRecord[T any, P interface {
	*T
	domain.Entity
}](r *http.Request, rs *store.Records[T, P]) (P, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return rs.Get(r.Context(), id)
}

func queryID(r *http.Request, name string) int64 { return idIn(r.URL.Query(), name) }

// idIn is queryID of a query already parsed.
func idIn(q url.Values, name string) int64 {
	id, _ := strconv.ParseInt(q.Get(name), 10, 64)
	if id < 0 {
		return 0
	}
	return id
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, domain.Errorf(domain.NotFound, "no such page"))
}

// mechIDs lists the ids of every mechanism.
