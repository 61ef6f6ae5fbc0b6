package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var tokenCreateCommand = &command{
	name:    "token create",
	args:    "--user EMAIL [flags]",
	summary: "issue an API token for a user",
	help: `
Issues an API token for the user with this e-mail address. It prints a line
describing the token, then the token itself alone on the last line, so that
scripts can take it with 'tail -n 1'. Only a hash is stored: the token
cannot be shown again. API calls carry it as "Authorization: Bearer TOKEN".
The token expires after 90 days unless --expires says otherwise: a number
of days ("30d") or a date ("2025-06-30", the end of that day in UTC), at
most 366 days ahead.`,
	setup: setupTokenCreate,
}

func setupTokenCreate(fs *flag.FlagSet, con *console) func(context.Context) error {
	var db storeOptions
	db.define(fs)
	email := fs.String("user", "", "e-mail `address` of the user the token acts for (required)")
	name := fs.String("name", "", "`label` to recognise the token by in the list of tokens (default \"api\")")
	expires := fs.String("expires", "", "when the token stops working: a number of days (`30d`) or a date (2025-06-30); default 90d")

	return func(ctx context.Context) error {
		if *email == "" {
			return usageErrorf("token create needs --user; run 'liandong token create --help'")
		}
		until, err := parseExpiry(*expires, time.Now())
		if err != nil {
			return usageErrorf("token create --expires: %v", err)
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
		secret, tok, err := s.CreateTokenUntil(ctx, operator, u.ID, *name, until)
		if err != nil {
			return err
		}
		fmt.Fprintf(con.stdout, "token %d %q for %s (%s), expires %s, shown only this once:\n%s\n", tok.ID, tok.Name, u.Email, u.Name,
			tok.ExpiresAt.Format(time.RFC3339), secret)
		return nil
	}
}

// parseExpiry reads --expires: "" (the store's default), a number of days
// with a "d" ("30d"), or a date, which lasts to the end of that day in UTC.
func parseExpiry(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return time.Time{}, fmt.Errorf("%q is not a positive number of days", v)
		}
		return now.Add(time.Duration(n) * 24 * time.Hour), nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a number of days (30d) nor a date (2025-06-30)", v)
	}
	return d.AddDate(0, 0, 1), nil
}
