package cli

import (
	"context"
	"flag"
	"fmt"
)

var tokenCreateCommand = &command{
	name:    "token create",
	args:    "--user EMAIL [flags]",
	summary: "issue an API token for a user",
	help: `
Issues an API token for the user with this e-mail address. It prints a line
describing the token, then the token itself alone on the last line, so that
scripts can take it with 'tail -n 1'. Only a hash is stored: the token
cannot be shown again. API calls carry it as "Authorization: Bearer TOKEN".`,
	setup: setupTokenCreate,
}

func setupTokenCreate(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	email := fs.String("user", "", "e-mail `address` of the user the token acts for (required)")
	name := fs.String("name", "", "`label` to recognise the token by in the list of tokens (default \"api\")")

	return func(ctx context.Context) error {
		if *email == "" {
			return usageErrorf("token create needs --user; run 'liandong token create --help'")
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
		secret, tok, err := s.CreateToken(ctx, operator, u.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(con.stdout, "token %d %q for %s (%s), shown only this once:\n%s\n", tok.ID, tok.Name, u.Email, u.Name, secret)
		return nil
	}
}
