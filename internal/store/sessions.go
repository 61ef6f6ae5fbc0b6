package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// Session is a signed-in browser. Its secret lives only in the cookie; the
// database keeps its hash, so reading the table does not let anyone in.
type Session struct {
	ID        int64
	UserID    int64
	CSRFToken string // sent back in every state-changing form
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionLifetime is how long a session lasts after sign-in. A working day
// and then some: liaisons sign in in the morning and report in the evening.
const SessionLifetime = 12 * time.Hour

// Sign-in throttling: after this many failures within the window, further
// attempts are refused until the window has passed the failures. The
// address limit is higher because a whole government office may sit
// behind one NAT address.
const (
	SignInWindow          = 15 * time.Minute
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
)

// randomToken returns 256 random bits, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for a user and returns the secret for the
// cookie. A sign-in always creates a new one (never reuses the visitor's
// previous id), which defeats session fixation. Errors: Internal.
func (s *Store) CreateSession(ctx context.Context, userID int64) (string, Session, error) {
	secret, err := randomToken()
	if err != nil {
		return "", Session{}, domain.Internalf(err, "make session")
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, domain.Internalf(err, "make csrf token")
	}
	now := s.now()
	ss := Session{UserID: userID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	err = s.reader().queryRow(ctx, "INSERT INTO web_sessions (secret_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
		hashSecret(secret), userID, csrf, ss.CreatedAt, ss.ExpiresAt).Scan(&ss.ID)
	if err != nil {
		return "", Session{}, domain.Internalf(err, "store session")
	}
	// Expired sessions are swept here rather than by a job: sign-ins are
	// frequent enough to keep the table small.
	if _, err := s.reader().exec(ctx, "DELETE FROM web_sessions WHERE expires_at < ?", now); err != nil {
		return "", Session{}, domain.Internalf(err, "sweep sessions")
	}
	if _, err := s.reader().exec(ctx, "DELETE FROM sign_in_attempts WHERE at < ?", now.Add(-24*time.Hour)); err != nil {
		return "", Session{}, domain.Internalf(err, "sweep sign-in attempts")
	}
	return secret, ss, nil
}

// SessionBySecret returns the live session whose cookie value is secret.
// Errors: Unauthorized for an unknown or expired session.
func (s *Store) SessionBySecret(ctx context.Context, secret string) (Session, error) {
	var ss Session
	if secret == "" || len(secret) > 100 {
		return ss, domain.Errorf(domain.Unauthorized, "no session")
	}
	err := s.reader().queryRow(ctx, "SELECT id, user_id, csrf_token, created_at, expires_at FROM web_sessions WHERE secret_hash = ?", hashSecret(secret)).
		Scan(&ss.ID, &ss.UserID, &ss.CSRFToken, timeCol{&ss.CreatedAt}, timeCol{&ss.ExpiresAt})
	if isNoRows(err) {
		return ss, domain.Errorf(domain.Unauthorized, "no session")
	}
	if err != nil {
		return ss, domain.Internalf(err, "find session")
	}
	if !s.now().Before(ss.ExpiresAt) {
		return ss, domain.Errorf(domain.Unauthorized, "the session has expired")
	}
	return ss, nil
}

// DeleteSession ends the session whose cookie value is secret; ending one
// that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	if _, err := s.reader().exec(ctx, "DELETE FROM web_sessions WHERE secret_hash = ?", hashSecret(secret)); err != nil {
		return domain.Internalf(err, "delete session")
	}
	return nil
}

// RecordSignIn remembers one attempt to sign in, for the throttle.
func (s *Store) RecordSignIn(ctx context.Context, email, address string, succeeded bool) error {
	_, err := s.reader().exec(ctx, "INSERT INTO sign_in_attempts (email, address, at, succeeded) VALUES (?, ?, ?, ?)",
		strings.ToLower(email), address, s.now(), succeeded)
	if err != nil {
		return domain.Internalf(err, "record sign-in")
	}
	return nil
}

// SignInThrottled reports whether attempts for this account or from this
// address must be refused for now, having failed too often within the
// window. A success does not clear earlier failures of an address, so one
// valid account cannot be used to reset guessing at others.
func (s *Store) SignInThrottled(ctx context.Context, email, address string) (bool, error) {
	since := s.now().Add(-SignInWindow)
	var byAccount, byAddress int
	r := s.reader()
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM sign_in_attempts WHERE email = ? AND at > ? AND succeeded = ?", strings.ToLower(email), since, false).Scan(&byAccount); err != nil {
		return false, domain.Internalf(err, "count sign-in failures")
	}
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM sign_in_attempts WHERE address = ? AND at > ? AND succeeded = ?", address, since, false).Scan(&byAddress); err != nil {
		return false, domain.Internalf(err, "count sign-in failures")
	}
	return byAccount >= MaxFailuresPerAccount || byAddress >= MaxFailuresPerAddress, nil
}

// SavedView is a named set of filters of the web's item list, kept per user.
type SavedView struct {
	ID        int64
	UserID    int64
	Name      string
	Query     string // the list's query string, such as batch=1&status=advancing
	CreatedAt time.Time
}

// Bounds of a saved view, so that one user cannot store without limit.
const (
	maxSavedViewName  = 100
	maxSavedViewQuery = 2000
	maxSavedViews     = 50
)

// SavedViews lists a user's saved views in the order they were saved.
func (s *Store) SavedViews(ctx context.Context, userID int64) ([]SavedView, error) {
	rows, err := s.reader().query(ctx, "SELECT id, user_id, name, query, created_at FROM web_saved_views WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, domain.Internalf(err, "list saved views")
	}
	defer rows.Close()
	var out []SavedView
	for rows.Next() {
		var v SavedView
		if err := rows.Scan(&v.ID, &v.UserID, &v.Name, &v.Query, timeCol{&v.CreatedAt}); err != nil {
			return nil, domain.Internalf(err, "scan saved views")
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "list saved views")
	}
	return out, nil
}

// CreateSavedView saves a named query for a user. Errors: Invalid.
func (s *Store) CreateSavedView(ctx context.Context, userID int64, name, query string) (SavedView, error) {
	v := SavedView{UserID: userID, Name: strings.TrimSpace(name), Query: query, CreatedAt: s.now()}
	var p domain.Problems
	switch n := len([]rune(v.Name)); {
	case n == 0:
		p.Add("name", "is required")
	case n > maxSavedViewName:
		p.Addf("name", "is longer than %d characters", maxSavedViewName)
	}
	if len(v.Query) > maxSavedViewQuery {
		p.Addf("query", "is longer than %d characters", maxSavedViewQuery)
	}
	var count int
	if err := s.reader().queryRow(ctx, "SELECT COUNT(*) FROM web_saved_views WHERE user_id = ?", userID).Scan(&count); err != nil {
		return v, domain.Internalf(err, "count saved views")
	}
	if count >= maxSavedViews {
		p.Addf("name", "at most %d saved views; delete one first", maxSavedViews)
	}
	if err := p.Err(); err != nil {
		return v, err
	}
	err := s.reader().queryRow(ctx, "INSERT INTO web_saved_views (user_id, name, query, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		userID, v.Name, v.Query, v.CreatedAt).Scan(&v.ID)
	if err != nil {
		return v, domain.Internalf(err, "save view")
	}
	return v, nil
}

// DeleteSavedView deletes one of a user's saved views. Errors: NotFound,
// also for another user's view.
func (s *Store) DeleteSavedView(ctx context.Context, userID, id int64) error {
	res, err := s.reader().exec(ctx, "DELETE FROM web_saved_views WHERE id = ? AND user_id = ?", id, userID)
	if err != nil {
		return domain.Internalf(err, "delete saved view")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.Errorf(domain.NotFound, "saved view %d not found", id)
	}
	return nil
}
