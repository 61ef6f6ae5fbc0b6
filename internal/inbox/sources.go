package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// reportLink is the report form of unit, opened at item's entry: the page
// where the unit's report of the current period is written, handed in,
// corrected or reviewed.
func reportLink(unit, item int64) string {
	return fmt.Sprintf("/report?unit=%d#entry-%d", unit, item)
}

func itemLink(item int64) string { return fmt.Sprintf("/items/%d", item) }

func problemLink(problem int64) string { return fmt.Sprintf("/problems/%d", problem) }

// reportsOwed lists, for each mechanism where the user acts for units, the
// reports those units owe in the current period and have not handed in
// (cycle.Status: the rule the dashboard, the API and the reminders count
// by), and the reports returned (退回) to them, of any period, until they
// are corrected.
func reportsOwed(ctx context.Context, r *Reader) ([]Entry, error) {
	var out []Entry
	for _, m := range r.Mechanisms {
		if len(r.Principal.UnitsIn(m.ID)) == 0 {
			continue
		}
		period := cycle.Current(m, r.Now)
		st, err := cycle.Status(ctx, r.Store, r.User, m, period, cycle.Today(m, r.Now))
		if err != nil {
			return nil, err
		}
		var created map[int64]time.Time // when each item owing a report was recorded
		for _, e := range st.Expectations {
			if e.State == cycle.In || e.Review == domain.Returned || !r.actsFor(m.ID, e.OrganizationID) {
				continue // handed in; or returned, listed below
			}
			if created == nil {
				if created, err = itemsCreated(ctx, r, m.ID); err != nil {
					return nil, err
				}
			}
			// Due since the period began, or since the item was recorded
			// when that was later: a new item's report is new to the unit.
			arose := dayStart(m, period.Start)
			if c := created[e.ItemID]; c.After(arose) {
				arose = c
			}
			out = append(out, Entry{
				Key:  fmt.Sprintf("%s/%s/item-%d/org-%d", ReportDue, period.Key, e.ItemID, e.OrganizationID),
				Kind: ReportDue, Title: e.ItemTitle, Link: reportLink(e.OrganizationID, e.ItemID),
				MechanismID: m.ID, UnitID: e.OrganizationID, Period: period.Key, Due: st.Due, Arose: arose,
			})
		}
		returned, err := store.AllAs(ctx, r.Store.Reports, domain.ListQuery{Viewer: r.User,
			Filters: map[string]string{"mechanism": id(m.ID), "status": string(domain.Returned)}})
		if err != nil {
			return nil, err
		}
		for _, rep := range returned {
			if !r.actsFor(m.ID, rep.OrganizationID) {
				continue
			}
			it, err := r.Store.Items.GetAs(ctx, r.Actor, rep.ItemID)
			if domain.ErrorCode(err) == domain.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			e := Entry{
				Key:  fmt.Sprintf("%s/report-%d/v%d", ReportReturned, rep.ID, rep.Version),
				Kind: ReportReturned, Title: it.Title, Link: itemLink(it.ID),
				MechanismID: m.ID, UnitID: rep.OrganizationID, Period: rep.Period, Arose: rep.UpdatedAt, Note: rep.ReviewNote,
			}
			if rep.Period == period.Key {
				e.Link, e.Due = reportLink(rep.OrganizationID, it.ID), st.Due
			}
			if rep.ReviewedAt != nil {
				e.Arose = *rep.ReviewedAt
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// itemsCreated returns when each item of mechanism the user reads was
// recorded.
func itemsCreated(ctx context.Context, r *Reader, mechanism int64) (map[int64]time.Time, error) {
	items, err := store.AllAs(ctx, r.Store.Items, domain.ListQuery{Viewer: r.User, Filters: map[string]string{"mechanism": id(mechanism)}})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]time.Time, len(items))
	for _, it := range items {
		out[it.ID] = it.CreatedAt
	}
	return out, nil
}

// confirmations lists the changes to items that wait for a side the user
// acts for, by the two-side rule (store.MayConfirm): the item's page is
// where they are confirmed or rejected.
func confirmations(ctx context.Context, r *Reader) ([]Entry, error) {
	var out []Entry
	for _, m := range r.Mechanisms {
		ids, err := r.Store.ItemsAwaitingConfirmation(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		for _, itemID := range ids {
			it, err := r.Store.Items.GetAs(ctx, r.Actor, itemID)
			if domain.ErrorCode(err) == domain.NotFound {
				continue // not the user's to read, so not theirs to confirm
			}
			if err != nil {
				return nil, err
			}
			for _, ch := range it.Pending {
				if !r.Store.MayConfirm(ctx, r.Actor, it, ch) {
					continue
				}
				out = append(out, Entry{
					Key:  fmt.Sprintf("%s/change-%d", Confirmation, ch.ID),
					Kind: Confirmation, Title: it.Title, Link: itemLink(it.ID),
					MechanismID: m.ID, Arose: ch.ProposedAt, Note: strings.Join(ch.Fields, ", "),
				})
			}
		}
	}
	return out, nil
}

// problemsAssigned lists the open problems the user's units are
// responsible for. A problem arises anew when it changes (assigned to
// another unit, escalated).
func problemsAssigned(ctx context.Context, r *Reader) ([]Entry, error) {
	if !r.liaison() {
		return nil, nil
	}
	ps, err := store.AllAs(ctx, r.Store.Problems, domain.ListQuery{Viewer: r.User,
		Filters: map[string]string{"status": string(domain.ProblemOpen)}})
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, p := range ps {
		var units []int64
		for _, u := range p.Responsible {
			units = append(units, u.OrganizationID)
		}
		unit, ok := r.mine(p.MechanismID, units)
		if !ok {
			continue
		}
		out = append(out, Entry{
			Key:  fmt.Sprintf("%s/problem-%d", ProblemAssigned, p.ID),
			Kind: ProblemAssigned, Title: p.Title, Link: problemLink(p.ID),
			MechanismID: p.MechanismID, UnitID: unit, Due: p.DueOn, Arose: p.UpdatedAt,
		})
	}
	return out, nil
}

// tasksLed lists the open tasks the user's units lead, each on the tasks
// page filtered to its lead unit and year.
func tasksLed(ctx context.Context, r *Reader) ([]Entry, error) {
	if !r.liaison() {
		return nil, nil
	}
	ts, err := store.AllAs(ctx, r.Store.Tasks, domain.ListQuery{Viewer: r.User})
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, t := range ts {
		if t.Status == domain.TaskDone || !r.actsFor(t.MechanismID, t.LeadID) {
			continue
		}
		out = append(out, Entry{
			Key:  fmt.Sprintf("%s/task-%d", TaskLed, t.ID),
			Kind: TaskLed, Title: t.Content, Link: fmt.Sprintf("/tasks/%d", t.ID),
			MechanismID: t.MechanismID, UnitID: t.LeadID, Due: t.DueOn, Arose: t.CreatedAt,
		})
	}
	return out, nil
}

// redItems lists the items the user's units take part in whose light is
// red, with the light's reason.
func redItems(ctx context.Context, r *Reader) ([]Entry, error) {
	if !r.liaison() {
		return nil, nil
	}
	items, err := store.AllAs(ctx, r.Store.Items, domain.ListQuery{Viewer: r.User,
		Filters: map[string]string{"light": string(domain.Red)}})
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, it := range items {
		var units []int64
		for _, pt := range it.Parties {
			units = append(units, pt.OrganizationID)
		}
		unit, ok := r.mine(it.MechanismID, units)
		if !ok {
			continue
		}
		out = append(out, Entry{
			Key:  fmt.Sprintf("%s/item-%d", RedItem, it.ID),
			Kind: RedItem, Title: it.Title, Link: itemLink(it.ID),
			MechanismID: it.MechanismID, UnitID: unit, Arose: it.UpdatedAt, Note: it.LightReason,
		})
	}
	return out, nil
}

// reviews lists, for the secretariat, the submitted reports of its
// mechanisms it may accept or return (store.MayReview).
func reviews(ctx context.Context, r *Reader) ([]Entry, error) {
	var out []Entry
	for _, mid := range r.Principal.Secretariat {
		m := r.mechanism(mid)
		if m == nil {
			continue
		}
		current := cycle.Current(m, r.Now)
		reps, err := store.AllAs(ctx, r.Store.Reports, domain.ListQuery{Viewer: r.User,
			Filters: map[string]string{"mechanism": id(m.ID), "status": string(domain.Submitted)}})
		if err != nil {
			return nil, err
		}
		for _, rep := range reps {
			if r.Store.MayReview(ctx, r.Actor, rep) != nil {
				continue
			}
			it, err := r.Store.Items.GetAs(ctx, r.Actor, rep.ItemID)
			if domain.ErrorCode(err) == domain.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			e := Entry{
				Key:  fmt.Sprintf("%s/report-%d", Review, rep.ID),
				Kind: Review, Title: it.Title, Link: itemLink(it.ID),
				MechanismID: m.ID, UnitID: rep.OrganizationID, Period: rep.Period, Arose: rep.UpdatedAt,
			}
			if rep.Period == current.Key {
				e.Link = reportLink(rep.OrganizationID, it.ID)
			}
			if rep.SubmittedAt != nil {
				e.Arose = *rep.SubmittedAt
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// overdue lists, for the secretariat, its mechanisms' open problems past
// their tier's time limit (cycle.Overdue). Each arose the day after its
// time limit.
func overdue(ctx context.Context, r *Reader) ([]Entry, error) {
	var out []Entry
	for _, mid := range r.Principal.Secretariat {
		m := r.mechanism(mid)
		if m == nil {
			continue
		}
		late, err := cycle.Overdue(ctx, r.Store, m.ID, r.Now)
		if err != nil {
			return nil, err
		}
		for _, o := range late {
			p := o.Problem
			out = append(out, Entry{
				Key:  fmt.Sprintf("%s/problem-%d/%s", Overdue, p.ID, p.Tier),
				Kind: Overdue, Title: p.Title, Link: problemLink(p.ID),
				MechanismID: m.ID, Due: p.DueOn, Arose: dayStart(m, domain.Date{Time: p.DueOn.AddDate(0, 0, 1)}),
			})
		}
	}
	return out, nil
}

// decisions lists, for a leader of a mechanism (a leader's grant over it,
// or over everything, that the policy lets oversee it), what needs a
// decision: its open problems at the decision tier and its red items.
func decisions(ctx context.Context, r *Reader) ([]Entry, error) {
	var out []Entry
	for _, m := range r.Mechanisms {
		if !leads(r.User, m.ID) || policy.Oversee(r.Principal, m.ID, policy.Read) != nil {
			continue
		}
		ps, items, err := cycle.AwaitingDecision(ctx, r.Store, r.User, m.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, Entry{
				Key:  fmt.Sprintf("%s/problem-%d", DecisionProblem, p.ID),
				Kind: DecisionProblem, Title: p.Title, Link: problemLink(p.ID),
				MechanismID: m.ID, Due: p.DueOn, Arose: p.UpdatedAt,
			})
		}
		for _, it := range items {
			out = append(out, Entry{
				Key:  fmt.Sprintf("%s/item-%d", DecisionItem, it.ID),
				Kind: DecisionItem, Title: it.Title, Link: itemLink(it.ID),
				MechanismID: m.ID, Arose: it.UpdatedAt, Note: it.LightReason,
			})
		}
	}
	return out, nil
}

// leads reports whether u holds a leader's grant over mechanism: on it, or
// on everything.
func leads(u *domain.User, mechanism int64) bool {
	return slices.ContainsFunc(u.Grants, func(g domain.Grant) bool {
		return g.Role == domain.Leader && (g.ScopeKind == domain.SystemScope || (g.ScopeKind == domain.MechanismScope && g.ScopeID == mechanism))
	})
}

// mentionWindow is how far back a mention stays in the inbox: a comment
// naming the unit is something to read and answer, not a task that ends.
const mentionWindow = 30 * 24 * time.Hour

// mentions lists the comments of the last 30 days that name a unit the
// user acts for (@单位名), on records the user may read, other than the
// user's own.
func mentions(ctx context.Context, r *Reader) ([]Entry, error) {
	units := r.Principal.ActsForAnywhere()
	if len(units) == 0 {
		return nil, nil
	}
	cs, err := r.Store.MentionsOf(ctx, units, r.Now.Add(-mentionWindow))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, c := range cs {
		if c.AuthorID == r.User.ID {
			continue
		}
		mech, title, ok := r.commentedRecord(ctx, c)
		if !ok {
			continue
		}
		unit, ok := r.mine(mech, c.Mentions)
		if !ok {
			continue
		}
		out = append(out, Entry{
			Key:  fmt.Sprintf("%s/comment-%d", Mention, c.ID),
			Kind: Mention, Title: title, Link: fmt.Sprintf("/%s/%d#comment-%d", c.Entity, c.RecordID, c.ID),
			MechanismID: mech, UnitID: unit, Arose: c.CreatedAt,
			Note: c.AuthorName + "：" + excerpt(c.Body, 80),
		})
	}
	return out, nil
}

// commentedRecord reads the record a comment is on as the user, through
// the record's own policy: its mechanism and title, or false when the user
// may not read it.
func (r *Reader) commentedRecord(ctx context.Context, c domain.Comment) (int64, string, bool) {
	switch c.Entity {
	case "items":
		if it, err := r.Store.Items.GetAs(ctx, r.Actor, c.RecordID); err == nil {
			return it.MechanismID, it.Title, true
		}
	case "problems":
		if p, err := r.Store.Problems.GetAs(ctx, r.Actor, c.RecordID); err == nil {
			return p.MechanismID, p.Title, true
		}
	case "tasks":
		if t, err := r.Store.Tasks.GetAs(ctx, r.Actor, c.RecordID); err == nil {
			return t.MechanismID, t.Content, true
		}
	}
	return 0, "", false
}

// excerpt is the first n characters of s, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}
