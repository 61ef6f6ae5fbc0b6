package domain

import (
	"net/mail"
	"time"
)

// Role is what a user may do within a grant's scope.
type Role string

// The roles. Their rules live in one policy (see the access issue); the
// foundation records grants so that policy has them to read.
const (
	Admin           Role = "admin"       // everything, everywhere
	SecretariatRole Role = "secretariat" // everything within a mechanism
	Liaison         Role = "liaison"     // a unit's own items, tasks, problems and reports
	Leader          Role = "leader"      // reads
	Viewer          Role = "viewer"      // reads
)

// Roles lists the roles.
var Roles = []Role{Admin, SecretariatRole, Liaison, Leader, Viewer}

// ScopeKind says what a grant's scope refers to.
type ScopeKind string

// The grant scopes; a system-wide grant has none.
const (
	SystemScope       ScopeKind = ""
	MechanismScope    ScopeKind = "mechanism"
	JurisdictionScope ScopeKind = "jurisdiction"
	OrganizationScope ScopeKind = "organization"
)

// Grant gives a user a role within a scope.
type Grant struct {
	Role      Role      `json:"role"`
	ScopeKind ScopeKind `json:"scope_kind"`
	ScopeID   int64     `json:"scope_id,omitempty"`
}

// User is a person who signs in or holds API tokens.
type User struct {
	Record
	Email    string  `json:"email"`
	Name     string  `json:"name"`
	Locale   string  `json:"locale"` // zh-CN or en
	Disabled bool    `json:"disabled"`
	Grants   []Grant `json:"grants"`
	// Password is accepted on create and update and never returned.
	Password string `json:"password,omitempty"`
}

// Locales lists the interface languages, the default first.
var Locales = []string{"zh-CN", "en"}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Validate implements Entity.
func (u *User) Validate() error {
	var p Problems
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		p.Add("email", "must be an e-mail address such as name@example.gov.cn")
	}
	checkName(&p, "name", u.Name)
	checkOneOf(&p, "locale", u.Locale, Locales)
	if u.Password != "" && len([]rune(u.Password)) < MinPasswordLength {
		p.Addf("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(u.Password) > 200 {
		p.Add("password", "must be at most 200 bytes")
	}
	for i, g := range u.Grants {
		f := indexed("grants", i)
		checkOneOf(&p, f+".role", g.Role, Roles)
		checkOneOf(&p, f+".scope_kind", g.ScopeKind, []ScopeKind{SystemScope, MechanismScope, JurisdictionScope, OrganizationScope})
		if (g.ScopeKind == SystemScope) != (g.ScopeID == 0) {
			p.Add(f+".scope_id", "is required with a scope kind and only then")
		}
	}
	checkText(&p, "source", u.Source, MaxText)
	return p.Err()
}

// IsAdmin reports whether the user holds a system-wide admin grant.
func (u *User) IsAdmin() bool {
	for _, g := range u.Grants {
		if g.Role == Admin && g.ScopeKind == SystemScope {
			return true
		}
	}
	return false
}

// Token is an API token. Only a hash of its secret is stored; the secret is
// shown once, when the token is created.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // the first characters, to recognise a token in a list
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"` // refused from this moment on
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// AuditEvent records one change: who, when, what, before and after. Events
// are chained by hash so that an edited or deleted row is detectable.
type AuditEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"actor_id,omitempty"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID int64     `json:"entity_id"`
	Before   string    `json:"before,omitempty"` // JSON of the record before the change
	After    string    `json:"after,omitempty"`  // JSON of the record after the change
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
	// OccurredOn is the day the change happened, when the writer stated
	// one apart from the day it was recorded (At); OccurredPrecision says
	// how much of it is known. Zero: it happened when it was recorded.
	OccurredOn        Date          `json:"occurred_on,omitzero"`
	OccurredPrecision DatePrecision `json:"occurred_precision,omitempty"`
}

// Actor is who performs a change or a read; a zero Actor is the system
// itself (demo loading, migrations, commands run by the operator). User,
// when set, carries the grants the policy decides on.
type Actor struct {
	UserID int64
	Name   string
	User   *User
}

// ActorFor returns the actor acting as u.
func ActorFor(u *User) Actor {
	if u == nil {
		return Actor{}
	}
	return Actor{UserID: u.ID, Name: u.Name, User: u}
}
