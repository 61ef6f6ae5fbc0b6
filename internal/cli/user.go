package cli

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

var userPasswordCommand = &command{
	name:    "user password",
	args:    "--email E [--password P]",
	summary: "set a new password for a user (a lost administrator password's way back)",
	help: `
Sets a new password for the user with this e-mail address: the one given
by --password or, better, LIANDONG_PASSWORD; without one a random password
is generated and printed, shown only this once. The user's web sessions and
API tokens end at once, as when an administrator resets a password on the
user's page. Run it on the machine that holds the data, e.g. after the
demo's first-run password was lost.`,
	setup: setupUserPassword,
}

func setupUserPassword(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	email := fs.String("email", "", "e-mail `address` of the user (required)")
	password := fs.String("password", "", fmt.Sprintf("the new `password`, at least %d characters (env LIANDONG_PASSWORD, preferred); empty: generate one", domain.MinPasswordLength))

	return func(ctx context.Context) error {
		if *email == "" {
			return usageErrorf("user password needs --email; run 'liandong user password --help'")
		}
		s, err := db.openCurrent(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		u, err := s.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		generated := *password == ""
		u.Password = *password
		if generated {
			// 26 base32 characters, 130 random bits, as the demo's.
			u.Password = rand.Text()
		}
		shown := u.Password
		if err := s.Users.Update(ctx, operator, u); err != nil {
			return err
		}
		if generated {
			fmt.Fprintf(con.stdout, "new password for %s (%s), shown only this once:\n%s\n", u.Email, u.Name, shown)
		} else {
			fmt.Fprintf(con.stdout, "password of %s (%s) changed\n", u.Email, u.Name)
		}
		return nil
	}
}

// selfCommand is how the person at the terminal runs this program again,
// for the commands a hint prints: "liandong" when that name on PATH is this
// binary; "go run ./cmd/liandong" for a binary go run built in its
// temporary directory; otherwise the binary's own path.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "liandong"
	}
	onPath, _ := exec.LookPath("liandong")
	return selfCommandFor(exe, onPath)
}

// selfCommandFor is selfCommand for the executable exe, given what the
// name liandong finds on PATH ("" when nothing).
func selfCommandFor(exe, onPath string) string {
	if onPath != "" {
		a, errA := os.Stat(exe)
		b, errB := os.Stat(onPath)
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return "liandong"
		}
	}
	for _, part := range strings.Split(filepath.ToSlash(exe), "/") {
		if strings.HasPrefix(part, "go-build") {
			return "go run ./cmd/liandong"
		}
	}
	return shellQuote(exe)
}
