package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type userForm struct {
	Email     string
	Name      string
	Locale    string
	Role      domain.Role
	ScopeKind domain.ScopeKind
	ScopeID   int64
}

type adminUsersData struct {
	Scopes        map[string]string // grant scopes by "kind:id", named
	Users         []*domain.User
	Roles         []domain.Role
	Locales       []string
	Units         []*domain.Organization
	Mechanisms    []*domain.Mechanism
	Jurisdictions []jurisdictionRow
	Form          userForm
}

func (h *Handler) adminUsersPage(w http.ResponseWriter, r *http.Request, status int, v *view, form userForm) {
	ctx := r.Context()
	users, err := listAll(ctx, currentUser(r), h.store.Users, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t := h.tr(state(r).locale)
	if v == nil {
		v = h.newView(r, t.T("admin.users"), "admin")
	}
	v.Data = adminUsersData{Scopes: scopeNames(t, rf), Users: users, Roles: domain.Roles, Locales: domain.Locales, Units: rf.orgList, Mechanisms: rf.mechList,
		Jurisdictions: h.jurisdictionRows(rf), Form: form}
	h.render(w, r, status, "admin_users", v)
}

// adminUsers answers GET /admin/users: the users and their grants, and a
// form to add one.
func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request) {
	if err := policy.Check(currentUser(r), policy.Write, "users"); err != nil {
		h.fail(w, r, err)
		return
	}
	h.adminUsersPage(w, r, http.StatusOK, nil, userForm{Locale: defaultLocale, Role: domain.Liaison, ScopeKind: domain.OrganizationScope})
}

// adminUserCreate answers POST /admin/users. The first password is typed
// by the administrator and handed over; the store keeps only its argon2id
// hash.
func (h *Handler) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "users"); err != nil {
		h.fail(w, r, err)
		return
	}
	form := userForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Locale: validLocale(r.PostFormValue("locale")), Role: domain.Role(r.PostFormValue("role")), ScopeKind: domain.ScopeKind(r.PostFormValue("scope_kind"))}
	switch form.ScopeKind {
	case domain.OrganizationScope:
		form.ScopeID = formID(r, "unit")
	case domain.MechanismScope:
		form.ScopeID = formID(r, "mechanism")
	case domain.JurisdictionScope:
		form.ScopeID = formID(r, "jurisdiction")
	}
	u := &domain.User{Email: form.Email, Name: form.Name, Locale: form.Locale, Password: r.PostFormValue("password"),
		Grants: []domain.Grant{{Role: form.Role, ScopeKind: form.ScopeKind, ScopeID: form.ScopeID}}}
	var err error
	if u.Password == "" {
		err = (&domain.Error{Code: domain.Invalid, Message: "the input is invalid", Fields: []domain.FieldError{{Field: "password", Reason: "is required"}}})
	} else {
		err = h.store.Users.Create(r.Context(), actor(r), u)
	}
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	case domain.Invalid, domain.Conflict:
		v := h.newView(r, t.T("admin.users"), "admin")
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		if domain.ErrorCode(err) == domain.Conflict {
			v.Error = t.T("admin.email_taken")
		}
		h.adminUsersPage(w, r, http.StatusUnprocessableEntity, v, form)
	default:
		h.fail(w, r, err)
	}
}

type jurisdictionRow struct {
	Jurisdiction *domain.Jurisdiction
	Depth        int
	Units        []*domain.Organization
}

// adminJurisdictions answers GET /admin/jurisdictions: the jurisdiction
// tree with the units of each.
func (h *Handler) adminJurisdictions(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "jurisdictions"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := h.jurisdictionRows(rf)
	v := h.newView(r, t.T("admin.jurisdictions"), "admin")
	h.jurisdictionsPage(w, r, http.StatusOK, v, rows, rf, placeForm{}, placeForm{})
}

// placeForm is what the add-jurisdiction and add-unit forms hold.
type placeForm struct {
	Parent int64
	Name   string
	NameEN string
	Kind   string
	Code   string
}

type jurisdictionsData struct {
	Rows          []jurisdictionRow
	Jurisdictions []*domain.Jurisdiction
	Kinds         []domain.JurisdictionKind
	UnitKinds     []domain.OrganizationKind
	Place, Unit   placeForm
	CanWrite      bool
}

func (h *Handler) jurisdictionsPage(w http.ResponseWriter, r *http.Request, status int, v *view, rows []jurisdictionRow, rf *refs, place, unit placeForm) {
	var js []*domain.Jurisdiction
	for _, row := range rows {
		js = append(js, row.Jurisdiction)
	}
	v.Data = jurisdictionsData{Rows: rows, Jurisdictions: js, Kinds: domain.JurisdictionKinds, UnitKinds: domain.OrganizationKinds,
		Place: place, Unit: unit, CanWrite: policy.Check(currentUser(r), policy.Write, "jurisdictions") == nil}
	h.render(w, r, status, "admin_jurisdictions", v)
}

func readPlaceForm(r *http.Request) placeForm {
	return placeForm{Parent: formID(r, "parent"), Name: strings.TrimSpace(r.PostFormValue("name")), NameEN: strings.TrimSpace(r.PostFormValue("name_en")),
		Kind: r.PostFormValue("kind"), Code: strings.TrimSpace(r.PostFormValue("code"))}
}

// adminJurisdictionCreate answers POST /admin/jurisdictions: add a
// jurisdiction under a parent (administrators only).
func (h *Handler) adminJurisdictionCreate(w http.ResponseWriter, r *http.Request) {
	f := readPlaceForm(r)
	j := &domain.Jurisdiction{ParentID: f.Parent, Name: f.Name, NameEN: f.NameEN, Kind: domain.JurisdictionKind(f.Kind), Code: f.Code, Record: domain.Record{Source: "web"}}
	h.savePlace(w, r, h.store.Jurisdictions.Create(r.Context(), actor(r), j), f, placeForm{})
}

// adminUnitCreate answers POST /admin/units: add a unit to a jurisdiction
// (administrators only).
func (h *Handler) adminUnitCreate(w http.ResponseWriter, r *http.Request) {
	f := readPlaceForm(r)
	o := &domain.Organization{JurisdictionID: f.Parent, Name: f.Name, NameEN: f.NameEN, Kind: domain.OrganizationKind(f.Kind), Record: domain.Record{Source: "web"}}
	h.savePlace(w, r, h.store.Organizations.Create(r.Context(), actor(r), o), placeForm{}, f)
}

// savePlace redirects after a save, or shows the page again with the
// typed values and the reasons.
func (h *Handler) savePlace(w http.ResponseWriter, r *http.Request, err error, place, unit placeForm) {
	t := h.tr(state(r).locale)
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/jurisdictions", http.StatusSeeOther)
		return
	case domain.Invalid, domain.Conflict:
	default:
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("admin.jurisdictions"), "admin")
	v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
	rf, lerr := h.loadRefs(r.Context())
	if lerr != nil {
		h.fail(w, r, lerr)
		return
	}
	h.jurisdictionsPage(w, r, http.StatusUnprocessableEntity, v, h.jurisdictionRows(rf), rf, place, unit)
}

// jurisdictionRows lays the jurisdiction tree out as indented rows, each
// with its units.
func (h *Handler) jurisdictionRows(rf *refs) []jurisdictionRow {
	children := map[int64][]*domain.Jurisdiction{}
	for _, j := range rf.jurisdictions {
		children[j.ParentID] = append(children[j.ParentID], j)
	}
	var rows []jurisdictionRow
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		kids := children[parent]
		sortByID(kids)
		for _, j := range kids {
			row := jurisdictionRow{Jurisdiction: j, Depth: depth}
			for _, o := range rf.orgList {
				if o.JurisdictionID == j.ID {
					row.Units = append(row.Units, o)
				}
			}
			rows = append(rows, row)
			if depth < 6 {
				walk(j.ID, depth+1)
			}
		}
	}
	walk(0, 0)
	return rows
}

func sortByID(js []*domain.Jurisdiction) {
	for i := 1; i < len(js); i++ {
		for k := i; k > 0 && js[k].ID < js[k-1].ID; k-- {
			js[k], js[k-1] = js[k-1], js[k]
		}
	}
}

// adminMechanisms answers GET /admin/mechanisms: each mechanism's sides,
// taxonomy and custom fields.
func (h *Handler) adminMechanisms(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "mechanisms"); err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := listAll(r.Context(), currentUser(r), h.store.Mechanisms, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("admin.mechanisms"), "admin")
	v.Data = list
	h.render(w, r, http.StatusOK, "admin_mechanisms", v)
}

// scopeNames names every scope a grant may have, "kind:id" → name, so
// that grants read as 温江区人民政府, not organization 12.
func scopeNames(t tr, rf *refs) map[string]string {
	out := map[string]string{}
	for _, o := range rf.orgList {
		out["organization:"+strconv.FormatInt(o.ID, 10)] = t.Name(o.Name, o.NameEN)
	}
	for id, j := range rf.jurisdictions {
		out["jurisdiction:"+strconv.FormatInt(id, 10)] = t.Name(j.Name, j.NameEN)
	}
	for _, m := range rf.mechList {
		out["mechanism:"+strconv.FormatInt(m.ID, 10)] = t.Name(m.Name, m.NameEN)
	}
	return out
}

// grantForm is one grant as its row of the user form holds it: the role,
// the kind of scope and the scope chosen by name from the list of that
// kind.
type grantForm struct {
	Role      domain.Role
	ScopeKind domain.ScopeKind
	ScopeID   int64
}

type adminUserData struct {
	User          *domain.User
	Name          string
	Locale        string
	Grants        []grantForm
	Roles         []domain.Role
	Locales       []string
	Units         []*domain.Organization
	Mechanisms    []*domain.Mechanism
	Jurisdictions []jurisdictionRow
	Scopes        map[string]string
	// NewPassword is the password just set, shown this once.
	NewPassword string
}

// adminUserOfPath reads the user of the path, for an administrator.
func (h *Handler) adminUserOfPath(w http.ResponseWriter, r *http.Request) (*domain.User, bool) {
	if err := policy.Check(currentUser(r), policy.Write, "users"); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var u *domain.User
		if u, err = h.store.Users.GetAs(r.Context(), actor(r), id); err == nil {
			return u, true
		}
	}
	h.fail(w, r, err)
	return nil, false
}

func grantFormsOf(u *domain.User) []grantForm {
	var out []grantForm
	for _, g := range u.Grants {
		out = append(out, grantForm{Role: g.Role, ScopeKind: g.ScopeKind, ScopeID: g.ScopeID})
	}
	return out
}

// renderAdminUser shows the user's page: the form holding d's fields, the
// deactivate or reactivate button and the password reset.
func (h *Handler) renderAdminUser(w http.ResponseWriter, r *http.Request, status int, d *adminUserData, refused formRefusal) {
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Roles, d.Locales, d.Units, d.Mechanisms, d.Jurisdictions = domain.Roles, domain.Locales, rf.orgList, rf.mechList, h.jurisdictionRows(rf)
	d.Scopes = scopeNames(t, rf)
	// One blank row adds a grant.
	d.Grants = append(slices.Clone(d.Grants), grantForm{})
	v := h.newView(r, d.User.Name, "admin")
	refused.apply(v)
	if status == http.StatusOK && d.NewPassword == "" {
		v.Message = messageOfDone(t, r.URL.Query().Get("done"))
	}
	v.Data = d
	h.render(w, r, status, "admin_user", v)
}

// adminUserShow answers GET /admin/users/{id}: the form that edits a
// user's name, language and grants, deactivates or reactivates them, and
// sets a new password.
func (h *Handler) adminUserShow(w http.ResponseWriter, r *http.Request) {
	u, ok := h.adminUserOfPath(w, r)
	if !ok {
		return
	}
	h.renderAdminUser(w, r, http.StatusOK, &adminUserData{User: u, Name: u.Name, Locale: u.Locale, Grants: grantFormsOf(u)}, formRefusal{})
}

// readGrants reads the grant rows; a row without a role is dropped, which
// is how a grant is taken away. The scope is the one chosen in the list of
// the row's kind.
func readGrants(r *http.Request) []grantForm {
	roles, kinds := r.PostForm["grant_role"], r.PostForm["grant_scope"]
	pick := func(name string, i int) int64 {
		vs := r.PostForm[name]
		if i >= len(vs) {
			return 0
		}
		id, _ := strconv.ParseInt(vs[i], 10, 64)
		return id
	}
	var out []grantForm
	for i, role := range roles {
		if role == "" {
			continue
		}
		g := grantForm{Role: domain.Role(role)}
		if i < len(kinds) {
			g.ScopeKind = domain.ScopeKind(kinds[i])
		}
		switch g.ScopeKind {
		case domain.MechanismScope:
			g.ScopeID = pick("grant_mechanism", i)
		case domain.JurisdictionScope:
			g.ScopeID = pick("grant_jurisdiction", i)
		case domain.OrganizationScope:
			g.ScopeID = pick("grant_unit", i)
		}
		out = append(out, g)
	}
	return out
}

// adminUserSave answers POST /admin/users/{id}: action=save writes the
// name, language and grants; action=disable deactivates the user and
// action=enable brings them back. The store ends a deactivated user's
// sessions and tokens in the same transaction.
func (h *Handler) adminUserSave(w http.ResponseWriter, r *http.Request) {
	u, ok := h.adminUserOfPath(w, r)
	if !ok {
		return
	}
	d := &adminUserData{User: u, Name: u.Name, Locale: u.Locale, Grants: grantFormsOf(u)}
	want := *u
	want.Version = formID(r, "version")
	switch r.PostFormValue("action") {
	case "disable":
		want.Disabled = true
	case "enable":
		want.Disabled = false
	default:
		d.Name, d.Locale, d.Grants = strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("locale"), readGrants(r)
		want.Name, want.Locale = d.Name, d.Locale
		want.Grants = []domain.Grant{}
		for _, g := range d.Grants {
			want.Grants = append(want.Grants, domain.Grant{Role: g.Role, ScopeKind: g.ScopeKind, ScopeID: g.ScopeID})
		}
	}
	err := h.store.Users.Update(r.Context(), actor(r), &want)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=saved", u.ID), http.StatusSeeOther)
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderAdminUser(w, r, refused.Status, d, refused)
	}
}

// adminUserPassword answers POST /admin/users/{id}/password: the
// administrator sets a one-time password they typed, or leaves the field
// empty for a generated one; either is shown on the page this once and
// never stored in clear. The store ends the user's sessions and tokens
// in the same transaction.
func (h *Handler) adminUserPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := h.adminUserOfPath(w, r)
	if !ok {
		return
	}
	password := r.PostFormValue("password")
	if password == "" {
		password = rand.Text()
	}
	want := *u
	want.Version, want.Password = formID(r, "version"), password
	err := h.store.Users.Update(r.Context(), actor(r), &want)
	d := &adminUserData{User: u, Name: u.Name, Locale: u.Locale, Grants: grantFormsOf(u)}
	if err == nil {
		d.User = &want
		d.NewPassword = password
		h.renderAdminUser(w, r, http.StatusOK, d, formRefusal{})
		return
	}
	if refused, ok := h.refusedForm(w, r, err); ok {
		h.renderAdminUser(w, r, refused.Status, d, refused)
	}
}
