// Package policy decides who may do what. Every surface — API, web pages,
// imports, commands — asks here, so the rules live in one place.
package policy

import "github.com/liandong/liandong/internal/domain"

// Action is what a caller wants to do with a kind of record.
type Action string

// The actions.
const (
	Read  Action = "read"
	Write Action = "write"
)

// Entities whose records only administrators manage.
var adminOnly = map[string]bool{"users": true, "jurisdictions": false}

// Check returns nil when u may perform action on records of entity, and a
// Forbidden error otherwise.
//
// The foundation's rule is coarse: administrators do everything; any user
// with a grant reads; secretariats and liaisons write. Scoping a grant to
// its mechanism, jurisdiction or unit is the access issue's work and will
// refine this function, not its callers.
func Check(u *domain.User, action Action, entity string) error {
	if u == nil {
		return domain.Errorf(domain.Unauthorized, "sign in first")
	}
	if u.IsAdmin() {
		return nil
	}
	if adminOnly[entity] {
		return domain.Errorf(domain.Forbidden, "only an administrator may manage %s", entity)
	}
	for _, g := range u.Grants {
		switch {
		case action == Read:
			return nil
		case g.Role == domain.SecretariatRole || g.Role == domain.Liaison:
			return nil
		}
	}
	return domain.Errorf(domain.Forbidden, "your roles do not allow you to %s %s", action, entity)
}
