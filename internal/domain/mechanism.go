package domain

import (
	"regexp"
	"time"
)

// Tier is the level of a cooperation mechanism; problems climb the tiers.
type Tier string

// The three tiers, from where the work is done to where it is decided.
const (
	Execution    Tier = "execution"
	Coordination Tier = "coordination"
	Decision     Tier = "decision"
)

// Tiers lists the tiers from lowest to highest.
var Tiers = []Tier{Execution, Coordination, Decision}

// Above returns the tier a problem escalates to from t: the next one up the
// ladder, "" at the top (or for a tier that is not on it).
func (t Tier) Above() Tier {
	for i, x := range Tiers {
		if x == t && i+1 < len(Tiers) {
			return Tiers[i+1]
		}
	}
	return ""
}

// Cadence is how often progress is reported.
type Cadence string

// The reporting cadences.
const (
	Monthly   Cadence = "monthly"
	Quarterly Cadence = "quarterly"
)

// Cadences lists the reporting cadences.
var Cadences = []Cadence{Monthly, Quarterly}

// Mechanism is a working group at one tier, with its member units, the
// sides that cooperate in it and the taxonomy its items are sorted by.
type Mechanism struct {
	Record
	ParentID int64   `json:"parent_id,omitempty"`
	Name     string  `json:"name"`
	NameEN   string  `json:"name_en"`
	Tier     Tier    `json:"tier"`
	TimeZone string  `json:"time_zone"`
	Cadence  Cadence `json:"cadence"`
	// Sides are the parties that cooperate; every item names a lead unit per side.
	Sides        []Side        `json:"sides"`
	Tracks       []Term        `json:"tracks"`
	Modes        []Term        `json:"modes"`
	CustomFields []CustomField `json:"custom_fields"`
	Members      []Member      `json:"members"`
	// Rules configure the traffic lights, reporting and the escalation
	// ladder; a zero field takes its default (see Rules.Effective).
	Rules Rules `json:"rules"`
}

// Rules are a mechanism's settings for traffic lights, reporting periods and
// problem time limits. Zero means "use the default", so a mechanism stored
// before the rules existed behaves as practice suggests (FACTS.md: Yinchuan,
// Suqian, Songyang).
type Rules struct {
	// BlueWithinDays: an open deadline this near turns the light blue (default 15).
	BlueWithinDays int `json:"blue_within_days,omitempty"`
	// YellowBehind and RedBehind are percentage points behind the planned
	// progress: from YellowBehind to RedBehind is yellow, more is red (10, 30).
	YellowBehind int `json:"yellow_behind,omitempty"`
	RedBehind    int `json:"red_behind,omitempty"`
	// YellowLateDays: a milestone up to this many days late is a missed
	// target (yellow); later it is overdue (red) (default 30).
	YellowLateDays int `json:"yellow_late_days,omitempty"`
	// GraceDays after a period's end before a missing report is late (default 10).
	GraceDays int `json:"grace_days,omitempty"`
	// CooperatingUnitsReport: cooperating units report too, not only leads.
	CooperatingUnitsReport bool `json:"cooperating_units_report,omitempty"`
	// Time limits in days for a problem at each tier (default 30, 60, 90).
	ExecutionDays    int `json:"execution_days,omitempty"`
	CoordinationDays int `json:"coordination_days,omitempty"`
	DecisionDays     int `json:"decision_days,omitempty"`
}

// DefaultRules are the rules a mechanism gets for every field it leaves zero.
var DefaultRules = Rules{BlueWithinDays: 15, YellowBehind: 10, RedBehind: 30, YellowLateDays: 30, GraceDays: 10,
	ExecutionDays: 30, CoordinationDays: 60, DecisionDays: 90}

// Effective returns r with every zero field set to its default.
func (r Rules) Effective() Rules {
	d := DefaultRules
	pick := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	pick(&r.BlueWithinDays, d.BlueWithinDays)
	pick(&r.YellowBehind, d.YellowBehind)
	pick(&r.RedBehind, d.RedBehind)
	pick(&r.YellowLateDays, d.YellowLateDays)
	pick(&r.GraceDays, d.GraceDays)
	pick(&r.ExecutionDays, d.ExecutionDays)
	pick(&r.CoordinationDays, d.CoordinationDays)
	pick(&r.DecisionDays, d.DecisionDays)
	return r
}

// TierDays is the time limit of a problem at tier t, in days.
func (r Rules) TierDays(t Tier) int {
	e := r.Effective()
	switch t {
	case Coordination:
		return e.CoordinationDays
	case Decision:
		return e.DecisionDays
	}
	return e.ExecutionDays
}

func (r Rules) check(p *Problems) {
	for _, f := range []struct {
		name string
		v    int
	}{{"blue_within_days", r.BlueWithinDays}, {"yellow_behind", r.YellowBehind}, {"red_behind", r.RedBehind},
		{"yellow_late_days", r.YellowLateDays}, {"grace_days", r.GraceDays}, {"execution_days", r.ExecutionDays},
		{"coordination_days", r.CoordinationDays}, {"decision_days", r.DecisionDays}} {
		if f.v < 0 || f.v > 3660 {
			p.Add("rules."+f.name, "must be between 0 (the default) and 3660")
		}
	}
	if e := r.Effective(); e.YellowBehind > 100 || e.RedBehind > 100 || e.RedBehind < e.YellowBehind {
		p.Add("rules.red_behind", "must be at least yellow_behind, and both at most 100 points")
	}
}

// Side is one party of a mechanism, such as Chengdu or Chongqing.
type Side struct {
	Key            string `json:"key"`
	Name           string `json:"name"`
	NameEN         string `json:"name_en"`
	JurisdictionID int64  `json:"jurisdiction_id"`
}

// Term is an entry of a mechanism's taxonomy: a track or a cooperation mode.
type Term struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Group  string `json:"group,omitempty"` // tracks come in families such as 五个互联互通
}

// CustomFieldType is the kind of value a custom field holds.
type CustomFieldType string

// The custom field types.
const (
	TextField   CustomFieldType = "text"
	NumberField CustomFieldType = "number"
	DateField   CustomFieldType = "date"
	ChoiceField CustomFieldType = "choice"
)

// CustomFieldTypes lists the custom field types.
var CustomFieldTypes = []CustomFieldType{TextField, NumberField, DateField, ChoiceField}

// CustomField defines an extra field a mechanism records on its items.
type CustomField struct {
	Key      string          `json:"key"`
	Label    string          `json:"label"`
	LabelEN  string          `json:"label_en"`
	Type     CustomFieldType `json:"type"`
	Choices  []string        `json:"choices,omitempty"`
	Required bool            `json:"required"`
}

// MemberRole is what a unit does in a mechanism.
type MemberRole string

// The member roles.
const (
	Convener    MemberRole = "convener"
	Secretariat MemberRole = "secretariat"
	MemberUnit  MemberRole = "member"
)

// MemberRoles lists the member roles.
var MemberRoles = []MemberRole{Convener, Secretariat, MemberUnit}

// Member is a unit's membership of a mechanism, on one side.
type Member struct {
	OrganizationID int64      `json:"organization_id"`
	Side           string     `json:"side"`
	Role           MemberRole `json:"role"`
}

var termKey = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Validate implements Entity.
func (m *Mechanism) Validate() error {
	var p Problems
	checkOptionalID(&p, "parent_id", m.ParentID)
	checkName(&p, "name", m.Name)
	checkText(&p, "name_en", m.NameEN, MaxName)
	checkOneOf(&p, "tier", m.Tier, Tiers)
	checkOneOf(&p, "cadence", m.Cadence, Cadences)
	if _, err := time.LoadLocation(m.TimeZone); err != nil || m.TimeZone == "" {
		p.Add("time_zone", "must be an IANA time zone such as Asia/Shanghai")
	}
	sides := map[string]bool{}
	for i, s := range m.Sides {
		f := indexed("sides", i)
		if !termKey.MatchString(s.Key) {
			p.Add(f+".key", "must be lower-case letters, digits, - or _")
		} else if sides[s.Key] {
			p.Add(f+".key", "is used twice")
		}
		sides[s.Key] = true
		checkName(&p, f+".name", s.Name)
		checkOptionalID(&p, f+".jurisdiction_id", s.JurisdictionID)
	}
	checkTerms(&p, "tracks", m.Tracks)
	checkTerms(&p, "modes", m.Modes)
	keys := map[string]bool{}
	for i, c := range m.CustomFields {
		f := indexed("custom_fields", i)
		if !termKey.MatchString(c.Key) {
			p.Add(f+".key", "must be lower-case letters, digits, - or _")
		} else if keys[c.Key] {
			p.Add(f+".key", "is used twice")
		}
		keys[c.Key] = true
		checkName(&p, f+".label", c.Label)
		checkOneOf(&p, f+".type", c.Type, CustomFieldTypes)
		if c.Type == ChoiceField && len(c.Choices) == 0 {
			p.Add(f+".choices", "a choice field needs at least one choice")
		}
	}
	seen := map[int64]bool{}
	for i, mb := range m.Members {
		f := indexed("members", i)
		checkRequiredID(&p, f+".organization_id", mb.OrganizationID)
		if seen[mb.OrganizationID] {
			p.Add(f+".organization_id", "is a member twice")
		}
		seen[mb.OrganizationID] = true
		if !sides[mb.Side] {
			p.Add(f+".side", "must be the key of one of the mechanism's sides")
		}
		checkOneOf(&p, f+".role", mb.Role, MemberRoles)
	}
	m.Rules.check(&p)
	checkText(&p, "source", m.Source, MaxText)
	return p.Err()
}

func checkTerms(p *Problems, field string, terms []Term) {
	keys := map[string]bool{}
	for i, t := range terms {
		f := indexed(field, i)
		if !termKey.MatchString(t.Key) {
			p.Add(f+".key", "must be lower-case letters, digits, - or _")
		} else if keys[t.Key] {
			p.Add(f+".key", "is used twice")
		}
		keys[t.Key] = true
		checkName(p, f+".name", t.Name)
	}
}

// HasSide reports whether key names one of the mechanism's sides.
func (m *Mechanism) HasSide(key string) bool { return m.Side(key) != nil }

// Side returns the side named key, nil when the mechanism has none.
func (m *Mechanism) Side(key string) *Side {
	for i := range m.Sides {
		if m.Sides[i].Key == key {
			return &m.Sides[i]
		}
	}
	return nil
}

// Member returns the membership of unit orgID, if it is a member.
func (m *Mechanism) Member(orgID int64) (Member, bool) {
	for _, mb := range m.Members {
		if mb.OrganizationID == orgID {
			return mb, true
		}
	}
	return Member{}, false
}

// HasTerm reports whether key is in terms.
func HasTerm(terms []Term, key string) bool {
	for _, t := range terms {
		if t.Key == key {
			return true
		}
	}
	return false
}

// Location returns the mechanism's time zone, Asia/Shanghai when unset.
func (m *Mechanism) Location() *time.Location {
	if loc, err := time.LoadLocation(m.TimeZone); err == nil && m.TimeZone != "" {
		return loc
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}
