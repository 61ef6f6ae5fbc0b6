package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

type sideView struct {
	Name   string
	LeadID int64
	// MayReport: the viewer may report for the side's lead on the item.
	MayReport bool
	Units     []partyView // the side's units in the source's order
	Reports   []reportView
}

// partyView is a unit of an item as its page lists it, lead or not.
type partyView struct {
	Name string
	Lead bool
}

// quarterView is one quarter of an item's schedule on its page.
type quarterView struct {
	Quarter int
	Text    string
	Current bool // the quarter today falls in, in the item's schedule year
}

type reportView struct {
	Report *domain.Report
	Unit   string
}

type itemPageData struct {
	Item       *domain.Item
	Mechanism  *domain.Mechanism
	Batch      string
	Track      string
	Mode       string
	Sides      []sideView
	Milestones []milestoneRow
	Problems   []*domain.Problem
	Tasks      []*domain.Task
	Meetings   []*domain.Meeting
	History    []historyRow
	Pending    []pendingView
	Schedule   []quarterView // empty when no quarter has a text
	Year       int           // the year the schedule is for
	// MayDerive offers to derive milestones from the schedule: the viewer
	// may edit the item and some quarter is not derived yet.
	MayDerive bool
	// MayRaise offers to raise a problem on the item (store.MayRaiseProblemOn).
	MayRaise bool
	// MayEdit links the edit page: the store would let the viewer
	// change the item.
	MayEdit  bool
	Comments *commentsBlock
	// Crossing says which installation keeps the item when its mechanism
	// is shared with another, and whether the peers have its latest
	// change; SharedWith names those peers, for reading.
	Crossing   store.Crossing
	SharedWith string
	// Proposal is the latest change proposed from here to the keeper of
	// a replica, with what became of it.
	Proposal *store.Proposal
}

// pendingView is a two-side change as the item page shows it: what it
// would set, which sides confirmed, and whom it waits for.
type pendingView struct {
	Change     domain.ItemChange
	Confirmed  []string
	Waiting    string // "等待重庆方确认"
	MayConfirm bool   // the viewer acts for a side still awaited
	// SentTo names the keeper this installation's decision on the change
	// is on its way to: none other is offered meanwhile.
	SentTo string
}

// waitingFor says whom a held change waits for, naming the sides as the
// mechanisms name them: "等待重庆方确认", "waiting for Chongqing to confirm".
func waitingFor(t tr, mechanisms []*domain.Mechanism, sides []string) string {
	name := func(key string) string {
		for _, m := range mechanisms {
			for _, sd := range m.Sides {
				if sd.Key == key {
					return t.Name(sd.Name, sd.NameEN)
				}
			}
		}
		return key
	}
	names := make([]string, len(sides))
	for i, k := range sides {
		names[i] = name(k)
	}
	return t.F("change.waiting", strings.Join(names, t.T("list.sep")))
}

// awaitedSides lists, once each, the sides the changes wait for.
func awaitedSides(changes []domain.ItemChange) []string {
	var out []string
	for _, ch := range changes {
		for _, s := range ch.Awaiting {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// itemShow answers GET /items/{id}: the parties side by side, the
// milestones, each side's reports, its problems, tasks, meetings and the
// change history.
func (h *Handler) itemShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it, err := h.store.Items.GetAs(ctx, actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m := rf.mechanisms[it.MechanismID]
	if m == nil {
		h.fail(w, r, domain.Errorf(domain.NotFound, "mechanism %d not found", it.MechanismID))
		return
	}
	d := itemPageData{Item: it, Mechanism: m}
	if b, ok := rf.batches[it.BatchID]; ok {
		d.Batch = t.Name(b.Name, b.NameEN)
	}
	for _, term := range m.Tracks {
		if term.Key == it.Track {
			d.Track = t.Name(term.Name, term.NameEN)
		}
	}
	for _, term := range m.Modes {
		if term.Key == it.Mode {
			d.Mode = t.Name(term.Name, term.NameEN)
		}
	}
	reports, err := listAll(ctx, currentUser(r), h.store.Reports, map[string]string{"item": strconv.FormatInt(it.ID, 10)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Newest period first within each side.
	slices.SortFunc(reports, func(a, b *domain.Report) int {
		if a.Period != b.Period {
			if a.Period > b.Period {
				return -1
			}
			return 1
		}
		return int(b.ID - a.ID)
	})
	for _, s := range m.Sides {
		sv := sideView{Name: t.Name(s.Name, s.NameEN)}
		// The source's order within the side, the lead marked where the
		// source puts it: nothing is re-sorted.
		for _, pt := range it.Parties {
			if pt.Side != s.Key {
				continue
			}
			lead := pt.Role == domain.LeadUnit
			if lead {
				sv.LeadID = pt.OrganizationID
				// The form is offered only to whom it works for: a report
				// the viewer may write for this unit on this item.
				sv.MayReport = h.store.Reports.Allowed(ctx, actor(r), policy.Write, &domain.Report{ItemID: it.ID, OrganizationID: pt.OrganizationID}) == nil
			}
			sv.Units = append(sv.Units, partyView{Name: rf.orgName(t, pt.OrganizationID), Lead: lead})
		}
		for _, rep := range reports {
			if rf.sideOfOrg(m, rep.OrganizationID) == s.Key || partySide(it, rep.OrganizationID) == s.Key {
				sv.Reports = append(sv.Reports, reportView{Report: rep, Unit: rf.orgName(t, rep.OrganizationID)})
			}
		}
		d.Sides = append(d.Sides, sv)
	}
	d.MayEdit = h.store.Items.Allowed(ctx, actor(r), policy.Write, it) == nil
	day := cycle.Today(m, h.now())
	d.Year = it.ScheduleYear(day)
	if it.Schedule != (domain.Schedule{}) {
		for i, text := range it.Schedule.Quarters() {
			d.Schedule = append(d.Schedule, quarterView{Quarter: i + 1, Text: text, Current: d.Year == day.Year() && domain.QuarterOf(day) == i+1})
		}
		d.MayDerive = len(it.DeriveMilestones(day)) > 0 && d.MayEdit
	}
	d.MayRaise = h.store.MayRaiseProblemOn(ctx, actor(r), it) == nil
	if d.Crossing, err = h.store.Crossing(ctx, "items", it.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	var peers []string
	for _, p := range d.Crossing.Peers {
		peers = append(peers, p.Peer)
	}
	d.SharedWith = strings.Join(peers, t.T("list.sep"))
	if d.Crossing.Shared() && !d.Crossing.KeptHere {
		proposals, err := h.store.Proposals(ctx, "items", it.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if len(proposals) > 0 {
			d.Proposal = &proposals[0]
		}
	}
	for _, ms := range it.Milestones {
		d.Milestones = append(d.Milestones, milestoneRow{Item: it, Milestone: ms, Overdue: ms.DoneOn.IsZero() && ms.DueOn.Before(day)})
	}
	if d.Problems, err = listAll(ctx, currentUser(r), h.store.Problems, map[string]string{"item": strconv.FormatInt(it.ID, 10)}); err != nil {
		h.fail(w, r, err)
		return
	}
	if it.DecisionID != 0 {
		if d.Tasks, err = listAll(ctx, currentUser(r), h.store.Tasks, map[string]string{"decision": strconv.FormatInt(it.DecisionID, 10)}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	meetings, err := listAll(ctx, currentUser(r), h.store.Meetings, map[string]string{"mechanism": strconv.FormatInt(m.ID, 10)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, mt := range meetings {
		for _, a := range mt.Agenda {
			if a.Kind == domain.AgendaItemKind && a.ItemID == it.ID {
				d.Meetings = append(d.Meetings, mt)
				break
			}
		}
	}
	if d.History, err = h.history(ctx, t, "items", it.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Comments, err = h.comments(r, t, rf, "items", it.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	sideName := map[string]string{}
	for _, sd := range m.Sides {
		sideName[sd.Key] = t.Name(sd.Name, sd.NameEN)
	}
	names := func(keys []string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = sideName[k]
		}
		return out
	}
	for _, ch := range it.Pending {
		sent, err := h.store.DecisionSent(ctx, ch.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Pending = append(d.Pending, pendingView{Change: ch, Confirmed: names(ch.Confirmed), Waiting: waitingFor(t, []*domain.Mechanism{m}, ch.Awaiting),
			MayConfirm: sent == "" && h.store.MayConfirm(ctx, actor(r), it, ch), SentTo: sent})
	}
	v := h.newView(r, it.Title, "items")
	switch r.URL.Query().Get("change") {
	case "confirmed":
		v.Message = t.T("change.confirmed")
	case "applied":
		v.Message = t.T("change.applied")
	case "rejected":
		v.Message = t.T("change.rejected")
	case "sent":
		v.Message = t.T("federation.decision_flash")
	case "stale":
		v.Error = t.T("change.stale")
	case "derived":
		v.Message = t.T("schedule.derived")
	case "saved":
		v.Message = t.T("item_edit.saved")
	case "derive_stale":
		v.Error = t.T("schedule.stale")
	case "held":
		switch {
		case len(it.Pending) > 0:
			v.Message = t.F("change.held", waitingFor(t, []*domain.Mechanism{m}, awaitedSides(it.Pending)))
		case d.Proposal != nil && d.Proposal.State == store.ProposalSent:
			v.Message = t.F("federation.proposal_sent", d.Proposal.Keeper)
		}
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "item", v)
}

// itemChangeDecide answers POST /items/{id}/changes/{change}/confirm and
// /reject: the lead unit of a side agrees to, or turns down, a change that
// needs both sides. The store decides who may.
func (h *Handler) itemChangeDecide(confirm bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		change, err := strconv.ParseInt(r.PathValue("change"), 10, 64)
		if err != nil {
			h.fail(w, r, domain.Errorf(domain.NotFound, "no such change"))
			return
		}
		decide, outcome := h.store.ConfirmItemChange, "confirmed"
		if !confirm {
			decide, outcome = h.store.RejectItemChange, "rejected"
		}
		it, err := decide(r.Context(), actor(r), id, change)
		if confirm && err == nil && !slices.ContainsFunc(it.Pending, func(ch domain.ItemChange) bool { return ch.ID == change }) {
			outcome = "applied" // the last side awaited confirmed it
		}
		if err == nil {
			// On a replica the decision went to the item's keeper.
			if keeper, serr := h.store.DecisionSent(r.Context(), change); serr == nil && keeper != "" {
				outcome = "sent"
			}
		}
		switch {
		case confirm && domain.ErrorCode(err) == domain.Conflict && len(domain.ErrorFields(err)) > 0:
			outcome = "stale" // refused and marked so: the item changed since it was proposed
		case err != nil:
			h.fail(w, r, err)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/items/%d?change=%s", id, outcome), http.StatusSeeOther)
	}
}

// partySide returns the side on which a unit takes part in the item.
func partySide(it *domain.Item, orgID int64) string {
	for _, pt := range it.Parties {
		if pt.OrganizationID == orgID {
			return pt.Side
		}
	}
	return ""
}
