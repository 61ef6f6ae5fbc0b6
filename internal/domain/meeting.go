package domain

// MeetingFormat is how a meeting was held.
type MeetingFormat string

// The meeting formats.
const (
	FormatNotRecorded MeetingFormat = "" // the source does not say
	InPerson          MeetingFormat = "in_person"
	Video             MeetingFormat = "video"
	Hybrid            MeetingFormat = "hybrid"
)

// MeetingFormats lists the meeting formats, the unrecorded one first.
var MeetingFormats = []MeetingFormat{FormatNotRecorded, InPerson, Video, Hybrid}

// MeetingStatus says whether a meeting is being prepared or took place.
type MeetingStatus string

// The meeting statuses. A meeting stored without one is held: every
// meeting recorded before drafts existed had taken place.
const (
	MeetingDraft MeetingStatus = "draft" // being prepared; its pack runs to today
	MeetingHeld  MeetingStatus = "held"
)

// MeetingStatuses lists the meeting statuses.
var MeetingStatuses = []MeetingStatus{MeetingDraft, MeetingHeld}

// DatePrecision says how much of a date the source gives: some meetings are
// only reported by month ("September 2022"), some facts only by year.
type DatePrecision string

// The date precisions.
const (
	DayPrecision   DatePrecision = "day"
	MonthPrecision DatePrecision = "month"
	YearPrecision  DatePrecision = "year"
)

// Meeting is a session of a mechanism, with its agenda, minutes and decisions.
type Meeting struct {
	Record
	MechanismID     int64         `json:"mechanism_id"`
	Number          int           `json:"number"`
	Title           string        `json:"title"`
	HeldOn          Date          `json:"held_on"`
	HeldOnPrecision DatePrecision `json:"held_on_precision"`
	Place           string        `json:"place"`
	Format          MeetingFormat `json:"format"`
	// Chair is who chairs the meeting (主持), as the record names them.
	Chair string `json:"chair"`
	// Status is draft while the secretariat prepares the meeting, held
	// after; empty is taken as held.
	Status    MeetingStatus     `json:"status"`
	Minutes   string            `json:"minutes"`
	Agenda    []AgendaItem      `json:"agenda"`
	Decisions []MeetingDecision `json:"decisions"`
	// Attendees are the units at the meeting, in the order the record
	// names them, and whether each reported its work there (汇报): a
	// working group's meeting hears every member unit in turn.
	Attendees []Attendee `json:"attendees"`
}

// Attendee is a unit at a meeting. Report is what it reported, when the
// record keeps it; a unit can have reported with nothing of it recorded.
type Attendee struct {
	OrganizationID int64  `json:"organization_id"`
	Reported       bool   `json:"reported"`
	Report         string `json:"report,omitempty"`
}

// Draft reports whether the meeting is still being prepared.
func (m *Meeting) Draft() bool { return m.Status == MeetingDraft }

// LastHeld is the latest of meetings held before day, drafts aside: the
// meeting whose changes since a pack and the dashboard both count from.
func LastHeld(meetings []*Meeting, day Date) *Meeting {
	var last *Meeting
	for _, mt := range meetings {
		if !mt.Draft() && mt.HeldOn.Before(day) && (last == nil || last.HeldOn.Before(mt.HeldOn)) {
			last = mt
		}
	}
	return last
}

// AgendaKind says what an agenda entry is about.
type AgendaKind string

// The agenda kinds.
const (
	AgendaItemKind    AgendaKind = "item"
	AgendaProblemKind AgendaKind = "problem"
	AgendaTopicKind   AgendaKind = "topic"
)

// AgendaKinds lists the agenda kinds.
var AgendaKinds = []AgendaKind{AgendaItemKind, AgendaProblemKind, AgendaTopicKind}

// AgendaItem is one entry of a meeting's agenda: a cooperation item, a
// problem or a free topic.
type AgendaItem struct {
	Kind      AgendaKind `json:"kind"`
	ItemID    int64      `json:"item_id,omitempty"`
	ProblemID int64      `json:"problem_id,omitempty"`
	Topic     string     `json:"topic,omitempty"`
}

// MeetingDecision is a decision taken at a meeting. It keeps its id across
// edits of the meeting so that the tasks and items it created stay linked.
type MeetingDecision struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
}

// Validate implements Entity.
func (m *Meeting) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", m.MechanismID)
	if m.Number < 0 {
		p.Add("number", "must not be negative")
	}
	checkName(&p, "title", m.Title)
	if m.HeldOn.IsZero() {
		p.Add("held_on", "is required")
	}
	checkOneOf(&p, "held_on_precision", m.HeldOnPrecision, []DatePrecision{DayPrecision, MonthPrecision})
	checkText(&p, "place", m.Place, MaxName)
	checkOneOf(&p, "format", m.Format, MeetingFormats)
	checkText(&p, "chair", m.Chair, MaxName)
	if m.Status != "" {
		checkOneOf(&p, "status", m.Status, MeetingStatuses)
	}
	checkText(&p, "minutes", m.Minutes, MaxText)
	for i, a := range m.Agenda {
		f := indexed("agenda", i)
		checkOneOf(&p, f+".kind", a.Kind, AgendaKinds)
		switch a.Kind {
		case AgendaItemKind:
			checkRequiredID(&p, f+".item_id", a.ItemID)
		case AgendaProblemKind:
			checkRequiredID(&p, f+".problem_id", a.ProblemID)
		case AgendaTopicKind:
			checkName(&p, f+".topic", a.Topic)
		}
	}
	for i, d := range m.Decisions {
		f := indexed("decisions", i)
		checkOptionalID(&p, f+".id", d.ID)
		if d.Text == "" {
			p.Add(f+".text", "is required")
		}
		checkText(&p, f+".text", d.Text, MaxText)
	}
	seen := map[int64]bool{}
	for i, a := range m.Attendees {
		f := indexed("attendees", i)
		checkRequiredID(&p, f+".organization_id", a.OrganizationID)
		if seen[a.OrganizationID] {
			p.Add(f+".organization_id", "is named twice")
		}
		seen[a.OrganizationID] = true
		checkText(&p, f+".report", a.Report, MaxText)
		if a.Report != "" && !a.Reported {
			p.Add(f+".reported", "must be true when a report is recorded")
		}
	}
	checkText(&p, "source", m.Source, MaxText)
	return p.Err()
}

// Batch is a list of cooperation items fixed at a meeting. DeclaredCount is
// what the source announced; RecordedCount is how many items are stored, so
// the product can say "6 of 34 recorded" without inventing the rest.
type Batch struct {
	Record
	MechanismID   int64  `json:"mechanism_id"`
	MeetingID     int64  `json:"meeting_id,omitempty"`
	Name          string `json:"name"`
	NameEN        string `json:"name_en"`
	Year          int    `json:"year,omitempty"`
	DeclaredCount int    `json:"declared_count"`
	RecordedCount int    `json:"recorded_count"` // read-only, counted from the items
}

// Validate implements Entity.
func (b *Batch) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", b.MechanismID)
	checkOptionalID(&p, "meeting_id", b.MeetingID)
	checkName(&p, "name", b.Name)
	checkText(&p, "name_en", b.NameEN, MaxName)
	if b.Year != 0 && (b.Year < 1949 || b.Year > 2200) {
		p.Add("year", "must be a year between 1949 and 2200")
	}
	if b.DeclaredCount < 0 || b.DeclaredCount > 1_000_000 {
		p.Add("declared_count", "must be between 0 and 1000000")
	}
	checkText(&p, "source", b.Source, MaxText)
	return p.Err()
}
