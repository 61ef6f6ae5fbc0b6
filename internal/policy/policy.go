// Package policy decides who may do what. It is the one place the rules of
// access live: the store asks it on every read and write, whatever the path
// (API, web pages, imports, commands), so no surface can forget a check.
//
// The rules:
//   - The system itself (no user: demo loading, migrations, background jobs,
//     the operator's commands) may do everything.
//   - An administrator may do everything.
//   - A secretariat of a mechanism may read and change everything in it.
//   - A leader or viewer reads: everything when the grant has no scope, the
//     records of a mechanism when scoped to one — but not reports still in
//     draft, which are their unit's and the secretariat's.
//   - A liaison acts for units — the unit of the grant, or every unit of the
//     grant's jurisdiction and the jurisdictions below it, in every
//     mechanism; or, for a grant scoped to a mechanism, that mechanism's
//     member units on that mechanism's records only. It reads the shared
//     records (places, units, mechanisms, meetings, batches, agreements,
//     lists, indicators) and, of the unit-owned records (items, tasks,
//     problems, reports), only those its units are party to; it changes
//     only those, and reports only for its own units; a task is changed
//     by its lead unit's liaisons only (its cooperating units read it).
//   - A mechanism's secrets (its notification channels' addresses) are
//     shown whole only to those who administer it; see Administers.
//   - Reference data (jurisdictions, units, mechanisms' membership) and
//     users are changed by administrators; a secretariat may change its own
//     mechanism.
//   - How the installation federates (its peers, their keys, what crossed)
//     is seen by administrators only.
package policy

import (
	"slices"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Action is what a caller wants to do.
type Action string

// The actions.
const (
	Read  Action = "read"
	Write Action = "write"
)

// Principal is a user with their grants resolved: the store resolves a
// jurisdiction grant into the units of that jurisdiction and below, and a
// mechanism grant of a liaison into that mechanism's member units, since
// that needs the database.
type Principal struct {
	User          *domain.User
	Admin         bool
	ReadsAll      bool     // leader or viewer without scope
	Secretariat   []int64  // mechanisms
	Readers       []int64  // mechanisms a leader or viewer grant is scoped to
	Liaison       []Acting // what each liaison grant acts for, and where
	ReaderUnits   []int64  // units a leader or viewer scoped to a unit or jurisdiction reads for, in every mechanism
	LiaisonGrants bool     // holds any liaison grant (even one whose scope has no units)
}

// Acting is what one liaison grant acts for: its units, inside the
// mechanism the grant is scoped to, or in every mechanism when the grant is
// scoped to a unit or a jurisdiction. A grant on mechanism A acting for A's
// members only on A's records is what keeps A's member list, which A's
// secretariat edits, from deciding anything in mechanism B.
type Acting struct {
	Mechanism int64 // 0: in every mechanism
	Units     []int64
}

// UnitsIn returns the units p acts for as a liaison on the records of
// mechanism.
func (p *Principal) UnitsIn(mechanism int64) []int64 {
	if p == nil {
		return nil
	}
	var out []int64
	for _, a := range p.Liaison {
		if a.Mechanism == 0 || a.Mechanism == mechanism {
			out = append(out, a.Units...)
		}
	}
	return out
}

// ActsForAnywhere returns every unit p acts for as a liaison, in any
// mechanism: the units whose reports p may write somewhere.
func (p *Principal) ActsForAnywhere() []int64 {
	if p == nil {
		return nil
	}
	var out []int64
	for _, a := range p.Liaison {
		for _, u := range a.Units {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// Administers reports whether p may read and change mechanism's own
// settings, secrets included: the system, administrators and the
// mechanism's secretariat. Everyone else who reads them sees secrets masked.
func (p *Principal) Administers(mechanism int64) bool {
	return p.System() || p.Admin || (mechanism != 0 && slices.Contains(p.Secretariat, mechanism))
}

// System reports whether the principal is the system itself.
func (p *Principal) System() bool { return p == nil || p.User == nil }

// Object is what the policy needs to know of a record: its kind, the
// mechanism it belongs to and the units it belongs to.
type Object struct {
	Entity      string
	MechanismID int64   // 0 when the record belongs to no mechanism
	Units       []int64 // units that are party to or responsible for it
	ReportUnit  int64   // for a report, the unit reporting
	// Draft marks a report not yet submitted: its unit's liaisons and the
	// mechanism's secretariat read it, leaders and viewers do not.
	Draft bool
	// Invited are units a pending change asks to become a lead of the
	// record (an item): not yet parties, they read it, to see what they
	// are asked to confirm, and change nothing until they are.
	Invited []int64
	// Leads, when set, are the units whose liaisons may change the record
	// (a task's lead unit); the other units of Units read it only.
	Leads []int64
}

// unitOwned lists the entities whose records belong to units.
var unitOwned = map[string]bool{"items": true, "tasks": true, "problems": true, "reports": true}

// mechanismPrivate lists a mechanism's own settings, which hold secrets
// (webhook addresses carry robots' access tokens): only those who oversee
// the mechanism read them.
var mechanismPrivate = map[string]bool{"notification_channels": true, "column_mappings": true}

// adminOwned lists the reference data only administrators change.
var adminOwned = map[string]bool{"jurisdictions": true, "organizations": true, "users": true, "mechanisms": true}

// Decide returns nil when p may perform action on obj, a Forbidden error
// otherwise. Callers that read turn Forbidden into NotFound, so guessing ids
// tells nothing.
func Decide(p *Principal, action Action, obj Object) error {
	if p.System() || p.Admin {
		return nil
	}
	if p.User.Disabled || obj.Entity == "users" {
		return forbidden(action, obj)
	}
	// A secretariat does everything in its mechanism, the mechanism included.
	if obj.MechanismID != 0 && slices.Contains(p.Secretariat, obj.MechanismID) {
		return nil
	}
	if action == Write && adminOwned[obj.Entity] {
		return forbidden(action, obj)
	}
	if action == Read && !obj.Draft {
		if p.ReadsAll || (obj.MechanismID != 0 && slices.Contains(p.Readers, obj.MechanismID)) {
			return nil
		}
		if !unitOwned[obj.Entity] && !mechanismPrivate[obj.Entity] && p.holdsAnyRole() {
			return nil // shared records are readable by everyone with a role
		}
		if unitOwned[obj.Entity] && actsFor(p.ReaderUnits, obj) {
			return nil
		}
	}
	// A liaison acts for its units on the records of the mechanisms its
	// grants reach: a record belongs to exactly one mechanism.
	units := p.UnitsIn(obj.MechanismID)
	if unitOwned[obj.Entity] && actsFor(units, obj) {
		if action == Write && obj.Leads != nil && !actsFor(units, Object{Entity: obj.Entity, Units: obj.Leads}) {
			return domain.Errorf(domain.Forbidden, "only the liaisons of the lead unit and the mechanism's secretariat may change this %s", singular(obj.Entity))
		}
		return nil
	}
	if action == Read && slices.ContainsFunc(obj.Invited, func(u int64) bool { return slices.Contains(units, u) }) {
		return nil
	}
	return forbidden(action, obj)
}

// actsFor reports whether units own obj: for a report, the reporting unit;
// for other records, any unit party to or responsible for it.
func actsFor(units []int64, obj Object) bool {
	if obj.Entity == "reports" {
		return slices.Contains(units, obj.ReportUnit)
	}
	for _, u := range obj.Units {
		if slices.Contains(units, u) {
			return true
		}
	}
	return false
}

func (p *Principal) holdsAnyRole() bool {
	return p.LiaisonGrants || p.ReadsAll || len(p.Readers) > 0 || len(p.Secretariat) > 0 || len(p.ReaderUnits) > 0
}

func forbidden(action Action, obj Object) error {
	return domain.Errorf(domain.Forbidden, "you may not %s this %s", action, singular(obj.Entity))
}

func singular(entity string) string {
	switch entity {
	case "batches":
		return "batch"
	case "catalog_entries":
		return "catalog entry"
	}
	return strings.TrimSuffix(entity, "s")
}

// Scope is the set of records of one entity a principal may list: all,
// none, or those within any of its reaches.
type Scope struct {
	All     bool // no restriction
	None    bool // nothing
	Reaches []Reach
}

// Reach is one part of a read scope: the records of Mechanism (0: of every
// mechanism); when ByUnits, only those Units are party to (reports: that
// they report); when Submitted, of reports only the submitted ones.
type Reach struct {
	Mechanism int64
	ByUnits   bool
	Units     []int64
	Submitted bool
}

// ReadScope tells which records of entity p may list. The store turns it
// into SQL; Decide remains the rule for a single record, and the two say
// the same.
func ReadScope(p *Principal, entity string) Scope {
	if p.System() || p.Admin {
		return Scope{All: true}
	}
	if entity == "users" {
		return Scope{None: true}
	}
	// Reports have drafts, which readers do not see.
	drafts := entity == "reports"
	if p.ReadsAll && !drafts {
		return Scope{All: true}
	}
	if !unitOwned[entity] && !mechanismPrivate[entity] {
		if p.holdsAnyRole() {
			return Scope{All: true} // shared records
		}
		return Scope{None: true}
	}
	var sc Scope
	for _, m := range p.Secretariat {
		sc.Reaches = append(sc.Reaches, Reach{Mechanism: m})
	}
	if p.ReadsAll {
		sc.Reaches = append(sc.Reaches, Reach{Submitted: true})
	}
	for _, m := range p.Readers {
		sc.Reaches = append(sc.Reaches, Reach{Mechanism: m, Submitted: drafts})
	}
	if unitOwned[entity] {
		if len(p.ReaderUnits) > 0 {
			sc.Reaches = append(sc.Reaches, Reach{ByUnits: true, Units: p.ReaderUnits, Submitted: drafts})
		}
		for _, a := range p.Liaison {
			if len(a.Units) > 0 {
				sc.Reaches = append(sc.Reaches, Reach{Mechanism: a.Mechanism, ByUnits: true, Units: a.Units})
			}
		}
	}
	if len(sc.Reaches) == 0 {
		return Scope{None: true}
	}
	return sc
}

// Federation is what Check is asked about for the federation page: the
// peers, their keys and what crossed, which only administrators see.
const Federation = "federation"

// Check is the coarse gate a handler may apply before loading anything:
// whether u may perform action on records of entity at all. The store's
// object-level Decide still applies to each record.
func Check(u *domain.User, action Action, entity string) error {
	if u == nil {
		return domain.Errorf(domain.Unauthorized, "sign in first")
	}
	if u.Disabled {
		return domain.Errorf(domain.Forbidden, "your account is disabled")
	}
	if u.IsAdmin() {
		return nil
	}
	if entity == "users" {
		return domain.Errorf(domain.Forbidden, "only an administrator may manage users")
	}
	if entity == Federation {
		return domain.Errorf(domain.Forbidden, "only an administrator may see how this installation federates")
	}
	if len(u.Grants) == 0 {
		return domain.Errorf(domain.Forbidden, "you hold no role yet; ask an administrator")
	}
	if action == Write && adminOwned[entity] && entity != "mechanisms" {
		return domain.Errorf(domain.Forbidden, "only an administrator may change %s", entity)
	}
	if action == Write {
		for _, g := range u.Grants {
			if g.Role == domain.SecretariatRole || g.Role == domain.Liaison {
				return nil
			}
		}
		return domain.Errorf(domain.Forbidden, "your roles let you read, not change, %s", entity)
	}
	return nil
}

// NameUnits decides who resolves the unit names a mechanism's ledgers
// write: an administrator, or the mechanism's secretariat, which brings the
// ledger in. It may give a unit of a side's jurisdiction the name people
// write for it (an alias), or create a unit in a side's jurisdiction; the
// store checks the jurisdiction. Neither changes what any record of another
// mechanism says, so the secretariat's scope is not widened.
func NameUnits(p *Principal, mechanism int64) error {
	if p.System() || p.Admin || slices.Contains(p.Secretariat, mechanism) {
		return nil
	}
	return domain.Errorf(domain.Forbidden, "only the mechanism's secretariat may name the units its ledgers write")
}

// Oversee decides on views and actions that span a whole mechanism — its
// meeting packs, reporting periods, lights and overdue problems — which
// summarise every unit's records: administrators and the mechanism's
// secretariat may; leaders and viewers of it may read them; liaisons may
// not, since they see only their units' share.
func Oversee(p *Principal, mechanism int64, action Action) error {
	switch {
	case p.System() || p.Admin || slices.Contains(p.Secretariat, mechanism):
		return nil
	case action == Read && (p.ReadsAll || slices.Contains(p.Readers, mechanism)):
		return nil
	}
	return domain.Errorf(domain.Forbidden, "only the mechanism's secretariat and leaders may %s what spans the whole mechanism", action)
}

// Review decides who accepts or returns (退回) a unit's submitted report
// in mechanism: administrators and the mechanism's secretariat, who
// receive the reports. A liaison may not judge a report, its own unit's or
// another's, and leaders and viewers only read.
func Review(p *Principal, mechanism int64) error {
	if p.System() || p.Admin || (mechanism != 0 && slices.Contains(p.Secretariat, mechanism)) {
		return nil
	}
	return domain.Errorf(domain.Forbidden, "only the secretariat of the report's mechanism may accept or return a report")
}

// Speaking returns u with only the grants that may speak on a record: all
// but a viewer's. The store resolves the principal Comment decides on from
// it, so a viewer who also acts for a unit speaks only where the unit does.
func Speaking(u *domain.User) *domain.User {
	if u == nil {
		return nil
	}
	s := *u
	s.Grants = nil
	for _, g := range u.Grants {
		if g.Role != domain.Viewer {
			s.Grants = append(s.Grants, g)
		}
	}
	return &s
}

// Comment decides who may comment on a record (an item, a problem, a task)
// that obj describes: whoever reads it through a grant other than a
// viewer's — its units' liaisons, the mechanism's secretariat, leaders
// (whose instructions, 批示, belong on the record) and administrators. A
// viewer only reads. p is the principal of Speaking(user); the caller has
// already refused, as not found, a record the user may not read at all.
func Comment(p *Principal, obj Object) error {
	if err := Decide(p, Read, obj); err != nil {
		return domain.Errorf(domain.Forbidden, "your roles let you read this %s, not comment on it", singular(obj.Entity))
	}
	return nil
}

// SpeaksFor decides whether p may write a comment on a record of mechanism
// as unit: a liaison for the units it acts for there; the system and
// administrators for any unit.
func SpeaksFor(p *Principal, mechanism, unit int64) error {
	if p.System() || p.Admin || slices.Contains(p.UnitsIn(mechanism), unit) {
		return nil
	}
	return domain.Errorf(domain.Forbidden, "you do not act for unit %d", unit).
		With(domain.FieldErrorf("unit_id", "must be a unit you act for"))
}

// Responds returns the units of responsible (a problem's responsible units
// in mechanism) that p may answer the problem for, a response being a
// unit's word: those it acts for as a liaison. Administrators and the
// secretariat answer for no unit.
func Responds(p *Principal, mechanism int64, responsible []int64) []int64 {
	var out []int64
	for _, u := range p.UnitsIn(mechanism) {
		if slices.Contains(responsible, u) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}
