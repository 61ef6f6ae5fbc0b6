package domain

import "regexp"

// JurisdictionKind is the administrative level or nature of a jurisdiction.
type JurisdictionKind string

// The jurisdiction kinds found in the Chengdu–Chongqing data; zones are
// functional areas administered beside or inside the regular tree.
const (
	Province     JurisdictionKind = "province"
	Municipality JurisdictionKind = "municipality"
	City         JurisdictionKind = "city"
	District     JurisdictionKind = "district"
	County       JurisdictionKind = "county"
	CountyCity   JurisdictionKind = "county_city"
	Zone         JurisdictionKind = "zone"
)

// JurisdictionKinds lists every kind, in order of level.
var JurisdictionKinds = []JurisdictionKind{Province, Municipality, City, District, County, CountyCity, Zone}

// Jurisdiction is a node of the administrative tree: province or
// municipality, city, district, county or zone.
type Jurisdiction struct {
	Record
	ParentID int64            `json:"parent_id,omitempty"`
	Code     string           `json:"code"` // the six-digit administrative division code; zones may have none
	Name     string           `json:"name"`
	NameEN   string           `json:"name_en"`
	Kind     JurisdictionKind `json:"kind"`
	// ValidFrom and ValidTo bound the period in which the division existed,
	// since districts are merged and renamed over the years.
	ValidFrom Date `json:"valid_from"`
	ValidTo   Date `json:"valid_to"`
	// Overlaps lists jurisdictions this one lies inside or overlaps besides
	// its parent (成都东部新区 lies inside 简阳市).
	Overlaps []int64 `json:"overlaps"`
}

var divisionCode = regexp.MustCompile(`^[1-9][0-9]{5}$`)

// Validate implements Entity.
func (j *Jurisdiction) Validate() error {
	var p Problems
	checkName(&p, "name", j.Name)
	checkText(&p, "name_en", j.NameEN, MaxName)
	checkOneOf(&p, "kind", j.Kind, JurisdictionKinds)
	if j.Code != "" && !divisionCode.MatchString(j.Code) {
		p.Add("code", "must be a six-digit administrative division code")
	}
	checkOptionalID(&p, "parent_id", j.ParentID)
	if j.ParentID != 0 && j.ParentID == j.ID {
		p.Add("parent_id", "cannot be the jurisdiction itself")
	}
	checkDateRange(&p, "valid_from", j.ValidFrom, "valid_to", j.ValidTo)
	for _, id := range j.Overlaps {
		if id <= 0 || id == j.ID {
			p.Add("overlaps", "must list other jurisdictions by id")
			break
		}
	}
	checkText(&p, "source", j.Source, MaxText)
	return p.Err()
}

// Organization is a unit of a jurisdiction: a department, a district
// government, a zone's committee, a state enterprise, a hospital.
type Organization struct {
	Record
	JurisdictionID int64            `json:"jurisdiction_id"`
	Name           string           `json:"name"`
	NameEN         string           `json:"name_en"`
	Kind           OrganizationKind `json:"kind"`
	// Aliases are other names people write for the unit in ledgers and
	// letters (成都市发改委 for 成都市发展和改革委员会), so an import can
	// resolve them.
	Aliases []string `json:"aliases"`
}

// OrganizationKind says what sort of body a unit is.
type OrganizationKind string

// The organization kinds.
const (
	Department    OrganizationKind = "department"
	Government    OrganizationKind = "government"
	ZoneCommittee OrganizationKind = "zone_committee"
	Enterprise    OrganizationKind = "enterprise"
	Hospital      OrganizationKind = "hospital"
	OtherBody     OrganizationKind = "other"
)

// OrganizationKinds lists every organization kind.
var OrganizationKinds = []OrganizationKind{Department, Government, ZoneCommittee, Enterprise, Hospital, OtherBody}

// Validate implements Entity.
func (o *Organization) Validate() error {
	var p Problems
	checkRequiredID(&p, "jurisdiction_id", o.JurisdictionID)
	checkName(&p, "name", o.Name)
	checkText(&p, "name_en", o.NameEN, MaxName)
	checkOneOf(&p, "kind", o.Kind, OrganizationKinds)
	if len(o.Aliases) > 20 {
		p.Add("aliases", "at most 20 aliases")
	}
	seen := map[string]bool{o.Name: true}
	for i, a := range o.Aliases {
		f := indexed("aliases", i)
		checkName(&p, f, a)
		if seen[a] {
			p.Add(f, "repeats the name or another alias")
		}
		seen[a] = true
	}
	checkText(&p, "source", o.Source, MaxText)
	return p.Err()
}
