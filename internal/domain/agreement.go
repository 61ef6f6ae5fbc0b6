package domain

// AgreementKind is the form a pairing takes.
type AgreementKind string

// The agreement kinds.
const (
	StrategicAgreement AgreementKind = "strategic_agreement"
	Memorandum         AgreementKind = "memorandum"
	ActionPlan         AgreementKind = "action_plan"
	CooperationProgram AgreementKind = "program"
)

// AgreementKinds lists the agreement kinds.
var AgreementKinds = []AgreementKind{StrategicAgreement, Memorandum, ActionPlan, CooperationProgram}

// Agreement pairs jurisdictions or units (天府新区 with 两江新区, 温江 with
// 巴南) under a strategic agreement, memorandum or action plan.
type Agreement struct {
	Record
	MechanismID int64            `json:"mechanism_id,omitempty"`
	Title       string           `json:"title"`
	Kind        AgreementKind    `json:"kind"`
	SignedOn    Date             `json:"signed_on"`
	Terms       string           `json:"terms"`
	Parties     []AgreementParty `json:"parties"`
}

// AgreementParty is one signatory: a jurisdiction, or a unit of one.
type AgreementParty struct {
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
	OrganizationID int64 `json:"organization_id,omitempty"`
}

// Validate implements Entity.
func (a *Agreement) Validate() error {
	var p Problems
	checkOptionalID(&p, "mechanism_id", a.MechanismID)
	checkName(&p, "title", a.Title)
	checkOneOf(&p, "kind", a.Kind, AgreementKinds)
	checkText(&p, "terms", a.Terms, MaxText)
	if len(a.Parties) < 2 {
		p.Add("parties", "an agreement pairs at least two parties")
	}
	for i, pt := range a.Parties {
		if (pt.JurisdictionID > 0) == (pt.OrganizationID > 0) {
			p.Add(indexed("parties", i), "names either a jurisdiction_id or an organization_id")
		}
	}
	checkText(&p, "source", a.Source, MaxText)
	return p.Err()
}

// Catalog is a shared list (cross-region services, mutual recognitions),
// published in editions; DeclaredCount is what the source announced.
type Catalog struct {
	Record
	MechanismID   int64  `json:"mechanism_id,omitempty"`
	AgreementID   int64  `json:"agreement_id,omitempty"`
	Name          string `json:"name"`
	Edition       int    `json:"edition"`
	PublishedOn   Date   `json:"published_on"`
	Description   string `json:"description"`
	DeclaredCount int    `json:"declared_count"`
	RecordedCount int    `json:"recorded_count"` // read-only, counted from the entries
}

// Validate implements Entity.
func (c *Catalog) Validate() error {
	var p Problems
	checkOptionalID(&p, "mechanism_id", c.MechanismID)
	checkOptionalID(&p, "agreement_id", c.AgreementID)
	checkName(&p, "name", c.Name)
	if c.Edition < 1 || c.Edition > 1000 {
		p.Add("edition", "must be between 1 and 1000")
	}
	checkText(&p, "description", c.Description, MaxText)
	if c.DeclaredCount < 0 || c.DeclaredCount > 1_000_000 {
		p.Add("declared_count", "must be between 0 and 1000000")
	}
	checkText(&p, "source", c.Source, MaxText)
	return p.Err()
}

// ServiceMode is how a shared service is delivered across the line.
type ServiceMode string

// The service modes of 川渝通办; mutual-recognition entries have none.
const (
	NoServiceMode ServiceMode = ""
	FullyOnline   ServiceMode = "fully_online"   // 全程网办
	ProxyHandling ServiceMode = "proxy_handling" // 异地代收代办
	JointHandling ServiceMode = "joint_handling" // 多地联办
)

// ServiceModes lists the service modes, the empty one first.
var ServiceModes = []ServiceMode{NoServiceMode, FullyOnline, ProxyHandling, JointHandling}

// AdoptionStatus says whether a jurisdiction offers a catalog entry.
type AdoptionStatus string

// The adoption statuses.
const (
	Planned  AdoptionStatus = "planned"
	Adopted  AdoptionStatus = "adopted"
	Declined AdoptionStatus = "declined"
)

// CatalogEntry is one service or recognition of a catalog, with its adoption
// per jurisdiction.
type CatalogEntry struct {
	Record
	CatalogID   int64       `json:"catalog_id"`
	Number      string      `json:"number"`
	Name        string      `json:"name"`
	Department  string      `json:"department"`
	ServiceMode ServiceMode `json:"service_mode"`
	Adoptions   []Adoption  `json:"adoptions"`
}

// Adoption is a jurisdiction's take-up of a catalog entry.
type Adoption struct {
	JurisdictionID int64          `json:"jurisdiction_id"`
	Status         AdoptionStatus `json:"status"`
	Since          Date           `json:"since"`
}

// Validate implements Entity.
func (e *CatalogEntry) Validate() error {
	var p Problems
	checkRequiredID(&p, "catalog_id", e.CatalogID)
	if !itemNumber.MatchString(e.Number) {
		p.Add("number", "must be at most 40 letters, digits or . _ / -")
	}
	checkName(&p, "name", e.Name)
	checkText(&p, "department", e.Department, MaxName)
	checkOneOf(&p, "service_mode", e.ServiceMode, ServiceModes)
	seen := map[int64]bool{}
	for i, a := range e.Adoptions {
		f := indexed("adoptions", i)
		checkRequiredID(&p, f+".jurisdiction_id", a.JurisdictionID)
		if seen[a.JurisdictionID] {
			p.Add(f+".jurisdiction_id", "is listed twice")
		}
		seen[a.JurisdictionID] = true
		checkOneOf(&p, f+".status", a.Status, []AdoptionStatus{Planned, Adopted, Declined})
	}
	checkText(&p, "source", e.Source, MaxText)
	return p.Err()
}

// Indicator is a named series with dated values and a target.
type Indicator struct {
	Record
	MechanismID int64            `json:"mechanism_id,omitempty"`
	Name        string           `json:"name"`
	NameEN      string           `json:"name_en"`
	Unit        string           `json:"unit"`
	Scope       string           `json:"scope"`
	Target      *float64         `json:"target,omitempty"`
	TargetOn    Date             `json:"target_on"`
	Values      []IndicatorValue `json:"values"`
}

// IndicatorValue is one observation of an indicator.
type IndicatorValue struct {
	ObservedOn Date    `json:"observed_on"`
	Value      float64 `json:"value"`
	Note       string  `json:"note"`
	Source     string  `json:"source"`
}

// Validate implements Entity.
func (in *Indicator) Validate() error {
	var p Problems
	checkOptionalID(&p, "mechanism_id", in.MechanismID)
	checkName(&p, "name", in.Name)
	checkText(&p, "name_en", in.NameEN, MaxName)
	checkText(&p, "unit", in.Unit, 40)
	checkText(&p, "scope", in.Scope, MaxName)
	seen := map[string]bool{}
	for i, v := range in.Values {
		f := indexed("values", i)
		if v.ObservedOn.IsZero() {
			p.Add(f+".observed_on", "is required")
		} else if seen[v.ObservedOn.String()] {
			p.Add(f+".observed_on", "has two values on this date")
		}
		seen[v.ObservedOn.String()] = true
		checkText(&p, f+".note", v.Note, MaxName*2)
		checkText(&p, f+".source", v.Source, MaxText)
	}
	checkText(&p, "source", in.Source, MaxText)
	return p.Err()
}
