package web

import (
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type homeData struct {
	Inbox      homeInbox
	Mechanisms []homeMechanism
}

type homeMechanism struct {
	Mechanism *domain.Mechanism
	Batches   []*domain.Batch
	NewBatch  bool // the visitor may create a batch here
	Import    bool // and import a ledger into its batches
}

// home shows first what is due from the visitor (the inbox's first
// entries, with a link to all), then the mechanisms and their batches:
// where a newcomer finds the first batch and each mechanism's dashboard.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var rows []homeMechanism
	creates := map[int64]bool{}
	for _, m := range h.batchMechanisms(r.Context(), r, rf) {
		creates[m.ID] = true
	}
	imports := policy.Check(currentUser(r), policy.Write, "items") == nil
	// The batches with their recorded counts, which the kept references
	// leave out: they follow the items.
	batches, err := listAll(r.Context(), nil, h.store.Batches, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range rf.mechList {
		row := homeMechanism{Mechanism: m, NewBatch: creates[m.ID], Import: imports}
		for _, b := range batches {
			if b.MechanismID == m.ID {
				row.Batches = append(row.Batches, b)
			}
		}
		rows = append(rows, row)
	}
	in, err := h.inbox.Inbox(r.Context(), currentUser(r), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seen, err := h.store.InboxSeen(r.Context(), currentUser(r).ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("home.title"), "home")
	v.Data = homeData{Inbox: homeInbox{Rows: h.inboxRows(r, rf, in.First(homeInboxSize), seen), Total: in.Total}, Mechanisms: rows}
	h.render(w, r, http.StatusOK, "home", v)
}
