package domain

import "time"

// ProblemStatus says whether a problem still blocks.
type ProblemStatus string

// The problem statuses.
const (
	ProblemOpen     ProblemStatus = "open"
	ProblemResolved ProblemStatus = "resolved"
)

// Problem is an entry of the problem list (问题清单): what blocks, which item
// it blocks, who must act on each side and the tier that must decide.
type Problem struct {
	Record
	MechanismID int64             `json:"mechanism_id"`
	ItemID      int64             `json:"item_id,omitempty"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Tier        Tier              `json:"tier"`
	Status      ProblemStatus     `json:"status"`
	DueOn       Date              `json:"due_on"` // the time limit at the current tier
	Resolution  string            `json:"resolution"`
	ResolvedAt  *time.Time        `json:"resolved_at,omitempty"`
	Responsible []ResponsibleUnit `json:"responsible"`
	// Escalations is the history of tier changes, oldest first; read-only.
	Escalations []Escalation `json:"escalations"`
}

// ResponsibleUnit is a unit that must act on a problem, on one side.
type ResponsibleUnit struct {
	Side           string `json:"side"`
	OrganizationID int64  `json:"organization_id"`
}

// Escalation records a problem moving from one tier to another.
type Escalation struct {
	FromTier Tier      `json:"from_tier"`
	ToTier   Tier      `json:"to_tier"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
	// OccurredOn is the day the step was taken, when the writer stated one
	// apart from the day it was recorded (At), known to OccurredPrecision.
	OccurredOn        Date          `json:"occurred_on,omitzero"`
	OccurredPrecision DatePrecision `json:"occurred_precision,omitempty"`
	// DueOn is the time limit the step set at the new tier; zero for a
	// step recorded before it was kept.
	DueOn Date `json:"due_on,omitzero"`
}

// Validate implements Entity.
func (pr *Problem) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", pr.MechanismID)
	checkOptionalID(&p, "item_id", pr.ItemID)
	checkName(&p, "title", pr.Title)
	checkText(&p, "description", pr.Description, MaxText)
	checkOneOf(&p, "tier", pr.Tier, Tiers)
	checkOneOf(&p, "status", pr.Status, []ProblemStatus{ProblemOpen, ProblemResolved})
	checkText(&p, "resolution", pr.Resolution, MaxText)
	if pr.Status == ProblemResolved && pr.Resolution == "" {
		p.Add("resolution", "is required to resolve a problem")
	}
	for i, u := range pr.Responsible {
		checkRequiredID(&p, indexed("responsible", i)+".organization_id", u.OrganizationID)
	}
	checkText(&p, "source", pr.Source, MaxText)
	return p.Err()
}

// TaskStatus is where an annual task stands.
type TaskStatus string

// The task statuses: not started (open, the status a task is created
// with), advancing, done.
const (
	TaskOpen      TaskStatus = "open"
	TaskAdvancing TaskStatus = "advancing"
	TaskDone      TaskStatus = "done"
)

// TaskStatuses lists every task status, in the order a task moves.
var TaskStatuses = []TaskStatus{TaskOpen, TaskAdvancing, TaskDone}

// Task is an annual task with its division of labour (年度任务和分工).
type Task struct {
	Record
	MechanismID int64      `json:"mechanism_id"`
	Year        int        `json:"year"`
	Content     string     `json:"content"`
	LeadID      int64      `json:"lead_id"`
	Cooperating []int64    `json:"cooperating"`
	Schedule    Schedule   `json:"schedule"`
	DueOn       Date       `json:"due_on"`
	Status      TaskStatus `json:"status"`
	// Progress is what the lead unit says of where the task stands.
	Progress   string `json:"progress"`
	DecisionID int64  `json:"decision_id,omitempty"` // the meeting decision it came from
}

// Schedule is what a task or item should reach in each quarter.
type Schedule struct {
	Q1 string `json:"q1"`
	Q2 string `json:"q2"`
	Q3 string `json:"q3"`
	Q4 string `json:"q4"`
}

// Validate implements Entity.
func (t *Task) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", t.MechanismID)
	if t.Year < 1949 || t.Year > 2200 {
		p.Add("year", "must be a year between 1949 and 2200")
	}
	checkName(&p, "content", t.Content)
	checkRequiredID(&p, "lead_id", t.LeadID)
	for i, id := range t.Cooperating {
		if id <= 0 || id == t.LeadID {
			p.Add(indexed("cooperating", i), "must be another unit's id")
		}
	}
	for q, s := range map[string]string{"q1": t.Schedule.Q1, "q2": t.Schedule.Q2, "q3": t.Schedule.Q3, "q4": t.Schedule.Q4} {
		checkText(&p, "schedule."+q, s, MaxName*2)
	}
	checkOneOf(&p, "status", t.Status, TaskStatuses)
	checkText(&p, "progress", t.Progress, MaxText)
	checkOptionalID(&p, "decision_id", t.DecisionID)
	checkText(&p, "source", t.Source, MaxText)
	return p.Err()
}
