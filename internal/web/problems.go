package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type problemCard struct {
	Problem     *domain.Problem
	Item        string
	Responsible []string
	Overdue     bool
}

type tierColumn struct {
	Tier     domain.Tier
	Open     []problemCard
	Resolved []problemCard
}

type problemBoardData struct {
	Columns    []tierColumn
	Mechanisms []*domain.Mechanism
	Mechanism  int64
	// MayRaise offers "raise a problem" to whom may write problems.
	MayRaise bool
}

func (h *Handler) problemCard(t tr, rf *refs, p *domain.Problem, items map[int64]*domain.Item) problemCard {
	c := problemCard{Problem: p}
	if it, ok := items[p.ItemID]; ok {
		c.Item = it.Title
	}
	for _, u := range p.Responsible {
		c.Responsible = append(c.Responsible, rf.orgName(t, u.OrganizationID))
	}
	if p.Status == domain.ProblemOpen && !p.DueOn.IsZero() {
		c.Overdue = p.DueOn.Before(cycle.Today(rf.mechanisms[p.MechanismID], h.now()))
	}
	return c
}

func (h *Handler) itemsByID(r *http.Request) (map[int64]*domain.Item, error) {
	items, err := listAll(r.Context(), currentUser(r), h.store.Items, nil)
	if err != nil {
		return nil, err
	}
	out := map[int64]*domain.Item{}
	for _, it := range items {
		out[it.ID] = it
	}
	return out, nil
}

// problemBoard answers GET /problems: open problems by the tier that has
// to decide them, the resolved ones below.
func (h *Handler) problemBoard(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "problems"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	filters := map[string]string{}
	mech := queryID(r, "mechanism")
	if mech > 0 {
		filters["mechanism"] = strconv.FormatInt(mech, 10)
	}
	problems, err := listAll(r.Context(), currentUser(r), h.store.Problems, filters)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.itemsByID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := problemBoardData{Mechanisms: rf.mechList, Mechanism: mech, MayRaise: policy.Check(currentUser(r), policy.Write, "problems") == nil}
	for _, tier := range domain.Tiers {
		col := tierColumn{Tier: tier}
		for _, p := range problems {
			if p.Tier != tier {
				continue
			}
			if p.Status == domain.ProblemOpen {
				col.Open = append(col.Open, h.problemCard(t, rf, p, items))
			} else {
				col.Resolved = append(col.Resolved, h.problemCard(t, rf, p, items))
			}
		}
		d.Columns = append(d.Columns, col)
	}
	v := h.newView(r, t.T("problems.title"), "problems")
	v.Data = d
	h.render(w, r, http.StatusOK, "problems", v)
}

type problemFormData struct {
	Problem    domain.Problem
	DueOn      string
	Mechanisms []*domain.Mechanism
	Mechanism  *domain.Mechanism
	Items      []*domain.Item
	Sides      []sideUnits
	Tiers      []domain.Tier
}

func (h *Handler) problemForm(r *http.Request, p domain.Problem) (*problemFormData, error) {
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		return nil, err
	}
	d := &problemFormData{Problem: p, DueOn: p.DueOn.String(), Mechanisms: rf.mechList, Tiers: domain.Tiers}
	m := rf.mechanisms[p.MechanismID]
	if m == nil {
		return d, nil
	}
	d.Mechanism = m
	if d.Items, err = listAll(r.Context(), currentUser(r), h.store.Items, map[string]string{"mechanism": strconv.FormatInt(m.ID, 10)}); err != nil {
		return nil, err
	}
	for _, s := range m.Sides {
		su := sideUnits{Side: s, Units: rf.unitsOfSide(s), CoopOf: map[int64]bool{}}
		for _, u := range p.Responsible {
			if u.Side == s.Key {
				su.CoopOf[u.OrganizationID] = true
			}
		}
		d.Sides = append(d.Sides, su)
	}
	return d, nil
}

func (h *Handler) problemNewForm(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "problems"); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.problemForm(r, domain.Problem{MechanismID: queryID(r, "mechanism"), ItemID: queryID(r, "item"), Tier: domain.Execution})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, t.T("problem.raise"), "problems")
	v.Data = d
	h.render(w, r, http.StatusOK, "problem_new", v)
}

// responsibleFromForm reads the responsible units chosen per side.
func responsibleFromForm(r *http.Request, m *domain.Mechanism) []domain.ResponsibleUnit {
	out := []domain.ResponsibleUnit{}
	if m == nil {
		return out
	}
	for _, s := range m.Sides {
		for _, v := range r.PostForm["responsible-"+s.Key] {
			if id, _ := strconv.ParseInt(v, 10, 64); id > 0 {
				out = append(out, domain.ResponsibleUnit{Side: s.Key, OrganizationID: id})
			}
		}
	}
	return out
}

// problemRaise answers POST /problems/new.
func (h *Handler) problemRaise(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "problems"); err != nil {
		h.fail(w, r, err)
		return
	}
	p := domain.Problem{MechanismID: formID(r, "mechanism"), ItemID: formID(r, "item"),
		Title: strings.TrimSpace(r.PostFormValue("title")), Description: r.PostFormValue("description"),
		Tier: domain.Tier(r.PostFormValue("tier")), Status: domain.ProblemOpen, Escalations: []domain.Escalation{}}
	var perr domain.Problems
	if s := r.PostFormValue("due_on"); s != "" {
		if d, err := domain.ParseDate(s); err != nil {
			perr.Add("due_on", "must be a date of the form YYYY-MM-DD")
		} else {
			p.DueOn = d
		}
	}
	d, err := h.problemForm(r, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Responsible = responsibleFromForm(r, d.Mechanism)
	d.Problem = p
	ctx := occurredContext(r, &perr)
	if err = perr.Err(); err == nil {
		err = h.store.Problems.Create(ctx, actor(r), &p)
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.Invalid {
			h.fail(w, r, err)
			return
		}
		if d2, err2 := h.problemForm(r, p); err2 == nil {
			d = d2
		}
		v := h.newView(r, t.T("problem.raise"), "problems")
		v.Error, v.Fields, v.Data = t.T("form.fix"), fieldMessages(t, err), d
		h.render(w, r, http.StatusUnprocessableEntity, "problem_new", v)
		return
	}
	http.Redirect(w, r, "/problems/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

type problemPageData struct {
	Card     problemCard
	ItemID   int64
	NextTier domain.Tier
	Form     *problemFormData
	Note     string
	Text     string
	History  []historyRow
	Timeline []timelineRow
	Comments *commentsBlock
	// MayAct offers escalating, resolving and assigning: the store lets
	// the visitor change the problem.
	MayAct bool
}

// timelineRow is one step of a problem's way, as its page tells it: raised,
// escalated (from, to, note, the time limit set), answered by a responsible
// unit, resolved.
type timelineRow struct {
	Kind       string // raised, escalated, response, resolved
	At         time.Time
	Escalation domain.Escalation
	Response   commentRow
	Text       string
}

// when is the moment a step is placed at: the day it happened when the
// writer stated one, else when it was recorded.
func (tl timelineRow) when() time.Time {
	if tl.Kind == "escalated" && !tl.Escalation.OccurredOn.IsZero() {
		return tl.Escalation.OccurredOn.Time
	}
	return tl.At
}

// problemTimeline puts a problem's steps in the order they happened.
func problemTimeline(p *domain.Problem, comments *commentsBlock) []timelineRow {
	out := []timelineRow{{Kind: "raised", At: p.CreatedAt}}
	for _, e := range p.Escalations {
		out = append(out, timelineRow{Kind: "escalated", At: e.At, Escalation: e})
	}
	for _, c := range comments.Rows {
		if c.Comment.Kind == domain.CommentResponse {
			out = append(out, timelineRow{Kind: "response", At: c.Comment.CreatedAt, Response: c})
		}
	}
	if p.Status == domain.ProblemResolved && p.ResolvedAt != nil {
		out = append(out, timelineRow{Kind: "resolved", At: *p.ResolvedAt, Text: p.Resolution})
	}
	slices.SortStableFunc(out[1:], func(a, b timelineRow) int { return a.when().Compare(b.when()) })
	return out
}

func (h *Handler) problemPage(w http.ResponseWriter, r *http.Request, status int, p *domain.Problem, v *view) {
	t := h.tr(state(r).locale)
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.itemsByID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form, err := h.problemForm(r, *p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if v == nil {
		v = h.newView(r, p.Title, "problems")
	}
	v.Title = p.Title
	d := problemPageData{Card: h.problemCard(t, rf, p, items), ItemID: p.ItemID, NextTier: p.Tier.Above(), Form: form,
		Note: r.PostFormValue("note"), Text: r.PostFormValue("resolution"),
		MayAct: h.store.Problems.Allowed(r.Context(), actor(r), policy.Write, p) == nil}
	if d.History, err = h.history(r.Context(), t, "problems", p.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Comments, err = h.comments(r, t, rf, "problems", p.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Timeline = problemTimeline(p, d.Comments)
	v.Data = d
	h.render(w, r, status, "problem", v)
}

func (h *Handler) loadProblem(w http.ResponseWriter, r *http.Request, action policy.Action) *domain.Problem {
	if err := policy.Check(currentUser(r), action, "problems"); err != nil {
		h.fail(w, r, err)
		return nil
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return nil
	}
	p, err := h.store.Problems.GetAs(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return nil
	}
	return p
}

func (h *Handler) problemShow(w http.ResponseWriter, r *http.Request) {
	if p := h.loadProblem(w, r, policy.Read); p != nil {
		h.problemPage(w, r, http.StatusOK, p, nil)
	}
}

// problemUpdate stores a changed problem based on the version the form
// showed; a refusal re-renders the page with the message.
func (h *Handler) problemUpdate(w http.ResponseWriter, r *http.Request, p *domain.Problem) {
	if v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64); err == nil {
		p.Version = v
	}
	var bad domain.Problems
	ctx := occurredContext(r, &bad)
	err := bad.Err()
	if err == nil {
		err = h.store.Problems.Update(ctx, actor(r), p)
	}
	h.problemStored(w, r, p.ID, err)
}

// problemStored answers a change to problem id that err tells the outcome
// of: back to its page, or the page again with the refusal's message.
func (h *Handler) problemStored(w http.ResponseWriter, r *http.Request, id int64, err error) {
	t := h.tr(state(r).locale)
	switch domain.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/problems/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	case domain.Invalid, domain.Conflict:
		stored, gerr := h.store.Problems.Get(r.Context(), id)
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
		v := h.newView(r, stored.Title, "problems")
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, err)
		if domain.ErrorCode(err) == domain.Conflict {
			v.Error = t.T("error.conflict")
		}
		h.problemPage(w, r, http.StatusUnprocessableEntity, stored, v)
	default:
		h.fail(w, r, err)
	}
}

// problemEscalate answers POST /problems/{id}/escalate through the store's
// one escalation: the step is kept in the problem's history, its due date
// follows the new tier's time limit, and it goes onto the agenda of the next
// meeting at that tier.
func (h *Handler) problemEscalate(w http.ResponseWriter, r *http.Request) {
	p := h.loadProblem(w, r, policy.Write)
	if p == nil {
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	var bad domain.Problems
	ctx := occurredContext(r, &bad)
	err := bad.Err()
	if err == nil {
		_, err = h.store.Escalate(ctx, actor(r), p.ID, version, strings.TrimSpace(r.PostFormValue("note")))
	}
	h.problemStored(w, r, p.ID, err)
}

// problemResolve answers POST /problems/{id}/resolve; the resolution text
// is required (the domain refuses a resolution without one).
func (h *Handler) problemResolve(w http.ResponseWriter, r *http.Request) {
	p := h.loadProblem(w, r, policy.Write)
	if p == nil {
		return
	}
	// The store stamps resolved_at: now, or the day the form says it happened.
	p.Status, p.Resolution, p.ResolvedAt = domain.ProblemResolved, strings.TrimSpace(r.PostFormValue("resolution")), nil
	h.problemUpdate(w, r, p)
}

// problemAssign answers POST /problems/{id}/responsible: the units
// responsible on each side.
func (h *Handler) problemAssign(w http.ResponseWriter, r *http.Request) {
	p := h.loadProblem(w, r, policy.Write)
	if p == nil {
		return
	}
	m, err := h.store.Mechanisms.Get(r.Context(), p.MechanismID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Responsible = responsibleFromForm(r, m)
	h.problemUpdate(w, r, p)
}
