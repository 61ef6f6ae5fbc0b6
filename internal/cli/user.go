package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// operator acts for the person at the terminal. It is the system actor:
// whoever runs the binary against the database already holds every right,
// and the audit trail records such changes with no user.
var operator = domain.Actor{Name: "console"}

var userAddCommand = &command{
	name:    "user add",
	args:    "--email E --name N [flags]",
	summary: "create a user",
	help: `
Creates a user and prints its id. The password comes from --password or,
better, from LIANDONG_PASSWORD, which stays out of the shell history and
the process list; without one the user can only use API tokens. --role
grants one role, system-wide or, with --scope-kind and --scope-id, within
one mechanism, jurisdiction or organization; without --role the user holds
no grant. Invalid input is reported field by field and exits 2.`,
	setup: setupUserAdd,
}

func setupUserAdd(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	email := fs.String("email", "", "e-mail `address`, used to sign in (required)")
	name := fs.String("name", "", "the user's full `name` (required)")
	password := fs.String("password", "", fmt.Sprintf("sign-in `password`, at least %d characters (env LIANDONG_PASSWORD, preferred)", domain.MinPasswordLength))
	role := fs.String("role", "", "`role` to grant: "+joinRoles())
	scopeKind := fs.String("scope-kind", "", "limit the role to one `kind` of scope: mechanism, jurisdiction or organization")
	scopeID := fs.Int64("scope-id", 0, "`id` of the mechanism, jurisdiction or organization the role is limited to")
	locale := fs.String("locale", domain.Locales[0], "interface `language`: "+strings.Join(domain.Locales, " or "))

	return func(ctx context.Context) error {
		if *email == "" || *name == "" {
			return usageErrorf("user add needs --email and --name; run 'liandong user add --help'")
		}
		u := &domain.User{Email: *email, Name: *name, Locale: *locale, Password: *password, Grants: []domain.Grant{}}
		switch {
		case *role != "":
			u.Grants = append(u.Grants, domain.Grant{Role: domain.Role(*role), ScopeKind: domain.ScopeKind(*scopeKind), ScopeID: *scopeID})
		case *scopeKind != "" || *scopeID != 0:
			return usageErrorf("--scope-kind and --scope-id limit a role: give --role too")
		}
		s, err := db.openCurrent(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Users.Create(ctx, operator, u); err != nil {
			return err
		}
		fmt.Fprintln(con.stdout, u.ID)
		return nil
	}
}

func joinRoles() string {
	names := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
