package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// The taxonomy editor writes each list as lines of fields separated by
// "|", the way a secretariat would jot them down:
//
//	tracks:         key | 名称 | English name | group
//	modes:          key | 名称 | English name
//	custom fields:  key | 标签 | English label | text, number, date or choice | choice1, choice2 | required
type mechanismForm struct {
	Version      int64
	Tracks       string
	Modes        string
	CustomFields string
}

type mechanismEditData struct {
	Mechanism *domain.Mechanism
	Form      mechanismForm
}

func termLines(terms []domain.Term, withGroup bool) string {
	var b strings.Builder
	for _, t := range terms {
		fmt.Fprintf(&b, "%s | %s | %s", t.Key, t.Name, t.NameEN)
		if withGroup && t.Group != "" {
			fmt.Fprintf(&b, " | %s", t.Group)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fieldLines(fields []domain.CustomField) string {
	var b strings.Builder
	for _, f := range fields {
		req := ""
		if f.Required {
			req = "required"
		}
		fmt.Fprintf(&b, "%s | %s | %s | %s | %s | %s\n", f.Key, f.Label, f.LabelEN, f.Type, strings.Join(f.Choices, ", "), req)
	}
	return b.String()
}

// lines splits a textarea into its non-empty lines, each into trimmed fields.
func lines(text string) [][]string {
	var out [][]string
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		parts := strings.Split(l, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		out = append(out, parts)
	}
	return out
}

func part(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return ""
}

func parseTerms(text string, withGroup bool) []domain.Term {
	terms := []domain.Term{}
	for _, p := range lines(text) {
		t := domain.Term{Key: part(p, 0), Name: part(p, 1), NameEN: part(p, 2)}
		if withGroup {
			t.Group = part(p, 3)
		}
		terms = append(terms, t)
	}
	return terms
}

func parseFields(text string) []domain.CustomField {
	fields := []domain.CustomField{}
	for _, p := range lines(text) {
		f := domain.CustomField{Key: part(p, 0), Label: part(p, 1), LabelEN: part(p, 2), Type: domain.CustomFieldType(part(p, 3)), Required: part(p, 5) == "required"}
		for _, c := range strings.Split(part(p, 4), ",") {
			if c = strings.TrimSpace(c); c != "" {
				f.Choices = append(f.Choices, c)
			}
		}
		fields = append(fields, f)
	}
	return fields
}

func (h *Handler) loadMechanismForEdit(w http.ResponseWriter, r *http.Request) (*domain.Mechanism, bool) {
	id, err := pathID(r)
	if err == nil {
		var m *domain.Mechanism
		if m, err = h.store.Mechanisms.GetAs(r.Context(), actor(r), id); err == nil {
			if err = h.store.Mechanisms.Allowed(r.Context(), actor(r), policy.Write, m); err == nil {
				return m, true
			}
		}
	}
	h.fail(w, r, err)
	return nil, false
}

// adminMechanismEdit answers GET /admin/mechanisms/{id}: the taxonomy and
// custom fields of one mechanism, for its secretariat or an administrator.
func (h *Handler) adminMechanismEdit(w http.ResponseWriter, r *http.Request) {
	m, ok := h.loadMechanismForEdit(w, r)
	if !ok {
		return
	}
	form := mechanismForm{Version: m.Version, Tracks: termLines(m.Tracks, true), Modes: termLines(m.Modes, false), CustomFields: fieldLines(m.CustomFields)}
	h.mechanismEditPage(w, r, http.StatusOK, h.newView(r, m.Name, "admin"), m, form)
}

func (h *Handler) mechanismEditPage(w http.ResponseWriter, r *http.Request, status int, v *view, m *domain.Mechanism, form mechanismForm) {
	v.Title = m.Name
	v.Data = mechanismEditData{Mechanism: m, Form: form}
	h.render(w, r, status, "admin_mechanism", v)
}

// adminMechanismSave answers POST /admin/mechanisms/{id}: validate, and
// either save and return to the list or show the form again with what was
// typed and the reasons, by line.
func (h *Handler) adminMechanismSave(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	m, ok := h.loadMechanismForEdit(w, r)
	if !ok {
		return
	}
	form := mechanismForm{Tracks: r.PostFormValue("tracks"), Modes: r.PostFormValue("modes"), CustomFields: r.PostFormValue("custom_fields")}
	form.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	m.Version, m.Tracks, m.Modes, m.CustomFields = form.Version, parseTerms(form.Tracks, true), parseTerms(form.Modes, false), parseFields(form.CustomFields)
	err := h.store.Mechanisms.Update(r.Context(), actor(r), m)
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/mechanisms", http.StatusSeeOther)
	case domain.Invalid, domain.Conflict:
		v := h.newView(r, m.Name, "admin")
		v.Error, v.Fields = t.T("form.fix"), map[string]string{}
		if domain.ErrorCode(err) == domain.Conflict {
			v.Error = t.T("error.conflict")
		}
		// Name the line: "tracks[2].key" is line 3 of the tracks box.
		for field, reason := range fieldMessages(t, err) {
			list, rest, _ := strings.Cut(field, "[")
			n, _ := strconv.Atoi(strings.SplitN(rest, "]", 2)[0])
			key := map[string]string{"tracks": "tracks", "modes": "modes", "custom_fields": "custom_fields"}[list]
			if key == "" {
				key = "form"
			}
			v.Fields[key] += t.F("admin.line_error", n+1, field, reason) + " "
		}
		h.mechanismEditPage(w, r, http.StatusUnprocessableEntity, v, m, form)
	default:
		h.fail(w, r, err)
	}
}
