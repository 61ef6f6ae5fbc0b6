package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type agreementListData struct {
	Rows   []agreementRow
	CanAdd bool // the user may add an agreement somewhere
}

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
		rows = append(rows, agreementRow{Agreement: a, Parties: partyNames(t, rf, a)})
	}
	v := h.newView(r, t.T("agreements.title"), "agreements")
	v.Data = agreementListData{Rows: rows, CanAdd: len(h.mechanismsFor(r, func(m int64) error {
		return h.store.Agreements.Allowed(r.Context(), actor(r), policy.Write, &domain.Agreement{MechanismID: m})
	})) > 0}
	h.render(w, r, http.StatusOK, "agreements", v)
}

// agreementForm is an agreement's form as typed. Each party is chosen by
// name from one list of jurisdictions and units: "j:ID" or "o:ID".
type agreementForm struct {
	Mechanism int64
	Title     string
	Kind      domain.AgreementKind
	SignedOn  string
	Terms     string
	Parties   []string
}

type partyChoice struct {
	Value string
	Label string
}

type agreementPageData struct {
	Agreement  *domain.Agreement
	Mechanism  *domain.Mechanism
	Parties    []string
	Items      []*domain.Item
	CanWrite   bool
	Form       agreementForm
	Kinds      []domain.AgreementKind
	Choices    []partyChoice
	Mechanisms []*domain.Mechanism // for a new agreement: where the user may add one
}

func partyValue(p domain.AgreementParty) string {
	if p.OrganizationID != 0 {
		return "o:" + strconv.FormatInt(p.OrganizationID, 10)
	}
	return "j:" + strconv.FormatInt(p.JurisdictionID, 10)
}

func agreementFormOf(a *domain.Agreement) agreementForm {
	f := agreementForm{Mechanism: a.MechanismID, Title: a.Title, Kind: a.Kind, Terms: a.Terms}
	if !a.SignedOn.IsZero() {
		f.SignedOn = a.SignedOn.String()
	}
	for _, p := range a.Parties {
		f.Parties = append(f.Parties, partyValue(p))
	}
	return f
}

// partyNames names an agreement's parties in the visitor's language.
func partyNames(t tr, rf *refs, a *domain.Agreement) []string {
	var out []string
	for _, p := range a.Parties {
		if p.OrganizationID != 0 {
			out = append(out, rf.orgName(t, p.OrganizationID))
		} else if j, ok := rf.jurisdictions[p.JurisdictionID]; ok {
			out = append(out, t.Name(j.Name, j.NameEN))
		}
	}
	return out
}

// agreementOfPath reads the agreement of the path as the user may read it.
func (h *Handler) agreementOfPath(w http.ResponseWriter, r *http.Request) (*domain.Agreement, bool) {
	if err := policy.Check(currentUser(r), policy.Read, "agreements"); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var a *domain.Agreement
		if a, err = h.store.Agreements.GetAs(r.Context(), actor(r), id); err == nil {
			return a, true
		}
	}
	h.fail(w, r, err)
	return nil, false
}

// agreementShow answers GET /agreements/{id}: the agreement, its parties
// by name, and the items that follow from it (those the user may read).
func (h *Handler) agreementShow(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	a, ok := h.agreementOfPath(w, r)
	if !ok {
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := listAll(r.Context(), currentUser(r), h.store.Items, map[string]string{"agreement": strconv.FormatInt(a.ID, 10)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := agreementPageData{Agreement: a, Mechanism: rf.mechanisms[a.MechanismID], Parties: partyNames(t, rf, a), Items: items,
		CanWrite: h.store.Agreements.Allowed(r.Context(), actor(r), policy.Write, a) == nil}
	v := h.newView(r, a.Title, "agreements")
	v.Message = messageOfDone(t, r.URL.Query().Get("done"))
	v.Data = d
	h.render(w, r, http.StatusOK, "agreement", v)
}

// renderAgreementForm shows the form that edits a (or, when a is nil,
// makes a new agreement) holding f.
func (h *Handler) renderAgreementForm(w http.ResponseWriter, r *http.Request, status int, a *domain.Agreement, f agreementForm, refused formRefusal) {
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := agreementPageData{Agreement: a, Form: f, Kinds: domain.AgreementKinds}
	title := t.T("agreement.new")
	if a != nil {
		d.CanWrite = h.store.Agreements.Allowed(r.Context(), actor(r), policy.Write, a) == nil
		title = a.Title
	} else {
		d.Mechanisms = h.mechanismsFor(r, func(m int64) error {
			return h.store.Agreements.Allowed(r.Context(), actor(r), policy.Write, &domain.Agreement{MechanismID: m})
		})
		d.CanWrite = len(d.Mechanisms) > 0
	}
	if !d.CanWrite && refused.Error == "" {
		refused, status = formRefusal{http.StatusForbidden, t.T("upkeep.may_not_change"), nil}, http.StatusForbidden
	}
	for _, row := range h.jurisdictionRows(rf) {
		j := row.Jurisdiction
		d.Choices = append(d.Choices, partyChoice{"j:" + strconv.FormatInt(j.ID, 10), strings.Repeat("　", row.Depth) + t.Name(j.Name, j.NameEN)})
		for _, o := range row.Units {
			d.Choices = append(d.Choices, partyChoice{"o:" + strconv.FormatInt(o.ID, 10), strings.Repeat("　", row.Depth+1) + t.Name(o.Name, o.NameEN)})
		}
	}
	// Two more rows than the parties named, so a party can be added.
	d.Form.Parties = append(slices.Clone(f.Parties), "", "")
	v := h.newView(r, title, "agreements")
	refused.apply(v)
	v.Data = d
	h.render(w, r, status, "agreement_edit", v)
}

// readAgreementForm reads the form into f and onto a.
func readAgreementForm(r *http.Request, a *domain.Agreement, p *domain.Problems) agreementForm {
	f := agreementForm{Mechanism: formID(r, "mechanism"), Title: strings.TrimSpace(r.PostFormValue("title")), Kind: domain.AgreementKind(r.PostFormValue("kind")),
		SignedOn: strings.TrimSpace(r.PostFormValue("signed_on")), Terms: strings.TrimSpace(r.PostFormValue("terms"))}
	a.Title, a.Kind, a.Terms = f.Title, f.Kind, f.Terms
	a.SignedOn = parseFormDate(r, "signed_on", p)
	a.Parties = []domain.AgreementParty{}
	for _, v := range r.PostForm["party"] {
		kind, num, _ := strings.Cut(v, ":")
		id, _ := strconv.ParseInt(num, 10, 64)
		if id <= 0 {
			continue
		}
		f.Parties = append(f.Parties, v)
		switch kind {
		case "j":
			a.Parties = append(a.Parties, domain.AgreementParty{JurisdictionID: id})
		case "o":
			a.Parties = append(a.Parties, domain.AgreementParty{OrganizationID: id})
		}
	}
	return f
}

// agreementEditForm answers GET /agreements/{id}/edit.
func (h *Handler) agreementEditForm(w http.ResponseWriter, r *http.Request) {
	a, ok := h.agreementOfPath(w, r)
	if !ok {
		return
	}
	h.renderAgreementForm(w, r, http.StatusOK, a, agreementFormOf(a), formRefusal{})
}

// agreementSave answers POST /agreements/{id}/edit: the agreement written
// at the version the form was opened with, then its page.
func (h *Handler) agreementSave(w http.ResponseWriter, r *http.Request) {
	a, ok := h.agreementOfPath(w, r)
	if !ok {
		return
	}
	var p domain.Problems
	want := *a
	want.Version = formID(r, "version")
	f := readAgreementForm(r, &want, &p)
	f.Mechanism = a.MechanismID
	err := p.Err()
	if err == nil {
		err = h.store.Agreements.Update(r.Context(), actor(r), &want)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/agreements/%d?done=saved", a.ID), http.StatusSeeOther)
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderAgreementForm(w, r, refused.Status, a, f, refused)
	}
}

// agreementNewForm answers GET /agreements/new.
func (h *Handler) agreementNewForm(w http.ResponseWriter, r *http.Request) {
	if err := policy.Check(currentUser(r), policy.Read, "agreements"); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAgreementForm(w, r, http.StatusOK, nil, agreementForm{Mechanism: queryID(r, "mechanism"), Kind: domain.StrategicAgreement}, formRefusal{})
}

// agreementCreate answers POST /agreements/new, then goes to the new
// agreement's page.
func (h *Handler) agreementCreate(w http.ResponseWriter, r *http.Request) {
	if err := policy.Check(currentUser(r), policy.Read, "agreements"); err != nil {
		h.fail(w, r, err)
		return
	}
	var p domain.Problems
	a := &domain.Agreement{Record: domain.Record{Source: "web"}}
	f := readAgreementForm(r, a, &p)
	a.MechanismID = f.Mechanism
	err := p.Err()
	if err == nil {
		err = h.store.Agreements.Create(r.Context(), actor(r), a)
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/agreements/%d?done=created", a.ID), http.StatusSeeOther)
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderAgreementForm(w, r, refused.Status, nil, f, refused)
	}
}
