package web

import (
	"net/http"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
)

// inboxRow is one entry of the inbox as a page shows it: with the names of
// its mechanism and unit, and whether it arose since the user last looked.
type inboxRow struct {
	Entry     inbox.Entry
	Mechanism string
	Unit      string
	New       bool
}

type inboxGroup struct {
	Kind inbox.Kind
	Rows []inboxRow
}

type inboxData struct {
	Groups []inboxGroup
	Total  int
}

// inboxRows names the entries' mechanisms and units in the visitor's
// language; seen marks as new those that arose after it.
func (h *Handler) inboxRows(r *http.Request, rf *refs, es []inbox.Entry, seen time.Time) []inboxRow {
	t := h.tr(state(r).locale)
	out := make([]inboxRow, len(es))
	for i, e := range es {
		row := inboxRow{Entry: e, New: e.Arose.After(seen)}
		if m, ok := rf.mechanisms[e.MechanismID]; ok {
			row.Mechanism = t.Name(m.Name, m.NameEN)
		}
		if e.UnitID != 0 {
			row.Unit = rf.orgName(t, e.UnitID)
		}
		out[i] = row
	}
	return out
}

// inboxPage answers GET /inbox: everything due from the user and the units
// they act for (我的待办), grouped by kind, each entry a link to the page
// where it is done. Viewing it marks everything listed as seen, so the
// menu's count starts again from nought.
func (h *Handler) inboxPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	u := currentUser(r)
	seen, err := h.lastSeen(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, err := inbox.For(ctx, h.store, u, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := inboxData{Total: in.Total}
	for _, g := range in.Groups {
		d.Groups = append(d.Groups, inboxGroup{Kind: g.Kind, Rows: h.inboxRows(r, rf, g.Entries, seen)})
	}
	at, err := h.store.MarkInboxSeen(ctx, u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if st := state(r); st.stamps != nil {
		st.stamps.InboxSeen = at // this page's menu counts from now
	}
	v := h.newView(r, t.T("inbox.title"), "inbox")
	v.Data = d
	h.render(w, r, http.StatusOK, "inbox", v)
}

// homeInboxSize is how many entries of the inbox the home page shows.
const homeInboxSize = 5

// homeInbox is the home page's first block: the inbox's first entries and
// how many there are in all.
type homeInbox struct {
	Rows  []inboxRow
	Total int
}

// unreadInbox is the menu's count: the entries of the visitor's inbox that
// arose since they last opened it. A failure to count is logged and shows
// no count; it does not break the page.
func (h *Handler) unreadInbox(r *http.Request, u *domain.User) int {
	if u == nil {
		return 0
	}
	var n int
	var err error
	if st := state(r); st.stamps != nil {
		n, err = h.inbox.UnreadSince(r.Context(), u, h.now(), st.stamps.WorkStamp, st.stamps.InboxSeen)
	} else {
		n, err = h.inbox.Unread(r.Context(), u, h.now())
	}
	if err != nil {
		h.log.Warn("count the inbox", "user", u.ID, "err", err)
		return 0
	}
	return n
}

// lastSeen is when the visitor last opened the inbox: read with the
// session on a GET, else asked.
func (h *Handler) lastSeen(r *http.Request) (time.Time, error) {
	if st := state(r); st.stamps != nil {
		return st.stamps.InboxSeen, nil
	}
	return h.store.InboxSeen(r.Context(), currentUser(r).ID)
}
