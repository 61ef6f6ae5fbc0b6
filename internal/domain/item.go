package domain

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ItemStatus is where a cooperation item stands.
type ItemStatus string

// The item statuses.
const (
	NotStarted ItemStatus = "not_started"
	Advancing  ItemStatus = "advancing"
	Completed  ItemStatus = "completed"
	Rescoped   ItemStatus = "rescoped" // moved to the 优化调整名单 mid-year
	Paused     ItemStatus = "paused"
)

// ItemStatuses lists the item statuses.
var ItemStatuses = []ItemStatus{NotStarted, Advancing, Completed, Rescoped, Paused}

// Light is an item's traffic light.
type Light string

// The lights; an empty light means not yet assessed.
const (
	NoLight Light = ""
	Blue    Light = "blue"   // a deadline is near
	Green   Light = "green"  // on plan
	Yellow  Light = "yellow" // behind plan
	Red     Light = "red"    // far behind or overdue
)

// Lights lists the lights, the empty one first.
var Lights = []Light{NoLight, Blue, Green, Yellow, Red}

// PartyRole is a unit's role in an item on its side.
type PartyRole string

// The party roles: a lead per side or one overall (Rules.Leads), any number
// of cooperating units; a side may have no lead.
const (
	LeadUnit        PartyRole = "lead"
	CooperatingUnit PartyRole = "cooperating"
)

// Item is a cooperation item (合作项目/事项) with its parties on each side,
// milestones, investment and state.
type Item struct {
	Record
	MechanismID int64      `json:"mechanism_id"`
	BatchID     int64      `json:"batch_id,omitempty"`
	AgreementID int64      `json:"agreement_id,omitempty"`
	DecisionID  int64      `json:"decision_id,omitempty"`
	Number      string     `json:"number"`
	Title       string     `json:"title"`
	Content     string     `json:"content"`
	Track       string     `json:"track"`
	Mode        string     `json:"mode"`
	Landmark    bool       `json:"landmark"`
	Status      ItemStatus `json:"status"`
	Light       Light      `json:"light"`
	LightReason string     `json:"light_reason"`
	StartOn     Date       `json:"start_on"`
	EndOn       Date       `json:"end_on"`
	// Schedule is what the item should reach in each quarter, as the
	// ledgers (台账) list it.
	Schedule   Schedule   `json:"schedule"`
	Investment Investment `json:"investment"`
	// Parties are in the order the source names them, kept as given on
	// every surface; a side may name cooperating units and no lead.
	Parties    []Party        `json:"parties"`
	Milestones []Milestone    `json:"milestones"`
	Custom     map[string]any `json:"custom"`
	// Pending lists the two-side changes awaiting confirmation; read-only.
	Pending []ItemChange `json:"pending"`
}

// Investment is in units of 10,000 yuan (万元), as ledgers report it.
type Investment struct {
	Total           float64 `json:"total"`
	PlannedThisYear float64 `json:"planned_this_year"`
	Done            float64 `json:"done"`
}

// Party is a unit taking part in an item on one side.
type Party struct {
	Side           string    `json:"side"`
	OrganizationID int64     `json:"organization_id"`
	Role           PartyRole `json:"role"`
}

// Milestone is a dated step of an item. It keeps its id across edits.
type Milestone struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	DueOn  Date   `json:"due_on"`
	DoneOn Date   `json:"done_on"`
}

var itemNumber = regexp.MustCompile(`^[\p{L}\p{N}._/-]{0,40}$`)

// Validate implements Entity. Rules that need the mechanism (sides, taxonomy,
// custom fields) are checked by CheckAgainst.
func (it *Item) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", it.MechanismID)
	checkOptionalID(&p, "batch_id", it.BatchID)
	checkOptionalID(&p, "agreement_id", it.AgreementID)
	checkOptionalID(&p, "decision_id", it.DecisionID)
	if !itemNumber.MatchString(it.Number) {
		p.Add("number", "must be at most 40 letters, digits or . _ / -")
	}
	checkName(&p, "title", it.Title)
	checkText(&p, "content", it.Content, MaxText)
	checkOneOf(&p, "status", it.Status, ItemStatuses)
	checkOneOf(&p, "light", it.Light, Lights)
	checkText(&p, "light_reason", it.LightReason, MaxName*2)
	checkDateRange(&p, "start_on", it.StartOn, "end_on", it.EndOn)
	for q, s := range map[string]string{"q1": it.Schedule.Q1, "q2": it.Schedule.Q2, "q3": it.Schedule.Q3, "q4": it.Schedule.Q4} {
		checkText(&p, "schedule."+q, s, MaxName*2)
	}
	checkAmount(&p, "investment.total", it.Investment.Total)
	checkAmount(&p, "investment.planned_this_year", it.Investment.PlannedThisYear)
	checkAmount(&p, "investment.done", it.Investment.Done)
	leads := map[string]bool{}
	seen := map[[2]any]bool{}
	for i, pt := range it.Parties {
		f := indexed("parties", i)
		checkRequiredID(&p, f+".organization_id", pt.OrganizationID)
		checkOneOf(&p, f+".role", pt.Role, []PartyRole{LeadUnit, CooperatingUnit})
		if pt.Role == LeadUnit {
			if leads[pt.Side] {
				p.Add(f+".role", "a side has one lead unit")
			}
			leads[pt.Side] = true
		}
		k := [2]any{pt.Side, pt.OrganizationID}
		if seen[k] {
			p.Add(f+".organization_id", "is named twice on this side")
		}
		seen[k] = true
	}
	for i, m := range it.Milestones {
		f := indexed("milestones", i)
		checkOptionalID(&p, f+".id", m.ID)
		checkName(&p, f+".title", m.Title)
		if m.DueOn.IsZero() {
			p.Add(f+".due_on", "is required")
		}
	}
	checkText(&p, "source", it.Source, MaxText)
	return p.Err()
}

// CheckAgainst checks the rules that depend on the item's mechanism: each
// party's side, the lead rule (Rules.Leads), the track and mode, and the
// custom fields.
func (it *Item) CheckAgainst(m *Mechanism) error {
	var p Problems
	overall := m.Rules.Effective().Leads == LeadsOverall
	leads := 0
	for i, pt := range it.Parties {
		if !m.HasSide(pt.Side) {
			p.Add(indexed("parties", i)+".side", "must be the key of one of the mechanism's sides")
		}
		if pt.Role == LeadUnit {
			if leads++; overall && leads == 2 {
				p.Add(indexed("parties", i)+".role", "the mechanism names one lead unit for the whole item; make this unit cooperating")
			}
		}
	}
	if it.Track != "" && !HasTerm(m.Tracks, it.Track) {
		p.Add("track", "is not a track of the mechanism")
	}
	if it.Mode != "" && !HasTerm(m.Modes, it.Mode) {
		p.Add("mode", "is not a cooperation mode of the mechanism")
	}
	defined := map[string]bool{}
	for _, c := range m.CustomFields {
		defined[c.Key] = true
		v, ok := it.Custom[c.Key]
		f := "custom." + c.Key
		if !ok || v == nil || v == "" {
			if c.Required {
				p.Add(f, "is required")
			}
			continue
		}
		switch c.Type {
		case TextField:
			if s, ok := v.(string); !ok {
				p.Add(f, "must be text")
			} else {
				checkText(&p, f, s, MaxText)
			}
		case NumberField:
			if n, ok := v.(float64); !ok || math.IsNaN(n) || math.IsInf(n, 0) {
				p.Add(f, "must be a number")
			}
		case DateField:
			s, ok := v.(string)
			if _, err := ParseDate(s); !ok || err != nil {
				p.Add(f, "must be a date of the form YYYY-MM-DD")
			}
		case ChoiceField:
			s, _ := v.(string)
			ok := false
			for _, c := range c.Choices {
				ok = ok || c == s
			}
			if !ok {
				p.Add(f, "must be one of the field's choices")
			}
		}
	}
	for k := range it.Custom {
		if !defined[k] {
			p.Add("custom."+k, "is not a custom field of the mechanism")
		}
	}
	return p.Err()
}

// Lead returns the lead unit of side, or 0.
func (it *Item) Lead(side string) int64 {
	for _, pt := range it.Parties {
		if pt.Side == side && pt.Role == LeadUnit {
			return pt.OrganizationID
		}
	}
	return 0
}

func checkAmount(p *Problems, field string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e12 {
		p.Add(field, "must be a number between 0 and 1e12 (万元)")
	}
}

// ChangeState is where a two-side change stands.
type ChangeState string

// The change states.
const (
	ChangePending  ChangeState = "pending"
	ChangeApplied  ChangeState = "applied"
	ChangeRejected ChangeState = "rejected"
	// ChangeStale is a change refused at confirmation because the item
	// changed after it was proposed: applying it would undo newer data.
	ChangeStale ChangeState = "stale"
)

// The parts of an item a two-side change may hold: its joint fields
// (title, period, targets, completion, milestones, who takes part) and its
// place (archived, mechanism, batch), which both sides agree to, and a
// side's own units among its parties, which that side agrees to.
const (
	FieldTitle      = "title"
	FieldPeriod     = "period"  // start_on and end_on, the item's deadline
	FieldTargets    = "targets" // the quarterly schedule and the investment total and planned this year
	FieldStatus     = "status"
	FieldParties    = "parties"
	FieldMilestones = "milestones"
	FieldArchived   = "archived" // archiving or restoring
	FieldMechanism  = "mechanism_id"
	FieldBatch      = "batch_id"
)

// HeldPaths are where each part a two-side change may hold lies in an
// item's JSON (a key, or a key of a nested object).
var HeldPaths = map[string][]string{
	FieldTitle: {"title"}, FieldPeriod: {"start_on", "end_on"}, FieldTargets: {"schedule", "investment.total", "investment.planned_this_year"},
	FieldStatus: {"status"}, FieldParties: {"parties"}, FieldMilestones: {"milestones"},
	FieldArchived: {"archived_at"}, FieldMechanism: {"mechanism_id"}, FieldBatch: {"batch_id"},
}

// HeldPart names the part of a two-side change that an item's field, by
// its JSON path (schedule.q1, parties[0].role), belongs to, or "" for a
// field no change holds.
func HeldPart(path string) string {
	for part, paths := range HeldPaths {
		for _, p := range paths {
			if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
				return part
			}
		}
	}
	return ""
}

// ItemChange is a change to an item that needs both sides (see TwoSide):
// it takes effect only when every side taking part has confirmed it (its
// lead unit, or who the mechanism names for a side without one), and only
// if none of its fields was changed after the version it was proposed on
// (BaseVersion); edits of the item's other fields do not stand in its way. Until
// then both sides see it pending on the item.
type ItemChange struct {
	ID     int64    `json:"id"`
	ItemID int64    `json:"item_id"`
	Fields []string `json:"fields"` // which parts it changes: title, period, targets, status, parties, milestones, archived, mechanism_id, batch_id
	// BaseVersion is the item's version the change was proposed on.
	BaseVersion int64  `json:"base_version"`
	Title       string `json:"title,omitempty"`
	StartOn     Date   `json:"start_on,omitzero"`
	EndOn       Date   `json:"end_on,omitzero"`
	// The targets: the schedule and the investment total and planned this
	// year (what is done is progress, not a target).
	Schedule          Schedule   `json:"schedule,omitzero"`
	InvestmentTotal   float64    `json:"investment_total,omitempty"`
	InvestmentPlanned float64    `json:"investment_planned_this_year,omitempty"`
	Status            ItemStatus `json:"status,omitempty"`
	Parties           []Party    `json:"parties,omitempty"`
	// PartySides are the sides whose own units Parties changes; the other
	// sides' units stay as they stand when it is applied. Empty when it
	// changes who takes part: Parties is then the whole list.
	PartySides  []string    `json:"party_sides,omitempty"`
	Milestones  []Milestone `json:"milestones,omitempty"`
	MechanismID int64       `json:"mechanism_id,omitempty"`
	BatchID     int64       `json:"batch_id,omitempty"`
	Archived    bool        `json:"archived,omitempty"` // with the field archived: true archives, false restores
	ProposedBy  int64       `json:"proposed_by"`
	ProposedAt  time.Time   `json:"proposed_at"`
	// OccurredOn is the day the change happened, when its proposer stated
	// one; the change is dated by it when it takes effect.
	OccurredOn        Date          `json:"occurred_on,omitzero"`
	OccurredPrecision DatePrecision `json:"occurred_precision,omitempty"`
	Confirmed         []string      `json:"confirmed"` // sides that have confirmed
	Awaiting          []string      `json:"awaiting"`  // sides still to confirm
	// Confirmers names, for each side awaited, the units asked to confirm
	// for it (SideConfirmers: its lead, or for a side without one who the
	// mechanism names); read-only.
	Confirmers map[string][]int64 `json:"confirmers,omitempty"`
	State      ChangeState        `json:"state"`
}

// Proposer is who proposes a change to an item, as the two-side rule sees
// them.
type Proposer struct {
	// Units are the units the proposer acts for as a liaison.
	Units []int64
	// Secretariat is set for the secretariat of the item's mechanism or an
	// administrator. It acts for no side: what it proposes to an item two
	// sides take part in waits for each (an item of one side at most is
	// left to it, as no side commits another there); only a side without a
	// lead, for which the mechanism names no unit, is its to confirm. But the
	// parties it names when it creates an item stand, since recording the
	// list both sides adopted at a meeting is its work; a liaison naming
	// another side's unit is not.
	Secretariat bool
}

// Confirmation is what the two-side rule asks of one change to an item.
type Confirmation struct {
	Fields []string // the two-side parts the change makes, in the order of the Field constants
	Sides  []string // the sides that must agree to them (see SideConfirmers)
	Acting []string // of Sides, those the proposer acts for
	fresh  *Item    // at creation, what the item may be created as at once
	// partySides are the sides whose own units the parties change, when
	// the change is not to who takes part.
	partySides []string
	// proposerSides are the sides on which a liaison proposer's units are
	// members of the mechanism; every side for the secretariat.
	proposerSides []string
	// oneSide is set for the secretariat's change to an item one side
	// takes part in at most: no side can commit another there.
	oneSide bool
}

// Awaiting lists the sides that must still agree after the proposer.
func (c Confirmation) Awaiting(confirmed []string) []string {
	out := []string{}
	for _, s := range c.Sides {
		if !slices.Contains(confirmed, s) {
			out = append(out, s)
		}
	}
	return out
}

// OwnSides are the sides whose own units the change sets among the
// parties, when it does not change who takes part.
func (c Confirmation) OwnSides() []string { return c.partySides }

// ProposerSides are the sides on which a liaison proposer's units are
// members of the mechanism (every side for the secretariat).
func (c Confirmation) ProposerSides() []string { return c.proposerSides }

// WrongSides are the sides whose own units the change sets and on which
// the proposer, a liaison, has no member unit: another side's. Within one
// installation such a change waits for those sides; across installations
// a side writes only its own (issue 14, point 4), so it is refused there.
func (c Confirmation) WrongSides() []string {
	var out []string
	for _, s := range c.partySides {
		if !slices.Contains(c.proposerSides, s) && !slices.Contains(c.Acting, s) {
			out = append(out, s)
		}
	}
	return out
}

// Held reports whether the change must wait: it makes a two-side part and
// some side that must agree is not the proposer's.
func (c Confirmation) Held() bool {
	return len(c.Fields) > 0 && !c.oneSide && len(c.Awaiting(c.Acting)) > 0
}

// TwoSide states the two-side rule, the one place it is written; every
// path that creates or changes an item (create, update, bulk edit,
// import, archive, restore, move, a proposal from another installation)
// asks it. before is the item as stored, nil at creation; want is the item
// as the proposer wants it; m is the item's mechanism, whose rules say who
// acts for a side without a lead.
//
// Each field of an item is joint, one side's own, or free:
//   - Joint, agreed by every side taking part: its title, its period (the
//     deadline), its targets (the quarterly schedule, the investment total
//     and planned this year), its completion (completing it, or setting a
//     completed one back), its milestones, who takes part (a side joining
//     or leaving, the order across sides), archiving or restoring it, and
//     moving it to another mechanism or batch.
//   - A side's own: its units among the parties (its lead and cooperating
//     units), agreed by that side alone (OwnParties). Across installations
//     this is what a side changes while the other is unreachable.
//   - Free, written by either side as its rules allow: the content, the
//     track and mode, the custom fields, progress (advancing, paused, the
//     investment done) and the light. Reports and their progress are each
//     unit's own records.
//
// At creation the same rule compares the item with what it may be created
// as (freshFor): whatever would need the other side as a change from a
// fresh item needs it at creation too — created completed, a milestone
// already done, a party on a side the proposer does not act for. Created
// advancing or paused is not held, as setting a not-started item so is
// not.
//
// Who agrees for a side is SideConfirmers: its lead unit, or for a side
// with none, the units the mechanism's rules name (its secretariat on that
// side by default). The proposer acts for a side when it acts for one of
// those units; the secretariat acts for no side (see Proposer), except a
// side without a lead for which the mechanism names no unit, so that no
// side is left to nobody. When the proposer acts for every side that must
// agree, nothing waits.
func TwoSide(before, want *Item, m *Mechanism, p Proposer) Confirmation {
	var c Confirmation
	for _, it := range []*Item{before, want} {
		if it == nil {
			continue
		}
		for _, pt := range it.Parties {
			if !slices.Contains(c.Sides, pt.Side) {
				c.Sides = append(c.Sides, pt.Side)
			}
		}
	}
	for _, s := range c.Sides {
		units := SideConfirmers(before, want, m, s)
		if slices.ContainsFunc(units, func(u int64) bool { return slices.Contains(p.Units, u) }) || (len(units) == 0 && p.Secretariat) {
			c.Acting = append(c.Acting, s)
		}
	}
	c.oneSide = p.Secretariat && len(c.Sides) < 2
	for _, s := range c.Sides {
		member := func(u int64) bool { mb, ok := m.Member(u); return ok && mb.Side == s }
		if p.Secretariat || (m != nil && slices.ContainsFunc(p.Units, member)) {
			c.proposerSides = append(c.proposerSides, s)
		}
	}
	if before == nil {
		c.fresh = want.freshFor(c.Acting, p.Secretariat)
		before = c.fresh
	}
	if want.Title != before.Title {
		c.Fields = append(c.Fields, FieldTitle)
	}
	if want.StartOn != before.StartOn || want.EndOn != before.EndOn {
		c.Fields = append(c.Fields, FieldPeriod)
	}
	if want.Schedule != before.Schedule || want.Investment.Total != before.Investment.Total || want.Investment.PlannedThisYear != before.Investment.PlannedThisYear {
		c.Fields = append(c.Fields, FieldTargets)
	}
	completed := func(it *Item) bool { return it.Status == Completed }
	if want.Status != before.Status && (completed(want) || completed(before)) {
		c.Fields = append(c.Fields, FieldStatus)
	}
	own, whoTakesPart := OwnParties(before.Parties, want.Parties)
	c.partySides = own
	if whoTakesPart || slices.ContainsFunc(own, func(s string) bool { return !slices.Contains(c.Acting, s) }) {
		// Who takes part is joint; a side's units are its own, and the
		// proposer's own go through beside whatever else waits.
		c.Fields = append(c.Fields, FieldParties)
	}
	if !reflect.DeepEqual(nonNil(want.Milestones), nonNil(before.Milestones)) {
		c.Fields = append(c.Fields, FieldMilestones)
	}
	if (want.ArchivedAt == nil) != (before.ArchivedAt == nil) {
		c.Fields = append(c.Fields, FieldArchived)
	}
	if want.MechanismID != before.MechanismID {
		c.Fields = append(c.Fields, FieldMechanism)
	}
	if want.BatchID != before.BatchID {
		c.Fields = append(c.Fields, FieldBatch)
	}
	if len(own) > 0 && !whoTakesPart && !slices.ContainsFunc(c.Fields, func(f string) bool { return f != FieldParties }) {
		// Only some sides' own units change: theirs to agree to.
		c.Sides = slices.DeleteFunc(c.Sides, func(s string) bool { return !slices.Contains(own, s) })
		c.Acting = slices.DeleteFunc(c.Acting, func(s string) bool { return !slices.Contains(own, s) })
	}
	return c
}

// OwnParties compares two lists of an item's parties side by side: own
// lists the sides whose own units differ (which units, their roles, their
// order), and whoTakesPart is set when the change is to who takes part —
// a side joining or leaving, or the order across sides — which is joint.
func OwnParties(before, want []Party) (own []string, whoTakesPart bool) {
	sides := func(ps []Party) []string {
		var out []string
		for _, p := range ps {
			if !slices.Contains(out, p.Side) {
				out = append(out, p.Side)
			}
		}
		return out
	}
	if !slices.Equal(sides(before), sides(want)) {
		return nil, true
	}
	for _, s := range sides(want) {
		if !slices.Equal(SideParties(before, s), SideParties(want, s)) {
			own = append(own, s)
		}
	}
	return own, len(own) == 0 && !slices.Equal(before, want)
}

// SideParties returns the parties of one side, in order.
func SideParties(parties []Party, side string) []Party {
	var out []Party
	for _, p := range parties {
		if p.Side == side {
			out = append(out, p)
		}
	}
	return out
}

// WithSideParties returns parties with side's units replaced by own, in
// the place of the side's first party (at the end for a side that had
// none); the other sides' parties keep theirs.
func WithSideParties(parties []Party, side string, own []Party) []Party {
	out := make([]Party, 0, len(parties)+len(own))
	placed := false
	for _, p := range parties {
		if p.Side != side {
			out = append(out, p)
		} else if !placed {
			out, placed = append(out, own...), true
		}
	}
	if !placed {
		out = append(out, own...)
	}
	return out
}

// SideConfirmers returns the units that agree for side to a change from
// before (nil at creation) to want: the side's lead unit as stored, or,
// for a side that had none, the lead the change names (a unit being named
// lead agrees to it); for a side with no lead either way, the units m's
// rules name (Mechanism.UnledSideConfirmers). Empty means the mechanism
// names none, and its secretariat confirms for the side (see TwoSide).
func SideConfirmers(before, want *Item, m *Mechanism, side string) []int64 {
	lead := want.Lead(side)
	if before != nil && before.Lead(side) != 0 {
		lead = before.Lead(side)
	}
	if lead != 0 {
		return []int64{lead}
	}
	return m.UnledSideConfirmers(side)
}

// freshFor is what an item may be created as without anyone's
// confirmation: not started, no milestone done, and only the parties of
// the sides the proposer acts for (all of them, for the secretariat).
func (it *Item) freshFor(sides []string, secretariat bool) *Item {
	fresh := *it
	fresh.Status = NotStarted
	fresh.Milestones = nil
	for _, m := range it.Milestones {
		m.DoneOn = Date{}
		fresh.Milestones = append(fresh.Milestones, m)
	}
	if secretariat {
		return &fresh
	}
	fresh.Parties = nil
	for _, pt := range it.Parties {
		if slices.Contains(sides, pt.Side) {
			fresh.Parties = append(fresh.Parties, pt)
		}
	}
	return &fresh
}

// Withhold sets the two-side parts of c aside: it returns them as a pending
// change and resets them on want to before's (at creation, before nil, to
// what the item may be created as). The caller stores the change with the
// version want is then written as.
func (c Confirmation) Withhold(before, want *Item) ItemChange {
	if before == nil {
		before = c.fresh
	}
	ch := ItemChange{Fields: c.Fields, Confirmed: nonNil(c.Acting), Awaiting: c.Awaiting(c.Acting), State: ChangePending}
	for _, f := range c.Fields {
		switch f {
		case FieldTitle:
			ch.Title, want.Title = want.Title, before.Title
		case FieldPeriod:
			ch.StartOn, ch.EndOn, want.StartOn, want.EndOn = want.StartOn, want.EndOn, before.StartOn, before.EndOn
		case FieldTargets:
			ch.Schedule, ch.InvestmentTotal, ch.InvestmentPlanned = want.Schedule, want.Investment.Total, want.Investment.PlannedThisYear
			want.Schedule, want.Investment.Total, want.Investment.PlannedThisYear = before.Schedule, before.Investment.Total, before.Investment.PlannedThisYear
		case FieldStatus:
			ch.Status, want.Status = want.Status, before.Status
		case FieldParties:
			ch.Parties, want.Parties = nonNil(want.Parties), before.Parties
			for _, s := range c.partySides {
				if slices.Contains(c.Acting, s) {
					// The proposer's own side's units go through now.
					want.Parties = WithSideParties(want.Parties, s, SideParties(ch.Parties, s))
				} else {
					ch.PartySides = append(ch.PartySides, s)
				}
			}
		case FieldMilestones:
			ch.Milestones, want.Milestones = nonNil(want.Milestones), before.Milestones
		case FieldArchived:
			ch.Archived, want.ArchivedAt = want.ArchivedAt != nil, before.ArchivedAt
		case FieldMechanism:
			ch.MechanismID, want.MechanismID = want.MechanismID, before.MechanismID
		case FieldBatch:
			ch.BatchID, want.BatchID = want.BatchID, before.BatchID
		}
	}
	return ch
}

// Proposed returns the item as it would stand with the change applied; at
// is the time an archiving change archives it.
func (ch ItemChange) Proposed(it *Item, at time.Time) *Item {
	out := *it
	for _, f := range ch.Fields {
		switch f {
		case FieldTitle:
			out.Title = ch.Title
		case FieldPeriod:
			out.StartOn, out.EndOn = ch.StartOn, ch.EndOn
		case FieldTargets:
			out.Schedule, out.Investment.Total, out.Investment.PlannedThisYear = ch.Schedule, ch.InvestmentTotal, ch.InvestmentPlanned
		case FieldStatus:
			out.Status = ch.Status
		case FieldParties:
			if len(ch.PartySides) == 0 {
				out.Parties = ch.Parties
			}
			for _, s := range ch.PartySides {
				out.Parties = WithSideParties(out.Parties, s, SideParties(ch.Parties, s))
			}
		case FieldMilestones:
			out.Milestones = ch.Milestones
		case FieldArchived:
			out.ArchivedAt = nil
			if ch.Archived {
				out.ArchivedAt = &at
			}
		case FieldMechanism:
			out.MechanismID = ch.MechanismID
		case FieldBatch:
			out.BatchID = ch.BatchID
		}
	}
	return &out
}

func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

// LeadSides returns the sides that name a lead unit, in the order of the parties.
func (it *Item) LeadSides() []string {
	var out []string
	for _, p := range it.Parties {
		if p.Role == LeadUnit {
			out = append(out, p.Side)
		}
	}
	return out
}
