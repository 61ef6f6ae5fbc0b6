package web

import (
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type agreementRow struct {
	Agreement *domain.Agreement
	Parties   []string
}

// agreementList answers GET /agreements: the pairings and what they agreed.
func (h *Handler) agreementList(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "agreements"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := listAll(r.Context(), currentUser(r), h.store.Agreements, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var rows []agreementRow
	for _, a := range list {
		row := agreementRow{Agreement: a}
		for _, p := range a.Parties {
			if p.OrganizationID != 0 {
				row.Parties = append(row.Parties, rf.orgName(t, p.OrganizationID))
			} else if j, ok := rf.jurisdictions[p.JurisdictionID]; ok {
				row.Parties = append(row.Parties, t.Name(j.Name, j.NameEN))
			}
		}
		rows = append(rows, row)
	}
	v := h.newView(r, t.T("agreements.title"), "agreements")
	v.Data = rows
	h.render(w, r, http.StatusOK, "agreements", v)
}
