package web

import (
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
)

// formRefusal is what a page shows above a form the store refused: the
// status, the message and the reasons by field.
type formRefusal struct {
	Status int
	Error  string
	Fields map[string]string
}

// refusedForm turns a refused save into what the same page shows again:
// invalid input with the reasons by field, a stale version, or the rule
// that refused the user (a viewer posting a form it was never shown). Any
// other error gets its error page, and ok is false.
func (h *Handler) refusedForm(w http.ResponseWriter, r *http.Request, err error) (formRefusal, bool) {
	t := h.tr(state(r).locale)
	switch domain.ErrorCode(err) {
	case domain.Invalid:
		return formRefusal{http.StatusUnprocessableEntity, t.T("form.fix"), fieldMessages(t, err)}, true
	case domain.Conflict:
		if _, stale := fieldMessages(t, err)["version"]; stale {
			return formRefusal{http.StatusConflict, t.T("error.conflict"), nil}, true
		}
		return formRefusal{http.StatusConflict, t.T("form.fix"), fieldMessages(t, err)}, true
	case domain.Forbidden:
		msg := t.T("error.forbidden")
		if detail := message.Of(t.locale, err).Message; detail != "" {
			msg = t.F("error.detail", msg, detail)
		}
		return formRefusal{http.StatusForbidden, msg, nil}, true
	}
	h.fail(w, r, err)
	return formRefusal{}, false
}

// apply puts the refusal on the view.
func (f formRefusal) apply(v *view) {
	v.Error, v.Fields = f.Error, f.Fields
}

// parseFormDate reads an optional date field typed as YYYY-MM-DD, noting
// a malformed one on p.
func parseFormDate(r *http.Request, name string, p *domain.Problems) domain.Date {
	s := r.PostFormValue(name)
	if s == "" {
		return domain.Date{}
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		p.Add(name, "must be a date of the form YYYY-MM-DD")
	}
	return d
}

// mechanismsFor lists the mechanisms in which allowed (the store's policy
// for a new record of that mechanism) lets the user create a record: the
// choices of a create form, which is shown only when there is one.
func (h *Handler) mechanismsFor(r *http.Request, allowed func(mechanism int64) error) []*domain.Mechanism {
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil
	}
	var out []*domain.Mechanism
	for _, m := range rf.mechList {
		if allowed(m.ID) == nil {
			out = append(out, m)
		}
	}
	return out
}

// messageOfDone says what the last form did, from the redirect's done=.
func messageOfDone(t tr, done string) string {
	switch done {
	case "saved":
		return t.T("upkeep.done_saved")
	case "added":
		return t.T("upkeep.done_added")
	case "removed":
		return t.T("upkeep.done_removed")
	case "created":
		return t.T("upkeep.done_created")
	case "archived":
		return t.T("upkeep.done_archived")
	case "restored":
		return t.T("upkeep.done_restored")
	}
	return ""
}
