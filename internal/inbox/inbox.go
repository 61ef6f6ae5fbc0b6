// Package inbox holds what is due from a user and the units they act for
// (我的待办): one statement, read by the inbox page, the home page, the
// menu's count, the API and the reminders' link, so none of them decides
// by a rule of its own.
//
// Each kind of entry comes from the rule that already decides it, never a
// copy: what a unit owes in a period is the cycle's (cycle.Status), who
// acts for which units is the policy's (policy.Principal.UnitsIn), who
// confirms a change is the two-side rule's (store.MayConfirm), who reviews
// a report is store.MayReview, which problems are overdue is
// cycle.Overdue, who oversees a mechanism is policy.Oversee. Every record
// is read through the store as the user may read it.
package inbox

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// Path is where the inbox page is served; reminders link to it.
const Path = "/inbox"

// Kind is what an entry asks of the user.
type Kind string

// The kinds, in the order the inbox shows them.
const (
	// ReportDue is a report a unit the user acts for owes in the current
	// period and has not handed in.
	ReportDue Kind = "report_due"
	// ReportReturned is a report the secretariat returned (退回) to the
	// unit, to be corrected and handed in again.
	ReportReturned Kind = "report_returned"
	// Confirmation is a change to an item waiting for the confirmation of
	// a side the user acts for.
	Confirmation Kind = "confirmation"
	// ProblemAssigned is an open problem the user's units are responsible for.
	ProblemAssigned Kind = "problem"
	// TaskLed is an open task the user's units lead.
	TaskLed Kind = "task"
	// RedItem is an item the user's units take part in whose light is red.
	RedItem Kind = "red_item"
	// Review is a submitted report awaiting the secretariat's review.
	Review Kind = "review"
	// Overdue is an open problem of the secretariat's mechanism past its
	// tier's time limit.
	Overdue Kind = "problem_overdue"
	// DecisionProblem is an open problem at the decision tier, for a
	// leader of its mechanism to decide.
	DecisionProblem Kind = "decision_problem"
	// DecisionItem is a red item of a mechanism, for its leader.
	DecisionItem Kind = "decision_item"
	// Mention is a recent comment naming one of the user's units (@unit).
	Mention Kind = "mention"
)

// Kinds lists every kind in the order the inbox groups them.
var Kinds = []Kind{ReportDue, ReportReturned, Confirmation, Mention, ProblemAssigned, TaskLed, RedItem,
	Review, Overdue, DecisionProblem, DecisionItem}

// Entry is one thing due from the user, with the page where it is done.
type Entry struct {
	// Key names the entry uniquely and stably: the same thing due has the
	// same key on every surface and every reading.
	Key         string `json:"key"`
	Kind        Kind   `json:"kind"`
	Title       string `json:"title"`
	Link        string `json:"link"` // the page where it is done, one tap away
	MechanismID int64  `json:"mechanism_id"`
	// UnitID is the unit the entry is due from, when one is.
	UnitID int64  `json:"unit_id,omitempty"`
	Period string `json:"period,omitempty"` // a report's period
	// Due is the last day it is on time, where there is one; Late says
	// that day has passed (in the mechanism's time zone).
	Due  domain.Date `json:"due_on"`
	Late bool        `json:"late,omitempty"`
	// Arose is when it came to be due from the user: the menu counts the
	// entries that arose since the user last opened the inbox.
	Arose time.Time `json:"arose_at"`
	// Note says more: a returned report's reason, a light's reason, a
	// change's fields.
	Note string `json:"note,omitempty"`
}

// Group is the entries of one kind.
type Group struct {
	Kind    Kind    `json:"kind"`
	Entries []Entry `json:"entries"`
}

// Inbox is everything due from a user, grouped by kind.
type Inbox struct {
	Groups []Group `json:"groups"`
	Total  int     `json:"total"`
}

// Entries returns every entry, group after group.
func (in Inbox) Entries() []Entry {
	var out []Entry
	for _, g := range in.Groups {
		out = append(out, g.Entries...)
	}
	return out
}

// First returns the first n entries, group after group: the home page's
// block.
func (in Inbox) First(n int) []Entry {
	all := in.Entries()
	return all[:min(n, len(all))]
}

// Since counts the entries that arose after t: those the user has not seen
// in the inbox yet (all of them when t is zero).
func (in Inbox) Since(t time.Time) int {
	n := 0
	for _, g := range in.Groups {
		for _, e := range g.Entries {
			if e.Arose.After(t) {
				n++
			}
		}
	}
	return n
}

// Reader is what a source reads: the store, the user with their grants as
// the policy resolves them, every mechanism, and the time.
type Reader struct {
	Store      *store.Store
	User       *domain.User
	Actor      domain.Actor
	Principal  *policy.Principal
	Mechanisms []*domain.Mechanism
	Now        time.Time
}

// Source gathers entries of one or more kinds for the reader's user.
type Source func(ctx context.Context, r *Reader) ([]Entry, error)

// Sources are the sources For reads, each calling the rule of its kind.
// Mentions, once comments exist, join as one more Source here.
var Sources = []Source{reportsOwed, confirmations, mentions, problemsAssigned, tasksLed, redItems, reviews, overdue, decisions}

// For returns everything due from user and the units they act for at now.
// Errors: those of the store (Internal).
func For(ctx context.Context, s *store.Store, user *domain.User, now time.Time) (Inbox, error) {
	in := Inbox{Groups: []Group{}}
	if user == nil || user.Disabled {
		return in, nil
	}
	actor := domain.ActorFor(user)
	p, err := s.Principal(ctx, actor)
	if err != nil {
		return in, err
	}
	mechs, err := store.All(ctx, s.Mechanisms, nil, false)
	if err != nil {
		return in, err
	}
	r := &Reader{Store: s, User: user, Actor: actor, Principal: p, Mechanisms: mechs, Now: now}
	byKind := map[Kind][]Entry{}
	seen := map[string]bool{}
	for _, src := range Sources {
		es, err := src(ctx, r)
		if err != nil {
			return in, err
		}
		for _, e := range es {
			if m := r.mechanism(e.MechanismID); m != nil && !e.Due.IsZero() {
				e.Late = e.Due.Before(cycle.Today(m, now))
			}
			if !seen[e.Key] {
				seen[e.Key] = true
				byKind[e.Kind] = append(byKind[e.Kind], e)
			}
		}
	}
	for _, k := range Kinds {
		es := byKind[k]
		if len(es) == 0 {
			continue
		}
		// The soonest due first, those without a due day after them, then
		// the newest.
		slices.SortStableFunc(es, func(a, b Entry) int {
			switch {
			case a.Due.IsZero() != b.Due.IsZero():
				if a.Due.IsZero() {
					return 1
				}
				return -1
			case !a.Due.Equal(b.Due.Time):
				return a.Due.Compare(b.Due.Time)
			case !a.Arose.Equal(b.Arose):
				return b.Arose.Compare(a.Arose)
			}
			return cmp.Compare(a.Key, b.Key)
		})
		in.Groups = append(in.Groups, Group{Kind: k, Entries: es})
		in.Total += len(es)
	}
	return in, nil
}

// mechanism returns the mechanism with id among the reader's.
func (r *Reader) mechanism(id int64) *domain.Mechanism {
	for _, m := range r.Mechanisms {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// actsFor reports whether the user acts, as a liaison, for any of units on
// the records of mechanism.
func (r *Reader) actsFor(mechanism int64, units ...int64) bool {
	mine := r.Principal.UnitsIn(mechanism)
	return slices.ContainsFunc(units, func(u int64) bool { return slices.Contains(mine, u) })
}

// mine returns the first of units the user acts for in mechanism.
func (r *Reader) mine(mechanism int64, units []int64) (int64, bool) {
	i := slices.IndexFunc(units, func(u int64) bool { return r.actsFor(mechanism, u) })
	if i < 0 {
		return 0, false
	}
	return units[i], true
}

// liaison reports whether the user acts for any unit anywhere.
func (r *Reader) liaison() bool { return len(r.Principal.ActsForAnywhere()) > 0 }

// dayStart is the first instant of day in m's time zone.
func dayStart(m *domain.Mechanism, day domain.Date) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, m.Location())
}

func id(n int64) string { return strconv.FormatInt(n, 10) }
