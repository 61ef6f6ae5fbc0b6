package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type batchFormData struct {
	Mechanisms []*domain.Mechanism // those the visitor may create a batch in
	Meetings   []meetingGroup      // their meetings, by mechanism
	Batch      domain.Batch
	Year       string
	Declared   string
}

// batchMechanisms lists the mechanisms in which the visitor may create a
// batch, as the store's policy decides for a batch of each.
func (h *Handler) batchMechanisms(ctx context.Context, r *http.Request, rf *refs) []*domain.Mechanism {
	var out []*domain.Mechanism
	for _, m := range rf.mechList {
		if h.store.Batches.Allowed(ctx, actor(r), policy.Write, &domain.Batch{MechanismID: m.ID}) == nil {
			out = append(out, m)
		}
	}
	return out
}

type meetingGroup struct {
	Mechanism *domain.Mechanism
	Meetings  []*domain.Meeting
}

func (h *Handler) batchForm(r *http.Request, b domain.Batch) (*batchFormData, error) {
	if err := policy.Check(currentUser(r), policy.Write, "batches"); err != nil {
		return nil, err
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, err
	}
	d := &batchFormData{Mechanisms: h.batchMechanisms(r.Context(), r, rf), Batch: b}
	if len(d.Mechanisms) == 0 {
		return nil, domain.Errorf(domain.Forbidden, "you may create batches in no mechanism")
	}
	meetings, err := listAll(r.Context(), currentUser(r), h.store.Meetings, nil)
	if err != nil {
		return nil, err
	}
	for _, m := range d.Mechanisms {
		g := meetingGroup{Mechanism: m}
		for _, mt := range meetings {
			if mt.MechanismID == m.ID {
				g.Meetings = append(g.Meetings, mt)
			}
		}
		if len(g.Meetings) > 0 {
			d.Meetings = append(d.Meetings, g)
		}
	}
	if b.Year != 0 {
		d.Year = strconv.Itoa(b.Year)
	}
	if b.DeclaredCount != 0 {
		d.Declared = strconv.Itoa(b.DeclaredCount)
	}
	return d, nil
}

// batchNewForm answers GET /batches/new?mechanism=: a batch's name, year,
// the meeting that fixed it and how many items it declared.
func (h *Handler) batchNewForm(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	d, err := h.batchForm(r, domain.Batch{MechanismID: queryID(r, "mechanism")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("batch.new"), "home")
	v.Data = d
	h.render(w, r, http.StatusOK, "batch_new", v)
}

// batchCreate answers POST /batches/new, then goes to the batch's items,
// where its ledger can be imported.
func (h *Handler) batchCreate(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	b := domain.Batch{MechanismID: formID(r, "mechanism"), MeetingID: formID(r, "meeting"),
		Name: strings.TrimSpace(r.PostFormValue("name")), NameEN: strings.TrimSpace(r.PostFormValue("name_en")), Record: domain.Record{Source: "web"}}
	var p domain.Problems
	for _, f := range []struct {
		name string
		into *int
	}{{"year", &b.Year}, {"declared_count", &b.DeclaredCount}} {
		if s := strings.TrimSpace(r.PostFormValue(f.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(f.name, "must be a whole number")
			}
			*f.into = n
		}
	}
	err := p.Err()
	if err == nil {
		err = h.store.Batches.Create(r.Context(), actor(r), &b)
	}
	if err != nil {
		if code := domain.ErrorCode(err); code != domain.Invalid && code != domain.Conflict {
			h.fail(w, r, err)
			return
		}
		d, ferr := h.batchForm(r, b)
		if ferr != nil {
			h.fail(w, r, ferr)
			return
		}
		d.Year, d.Declared = r.PostFormValue("year"), r.PostFormValue("declared_count")
		v := h.newView(r, t.T("batch.new"), "home")
		v.Error, v.Fields, v.Data = t.T("form.fix"), fieldMessages(t, err), d
		h.render(w, r, http.StatusUnprocessableEntity, "batch_new", v)
		return
	}
	http.Redirect(w, r, "/items?batch="+strconv.FormatInt(b.ID, 10)+"&created=batch", http.StatusSeeOther)
}
