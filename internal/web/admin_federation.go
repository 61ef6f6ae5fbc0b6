package web

import (
	"net/http"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/policy"
)

// federationData is what the federation page shows: this installation's
// name and key, for the peer's operator, and each peer's status.
type federationData struct {
	Name        string // empty when the installation has no key yet
	VerifierKey string
	AlertAfter  time.Duration
	AlertText   string // AlertAfter, for reading
	Peers       []peerStatusView
}

// peerStatusView is one peer on the federation page.
type peerStatusView struct {
	Peer    *domain.Peer
	Shares  []shareView
	Status  federation.Status
	Overdue bool
	// Waiting is how long the oldest entry not countersigned has waited,
	// for reading; empty when the peer countersigned everything.
	Waiting string
}

// shareView is a shared mechanism as the federation page names it: its
// name here, or nothing when no copy has arrived yet.
type shareView struct {
	Global    string
	Mechanism *domain.Mechanism
}

// SetFederationAlert sets how long an entry may wait for a peer's receipt
// before the federation page raises the alarm
// (LIANDONG_FEDERATION_ALERT_AFTER; federation.DefaultAlertAfter if unset).
func (h *Handler) SetFederationAlert(after time.Duration) { h.alertAfter = after }

// adminFederation answers GET /admin/federation: read-only, for
// administrators. Configuration stays with 'liandong federation peer'.
func (h *Handler) adminFederation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, policy.Federation); err != nil {
		h.fail(w, r, err)
		return
	}
	d := federationData{Name: h.store.Origin(), AlertAfter: h.alertAfter}
	if d.AlertAfter <= 0 {
		d.AlertAfter = federation.DefaultAlertAfter
	}
	d.AlertText = durationText(t, d.AlertAfter)
	if h.store.AuditKey != nil {
		d.VerifierKey = h.store.AuditKey.VerifierKey()
	}
	peers, err := h.store.Peers(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, p := range peers {
		st, err := federation.StatusOf(ctx, h.store, p)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		pv := peerStatusView{Peer: p, Status: st, Overdue: st.Overdue(st.CheckedAt, d.AlertAfter)}
		if st.Lag() > 0 && !st.OldestWaiting.IsZero() {
			pv.Waiting = durationText(t, st.CheckedAt.Sub(st.OldestWaiting))
		}
		for _, g := range p.Shares {
			sv := shareView{Global: g}
			if gid, err := domain.ParseGlobalID(g); err == nil {
				id, ok, err := h.store.LocalID(ctx, gid)
				if err != nil {
					h.fail(w, r, err)
					return
				}
				if ok {
					sv.Mechanism = rf.mechanisms[id]
				}
			}
			pv.Shares = append(pv.Shares, sv)
		}
		d.Peers = append(d.Peers, pv)
	}
	v := h.newView(r, t.T("federation.title"), "admin")
	v.Data = d
	h.render(w, r, http.StatusOK, "admin_federation", v)
}

// durationText reads a wait in its largest whole unit: "2 小时", "15 min".
func durationText(t tr, d time.Duration) string {
	switch {
	case d >= time.Hour:
		return t.F("federation.hours", int(d/time.Hour))
	case d >= time.Minute:
		return t.F("federation.minutes", int(d/time.Minute))
	}
	return t.F("federation.seconds", int(d/time.Second))
}
