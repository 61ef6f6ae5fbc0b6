package domain

import (
	"math"
	"regexp"
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

// The party roles: one lead per side, any number of cooperating units.
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
	// Parties are listed side by side; within a side, lead first, then the
	// cooperating units in the order the source names them.
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
// party's side, the track and mode, and the custom fields.
func (it *Item) CheckAgainst(m *Mechanism) error {
	var p Problems
	for i, pt := range it.Parties {
		if !m.HasSide(pt.Side) {
			p.Add(indexed("parties", i)+".side", "must be the key of one of the mechanism's sides")
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

// ReportStatus says whether a progress report is still a draft.
type ReportStatus string

// The report statuses.
const (
	Draft     ReportStatus = "draft"
	Submitted ReportStatus = "submitted"
)

// Report is a unit's progress report on an item for one period.
type Report struct {
	Record
	ItemID         int64        `json:"item_id"`
	OrganizationID int64        `json:"organization_id"`
	Period         string       `json:"period"` // 2023-05 for a month, 2023-Q2 for a quarter
	Text           string       `json:"text"`
	Percent        int          `json:"percent"`
	Status         ReportStatus `json:"status"`
	SubmittedAt    *time.Time   `json:"submitted_at,omitempty"`
	Attachments    []string     `json:"attachments"`
}

var periodPattern = regexp.MustCompile(`^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2]|Q[1-4])$`)

// ValidPeriod reports whether s names a month (2023-05) or a quarter (2023-Q2).
func ValidPeriod(s string) bool { return periodPattern.MatchString(s) }

// Validate implements Entity.
func (r *Report) Validate() error {
	var p Problems
	checkRequiredID(&p, "item_id", r.ItemID)
	checkRequiredID(&p, "organization_id", r.OrganizationID)
	if !ValidPeriod(r.Period) {
		p.Add("period", "must be a month such as 2023-05 or a quarter such as 2023-Q2")
	}
	checkText(&p, "text", r.Text, MaxText)
	if r.Percent < 0 || r.Percent > 100 {
		p.Add("percent", "must be between 0 and 100")
	}
	checkOneOf(&p, "status", r.Status, []ReportStatus{Draft, Submitted})
	if r.Status == Submitted && r.Text == "" {
		p.Add("text", "is required to submit a report")
	}
	if len(r.Attachments) > 20 {
		p.Add("attachments", "at most 20 attachments")
	}
	for i, a := range r.Attachments {
		checkName(&p, indexed("attachments", i), a)
	}
	checkText(&p, "source", r.Source, MaxText)
	return p.Err()
}

// ChangeState is where a two-side change stands.
type ChangeState string

// The change states.
const (
	ChangePending  ChangeState = "pending"
	ChangeApplied  ChangeState = "applied"
	ChangeRejected ChangeState = "rejected"
)

// ItemChange is a change to an item that needs both sides: marking it
// completed, or changing its milestones or parties, takes effect only when
// the lead unit of every side has confirmed. Until then both sides see it
// pending on the item.
type ItemChange struct {
	ID         int64       `json:"id"`
	ItemID     int64       `json:"item_id"`
	Fields     []string    `json:"fields"` // which of status, parties, milestones it changes
	Status     ItemStatus  `json:"status,omitempty"`
	Parties    []Party     `json:"parties,omitempty"`
	Milestones []Milestone `json:"milestones,omitempty"`
	ProposedBy int64       `json:"proposed_by"`
	ProposedAt time.Time   `json:"proposed_at"`
	Confirmed  []string    `json:"confirmed"` // sides whose lead unit has confirmed
	Awaiting   []string    `json:"awaiting"`  // sides still to confirm
	State      ChangeState `json:"state"`
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
