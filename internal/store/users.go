package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/auth"
	"github.com/liandong/liandong/internal/domain"
)

var users = &table[domain.User, *domain.User]{
	name:    "users",
	columns: []string{"email", "name", "locale", "disabled"},
	fields: func(u *domain.User) []any {
		return []any{strings.ToLower(u.Email), u.Name, u.Locale, u.Disabled}
	},
	targets: func(u *domain.User) []any {
		return []any{&u.Email, &u.Name, &u.Locale, &u.Disabled}
	},
	// load reads the grants, a user's only children; Frame reads them in
	// its own query for the session's user (takeGrants): a child added
	// here must be read there too.
	load: func(ctx context.Context, r reader, page []*domain.User) error {
		args, byID := ids(page)
		for _, u := range page {
			u.Grants = []domain.Grant{}
		}
		return loadRows(ctx, r, "SELECT user_id, role, scope_kind, scope_id FROM role_grants WHERE user_id IN (?) ORDER BY user_id, position", args, func(rows *sql.Rows) error {
			var id int64
			var g domain.Grant
			if err := rows.Scan(&id, &g.Role, &g.ScopeKind, &g.ScopeID); err != nil {
				return err
			}
			byID[id].Grants = append(byID[id].Grants, g)
			return nil
		})
	},
	// save stores the grants and, when a new password was given, its hash;
	// the password itself is cleared before the audit event is written. A
	// new password or a disabled account ends the user's credentials.
	save: func(ctx context.Context, t *Tx, u *domain.User) error {
		rows := make([][]any, len(u.Grants))
		for i, g := range u.Grants {
			rows[i] = []any{i, string(g.Role), string(g.ScopeKind), g.ScopeID}
		}
		if err := t.replaceRows(ctx, "role_grants", "user_id", u.ID, []string{"position", "role", "scope_kind", "scope_id"}, rows); err != nil {
			return err
		}
		if u.Password != "" || u.Disabled {
			if err := t.endCredentials(ctx, u.ID); err != nil {
				return err
			}
		}
		if u.Password == "" {
			return nil
		}
		hash, err := auth.HashPassword(u.Password)
		u.Password = ""
		if err != nil {
			return domain.Internalf(err, "hash password")
		}
		if _, err := t.reader().exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, u.ID); err != nil {
			return domain.Internalf(err, "store password")
		}
		return nil
	},
	filters: map[string]filter{
		"email": func(v string) (string, []any, error) { return "email = ?", []any{strings.ToLower(v)}, nil },
		"q":     byQuery("name", "email"),
	},
	sorts: map[string]sortKey{"name": {"name", sortText}, "email": {"email", sortText}},
}

// UserByEmail returns the user with this e-mail address. Errors: NotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (*domain.User, error) {
	var id int64
	err := s.reader().queryRow(ctx, "SELECT id FROM users WHERE email = ?", strings.ToLower(email)).Scan(&id)
	if isNoRows(err) {
		return nil, domain.Errorf(domain.NotFound, "no user with e-mail %s", email)
	}
	if err != nil {
		return nil, domain.Internalf(err, "find user")
	}
	return s.Users.Get(ctx, id)
}

// CheckPassword returns the enabled user whose e-mail and password match.
// Errors: Unauthorized, the same for an unknown address and a wrong password.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (*domain.User, error) {
	var id int64
	var hash string
	var disabled bool
	err := s.reader().queryRow(ctx, "SELECT id, password_hash, disabled FROM users WHERE email = ? AND archived_at IS NULL", strings.ToLower(email)).Scan(&id, &hash, &disabled)
	if err != nil && !isNoRows(err) {
		return nil, domain.Internalf(err, "find user")
	}
	if err != nil || disabled || hash == "" || !auth.CheckPassword(hash, password) {
		return nil, domain.Errorf(domain.Unauthorized, "wrong e-mail address or password")
	}
	return s.Users.Get(ctx, id)
}

// API tokens expire: TokenLifetime after they are issued unless another
// expiry is asked for, and never later than MaxTokenLifetime. A script
// that runs for years gets a new token now and then, and a token
// forgotten in a file stops working by itself.
const (
	TokenLifetime    = 90 * 24 * time.Hour
	MaxTokenLifetime = 366 * 24 * time.Hour
)

// CreateToken issues an API token for a user, valid for TokenLifetime, and
// returns its secret, which is not stored and cannot be shown again.
// Errors: NotFound, Invalid.
func (s *Store) CreateToken(ctx context.Context, actor domain.Actor, userID int64, name string) (string, domain.Token, error) {
	return s.CreateTokenUntil(ctx, actor, userID, name, time.Time{})
}

// CreateTokenUntil is CreateToken with the token refused from expires on;
// the zero time means TokenLifetime from now. Errors: NotFound, Invalid
// (an expiry in the past or beyond MaxTokenLifetime).
func (s *Store) CreateTokenUntil(ctx context.Context, actor domain.Actor, userID int64, name string, expires time.Time) (string, domain.Token, error) {
	tok := domain.Token{UserID: userID, Name: strings.TrimSpace(name)}
	if tok.Name == "" {
		tok.Name = "api"
	}
	now := s.now()
	if expires.IsZero() {
		expires = now.Add(TokenLifetime)
	}
	tok.ExpiresAt = expires.UTC().Truncate(time.Microsecond)
	var p domain.Problems
	if len([]rune(tok.Name)) > domain.MaxName {
		p.Addf("name", "is longer than %d characters", domain.MaxName)
	}
	if !tok.ExpiresAt.After(now) {
		p.Add("expires_at", "is not in the future")
	} else if tok.ExpiresAt.Sub(now) > MaxTokenLifetime {
		p.Addf("expires_at", "is more than %d days ahead", int(MaxTokenLifetime/(24*time.Hour)))
	}
	if err := p.Err(); err != nil {
		return "", tok, err
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return "", tok, domain.Internalf(err, "make token")
	}
	tok.Prefix = secret[:len(auth.TokenPrefix)+6]
	err = s.Write(ctx, actor, func(t *Tx) error {
		if ok, err := t.reader().exists(ctx, "users", userID); err != nil {
			return domain.Internalf(err, "find user")
		} else if !ok {
			return domain.Errorf(domain.NotFound, "user %d not found", userID)
		}
		tok.CreatedAt = t.now
		if err := t.reader().queryRow(ctx, "INSERT INTO api_tokens (user_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			userID, tok.Name, tok.Prefix, hash, tok.CreatedAt, tok.ExpiresAt).Scan(&tok.ID); err != nil {
			return domain.Internalf(err, "store token")
		}
		// The event holds the secret's hash too, so that audit verify
		// catches a hash swapped for that of a secret someone else holds.
		return t.audit(ctx, "create", "api_tokens", tok.ID, nil, struct {
			domain.Token
			Hash string `json:"hash"`
		}{tok, hash})
	})
	return secret, tok, err
}

// tokenExpiry is when a token stops working: its recorded expiry, or for
// a token issued before tokens carried one, TokenLifetime after its issue.
func tokenExpiry(created time.Time, expires *time.Time) time.Time {
	if expires != nil {
		return *expires
	}
	return created.Add(TokenLifetime)
}

// endCredentials ends every web session of a user and revokes every API
// token of theirs, within the transaction that changed their password or
// disabled them: whoever held the old password, or a session or token
// made with it, is out from the moment the change commits.
func (t *Tx) endCredentials(ctx context.Context, userID int64) error {
	r := t.reader()
	if _, err := r.exec(ctx, "DELETE FROM web_sessions WHERE user_id = ?", userID); err != nil {
		return domain.Internalf(err, "end sessions")
	}
	var revoked []int64
	err := loadRows(ctx, r, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id", []any{t.now, userID}, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		revoked = append(revoked, id)
		return nil
	})
	if err != nil {
		return domain.Internalf(err, "revoke tokens")
	}
	for _, id := range revoked {
		if err := t.audit(ctx, "revoke", "api_tokens", id, nil, map[string]any{"revoked_at": t.now}); err != nil {
			return err
		}
	}
	return nil
}

// tokenTouchInterval bounds how often a token's last use is written, so
// that reads do not each cost a write.
const tokenTouchInterval = time.Minute

// Authenticate returns the enabled user holding the token secret and records
// the token's use. Errors: Unauthorized.
func (s *Store) Authenticate(ctx context.Context, secret string) (*domain.User, error) {
	refused := domain.Errorf(domain.Unauthorized, "the token is not valid")
	if auth.CheckTokenShape(secret) != nil {
		return nil, refused
	}
	var tokenID, userID int64
	var created time.Time
	var lastUsed, expires *time.Time
	err := s.reader().queryRow(ctx, "SELECT id, user_id, created_at, expires_at, last_used_at FROM api_tokens WHERE hash = ? AND revoked_at IS NULL", auth.HashToken(secret)).
		Scan(&tokenID, &userID, timeCol{&created}, nullTime{&expires}, nullTime{&lastUsed})
	if isNoRows(err) {
		return nil, refused
	}
	if err != nil {
		return nil, domain.Internalf(err, "find token")
	}
	now := s.now()
	if !now.Before(tokenExpiry(created, expires)) {
		return nil, refused
	}
	u, err := s.Users.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Disabled || u.ArchivedAt != nil {
		return nil, refused
	}
	if lastUsed == nil || now.Sub(*lastUsed) > tokenTouchInterval {
		if _, err := s.reader().exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, tokenID); err != nil {
			return nil, domain.Internalf(err, "record token use")
		}
	}
	return u, nil
}

// Tokens lists a user's tokens, newest first, without their secrets.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]domain.Token, error) {
	rows, err := s.reader().query(ctx, "SELECT id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC", userID)
	if err != nil {
		return nil, domain.Internalf(err, "list tokens")
	}
	defer rows.Close()
	out := []domain.Token{}
	for rows.Next() {
		var t domain.Token
		var expires *time.Time
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, timeCol{&t.CreatedAt}, nullTime{&expires}, nullTime{&t.LastUsedAt}, nullTime{&t.RevokedAt}); err != nil {
			return nil, domain.Internalf(err, "scan tokens")
		}
		t.ExpiresAt = tokenExpiry(t.CreatedAt, expires)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "list tokens")
	}
	return out, nil
}

// RevokeToken revokes one of a user's tokens. Errors: NotFound.
func (s *Store) RevokeToken(ctx context.Context, actor domain.Actor, userID, tokenID int64) error {
	return s.Write(ctx, actor, func(t *Tx) error {
		res, err := t.reader().exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", t.now, tokenID, userID)
		if err != nil {
			return domain.Internalf(err, "revoke token")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Errorf(domain.NotFound, "token %d not found", tokenID)
		}
		return t.audit(ctx, "revoke", "api_tokens", tokenID, nil, map[string]any{"revoked_at": t.now})
	})
}

// SetLocale changes the interface language of the actor's own account; a
// user may always choose their language, whatever their role. Errors:
// Invalid, Unauthorized (no user).
func (s *Store) SetLocale(ctx context.Context, actor domain.Actor, locale string) error {
	if actor.User == nil {
		return domain.Errorf(domain.Unauthorized, "sign in first")
	}
	if !slices.Contains(domain.Locales, locale) {
		var p domain.Problems
		p.Addf("locale", "must be one of %v", domain.Locales)
		return p.Err()
	}
	return s.Write(ctx, actor, func(t *Tx) error {
		before, err := users.records(s).get(ctx, t.reader(), actor.User.ID)
		if err != nil {
			return err
		}
		if before.Locale == locale {
			return nil
		}
		if _, err := t.reader().exec(ctx, "UPDATE users SET locale = ?, version = version + 1, updated_at = ? WHERE id = ?", locale, t.now, before.ID); err != nil {
			return domain.Internalf(err, "set locale")
		}
		after := *before
		after.Locale, after.Version, after.UpdatedAt = locale, before.Version+1, t.now
		return t.audit(ctx, "update", "users", before.ID, before, &after)
	})
}
