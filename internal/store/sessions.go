package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
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

// Sign-in throttling. Two keys count an account's recent failures: the
// account from one address, and the account from anywhere. Each key lets
// SignInFreeFailures (or SignInFreeFailuresAnywhere) failures through, then
// makes the next attempt wait, twice as long after each further failure, up
// to a cap; a success from an address clears that address's key. Failures
// are forgotten after SignInMemory without an attempt.
//
// There is deliberately no key for an address alone: a government office,
// or everyone behind a proxy, shares one address, and failures there for
// other accounts must not keep a correct password out. Guessing many
// accounts from one address still meets each account's own limit.
const (
	SignInFreeFailures         = 5
	SignInFreeFailuresAnywhere = 20
	SignInMemory               = 24 * time.Hour
)

// signInRule is the backoff of one throttle key: free failures, the first
// wait and its cap. The account-wide key waits at most a minute, so that
// guesses from many addresses slow its owner down but never lock them out.
type signInRule struct {
	free        int
	first, most time.Duration
}

var (
	signInByAddress = signInRule{SignInFreeFailures, time.Minute, time.Hour}
	signInAnywhere  = signInRule{SignInFreeFailuresAnywhere, 5 * time.Second, time.Minute}
)

// wait is how long a key with this many failures, counting the attempt
// under way, makes the next attempt wait.
func (r signInRule) wait(failures int) time.Duration {
	if failures < r.free {
		return 0
	}
	d := r.first
	for i := r.free; i < failures && d < r.most; i++ {
		d *= 2
	}
	return min(d, r.most)
}

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
	if _, err := s.reader().exec(ctx, "DELETE FROM sign_in_attempts WHERE at < ?", now.Add(-SignInMemory)); err != nil {
		return "", Session{}, domain.Internalf(err, "sweep sign-in attempts")
	}
	if _, err := s.reader().exec(ctx, "DELETE FROM sign_in_throttle WHERE updated_at < ?", now.Add(-SignInMemory)); err != nil {
		return "", Session{}, domain.Internalf(err, "sweep sign-in throttle")
	}
	return secret, ss, nil
}

// SessionBySecret returns the live session whose cookie value is secret.
// Errors: Unauthorized for an unknown or expired session.
func (s *Store) SessionBySecret(ctx context.Context, secret string) (Session, error) {
	ss, _, err := s.SessionUser(ctx, secret)
	return ss, err
}

// SessionUser returns the live session whose cookie value is secret and
// its user, grants included, as the store has them (disabled or archived
// too: the caller decides). Errors: Unauthorized for an unknown or expired
// session.
func (s *Store) SessionUser(ctx context.Context, secret string) (Session, *domain.User, error) {
	f, err := s.Frame(ctx, secret)
	return f.Session, f.User, err
}

// Frame is what every signed-in page asks of the store first: the session,
// its user with grants, and the stamps by which the lists a page keeps
// between requests (the references, the inbox) know whether they still
// hold.
type Frame struct {
	Session Session
	User    *domain.User
	// WorkStamp and InboxSeen are WorkStampSeen's, ReferencesStamp is
	// ReferencesStamp's, read at the same moment. ViewsStamp changes
	// whenever a saved view is written (0037_views_stamp.sql).
	WorkStamp       string
	InboxSeen       time.Time
	ReferencesStamp int64
	ViewsStamp      int64
}

// Frame reads the session whose cookie value is secret, its user and
// grants, and the stamps, in one query: a page asked for them in four,
// and on PostgreSQL each round trip cost the server more CPU than the
// rows it brought. Errors: Unauthorized for an unknown or expired session.
func (s *Store) Frame(ctx context.Context, secret string) (Frame, error) {
	var f Frame
	if secret == "" || len(secret) > 100 {
		return f, domain.Errorf(domain.Unauthorized, "no session")
	}
	u := new(domain.User)
	var grants sql.NullString
	var last, sealed int64
	var seen *time.Time
	ss := &f.Session
	err := s.reader().queryRow(ctx, "SELECT "+users.columnsOf(s.dialect, "u")+", s.id, s.user_id, s.csrf_token, "+s.dialect.timeColumn("s.created_at")+", "+s.dialect.timeColumn("s.expires_at")+","+
		" (SELECT string_agg(g.role || ' ' || g.scope_kind || ' ' || g.scope_id, ',' ORDER BY g.position) FROM role_grants g WHERE g.user_id = u.id),"+
		" "+workStampColumns+", (SELECT seen_at FROM inbox_seen WHERE user_id = u.id), "+stampColumn("references")+", "+stampColumn("views")+
		" FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ?", hashSecret(secret)).
		Scan(users.scanTargets(u, &ss.ID, &ss.UserID, &ss.CSRFToken, timeCol{&ss.CreatedAt}, timeCol{&ss.ExpiresAt},
			&grants, &last, &sealed, nullTime{&seen}, &f.ReferencesStamp, &f.ViewsStamp)...)
	if isNoRows(err) {
		return f, domain.Errorf(domain.Unauthorized, "no session")
	}
	if err != nil {
		return f, domain.Internalf(err, "find session")
	}
	if !s.now().Before(ss.ExpiresAt) {
		return f, domain.Errorf(domain.Unauthorized, "the session has expired")
	}
	if err := takeGrants(u, grants.String); err != nil {
		return f, domain.Internalf(err, "read the session's user")
	}
	f.User, f.WorkStamp = u, formatWorkStamp(last, sealed)
	if seen != nil {
		f.InboxSeen = *seen
	}
	return f, nil
}

// takeGrants gives u its grants as the frame's query wrote them: "role
// kind id" each, in their order, joined by commas (roles and scope kinds
// are words; a system grant's kind is empty).
func takeGrants(u *domain.User, text string) error {
	u.Grants = []domain.Grant{}
	err := textRows(text, func(role, kind, scope string) error {
		id, err := strconv.ParseInt(scope, 10, 64)
		u.Grants = append(u.Grants, domain.Grant{Role: domain.Role(role), ScopeKind: domain.ScopeKind(kind), ScopeID: id})
		return err
	})
	if err != nil {
		return fmt.Errorf("user %d's grants: %w", u.ID, err)
	}
	return nil
}

// DeleteSession ends the session whose cookie value is secret; ending one
// that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	if _, err := s.reader().exec(ctx, "DELETE FROM web_sessions WHERE secret_hash = ?", hashSecret(secret)); err != nil {
		return domain.Internalf(err, "delete session")
	}
	return nil
}

// signInKeys are the throttle keys of an attempt, in the order their rows
// are locked (the same order in every transaction, so two never deadlock).
func signInKeys(email, address string) (anywhere, byAddress string) {
	email = strings.ToLower(strings.TrimSpace(email))
	return "account:" + email, "address:" + address + " account:" + email
}

// errSignInWait rolls back an attempt refused by the throttle.
var errSignInWait = errors.New("sign-in must wait")

// BeginSignIn asks the throttle whether an attempt to sign in to email from
// address may check its password now; a positive wait says how long it
// must wait instead. An allowed attempt is counted as a failure before the
// password is checked, in the same transaction that read the count (the
// keys' rows are locked by the update), so parallel attempts on any number
// of instances each see the ones before them; EndSignIn takes it back when
// the password was right. Errors: Internal.
func (s *Store) BeginSignIn(ctx context.Context, email, address string) (time.Duration, error) {
	var wait time.Duration
	anywhere, byAddress := signInKeys(email, address)
	err := s.Write(ctx, domain.Actor{}, func(t *Tx) error {
		r := t.reader()
		for _, k := range []struct {
			key  string
			rule signInRule
		}{{anywhere, signInAnywhere}, {byAddress, signInByAddress}} {
			if _, err := r.exec(ctx, "INSERT INTO sign_in_throttle (throttle_key, failures, updated_at) VALUES (?, 0, ?) ON CONFLICT (throttle_key) DO NOTHING", k.key, t.now); err != nil {
				return domain.Internalf(err, "count sign-in")
			}
			var failures int
			var blocked *time.Time
			if err := r.queryRow(ctx, "UPDATE sign_in_throttle SET failures = CASE WHEN updated_at < ? THEN 1 ELSE failures + 1 END, updated_at = ? WHERE throttle_key = ? RETURNING failures, blocked_until",
				t.now.Add(-SignInMemory), t.now, k.key).Scan(&failures, nullTime{&blocked}); err != nil {
				return domain.Internalf(err, "count sign-in")
			}
			if blocked != nil && blocked.After(t.now) {
				wait = max(wait, blocked.Sub(t.now))
				continue
			}
			if d := k.rule.wait(failures); d > 0 {
				if _, err := r.exec(ctx, "UPDATE sign_in_throttle SET blocked_until = ? WHERE throttle_key = ?", t.now.Add(d), k.key); err != nil {
					return domain.Internalf(err, "count sign-in")
				}
			}
		}
		if wait > 0 {
			return errSignInWait
		}
		return nil
	})
	if errors.Is(err, errSignInWait) {
		return wait, nil
	}
	return 0, err
}

// EndSignIn records how an attempt BeginSignIn allowed went. A success
// takes back the failure counted in advance: the address's key starts
// afresh, the account-wide key loses the one failure (guesses from
// elsewhere still count there). Errors: Internal.
func (s *Store) EndSignIn(ctx context.Context, email, address string, succeeded bool) error {
	anywhere, byAddress := signInKeys(email, address)
	return s.Write(ctx, domain.Actor{}, func(t *Tx) error {
		r := t.reader()
		if _, err := r.exec(ctx, "INSERT INTO sign_in_attempts (email, address, at, succeeded) VALUES (?, ?, ?, ?)",
			strings.ToLower(strings.TrimSpace(email)), address, t.now, succeeded); err != nil {
			return domain.Internalf(err, "record sign-in")
		}
		if !succeeded {
			return nil
		}
		if _, err := r.exec(ctx, "UPDATE sign_in_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END, blocked_until = CASE WHEN failures - 1 < ? THEN NULL ELSE blocked_until END WHERE throttle_key = ?",
			signInAnywhere.free, anywhere); err != nil {
			return domain.Internalf(err, "record sign-in")
		}
		if _, err := r.exec(ctx, "DELETE FROM sign_in_throttle WHERE throttle_key = ?", byAddress); err != nil {
			return domain.Internalf(err, "record sign-in")
		}
		return nil
	})
}

// SavedView is a named set of filters of the web's item list, kept per
// user, and seen by a mechanism's team when shared with it.
type SavedView struct {
	ID        int64
	UserID    int64
	Name      string
	Query     string // the list's query string, such as batch=1&status=advancing
	CreatedAt time.Time
	// MechanismID is the mechanism whose team the view is shared with; 0
	// keeps it its user's own.
	MechanismID int64
}

// Bounds of a saved view, so that one user cannot store without limit.
const (
	maxSavedViewName  = 100
	maxSavedViewQuery = 2000
	maxSavedViews     = 50
)

const savedViewColumns = "id, user_id, name, query, created_at, COALESCE(mechanism_id, 0)"

// SavedViews lists a user's saved views in the order they were saved.
func (s *Store) SavedViews(ctx context.Context, userID int64) ([]SavedView, error) {
	return s.savedViews(ctx, "SELECT "+savedViewColumns+" FROM web_saved_views WHERE user_id = ? ORDER BY id", userID)
}

// Team is the mechanisms whose team a user is in: a view shared with a
// mechanism is seen by its team.
type Team struct {
	// All is an administrator's or a reader of all's team: every live
	// mechanism, not listed (three hundred at national scale).
	All bool
	// Mechanisms are the others', in id order.
	Mechanisms []int64
}

// Views are what a user's item list offers to open: the user's own saved
// views, those others shared with the user's team, and the team.
type Views struct {
	Own, Shared []SavedView // each in the order saved
	Team        Team
}

// ViewsFor reads the user's own saved views and the views others shared
// with the user's team, in one query: every page of the item list shows
// both.
func (s *Store) ViewsFor(ctx context.Context, user *domain.User) (Views, error) {
	var out Views
	var err error
	if out.Team, err = s.TeamOf(ctx, user); err != nil {
		return out, err
	}
	q, args := "SELECT "+savedViewColumns+" FROM web_saved_views WHERE user_id = ?", []any{user.ID}
	switch {
	case out.Team.All:
		// The shared views, each checked against its mechanism: asked
		// the other way round, the three hundred live mechanisms were
		// each looked up among the views.
		q += " UNION ALL SELECT " + savedViewColumns + " FROM web_saved_views v WHERE v.mechanism_id IS NOT NULL AND v.user_id <> ?" +
			" AND EXISTS (SELECT 1 FROM mechanisms m WHERE m.id = v.mechanism_id AND m.archived_at IS NULL)"
		args = append(args, user.ID)
	case len(out.Team.Mechanisms) > 0:
		q += " OR mechanism_id IN (" + placeholders(len(out.Team.Mechanisms)) + ")"
		args = append(args, int64sAny(out.Team.Mechanisms)...)
	}
	all, err := s.savedViews(ctx, q+" ORDER BY 1", args...)
	for _, v := range all {
		if v.UserID == user.ID {
			out.Own = append(out.Own, v)
		} else {
			out.Shared = append(out.Shared, v)
		}
	}
	return out, err
}

func (s *Store) savedViews(ctx context.Context, q string, args ...any) ([]SavedView, error) {
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, domain.Internalf(err, "list saved views")
	}
	defer rows.Close()
	var out []SavedView
	for rows.Next() {
		var v SavedView
		if err := rows.Scan(&v.ID, &v.UserID, &v.Name, &v.Query, timeCol{&v.CreatedAt}, &v.MechanismID); err != nil {
			return nil, domain.Internalf(err, "scan saved views")
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internalf(err, "list saved views")
	}
	return out, nil
}

// TeamOf returns the mechanisms whose team user is in: every live one for
// an administrator or a reader of all; else those the user is the
// secretariat, a leader or viewer of, and those whose records the user
// acts on as a liaison (a unit grant: the mechanisms its units are
// members of).
func (s *Store) TeamOf(ctx context.Context, user *domain.User) (Team, error) {
	r := s.reader()
	p, err := r.principal(ctx, user)
	if err != nil || p.System() {
		return Team{}, err
	}
	if p.Admin || p.ReadsAll {
		return Team{All: true}, nil
	}
	set := map[int64]bool{}
	for _, m := range append(slices.Clone(p.Secretariat), p.Readers...) {
		set[m] = true
	}
	var units []int64
	for _, a := range p.Liaison {
		if a.Mechanism != 0 {
			set[a.Mechanism] = true
		} else {
			units = append(units, a.Units...)
		}
	}
	units = append(units, p.ReaderUnits...)
	if len(units) > 0 {
		ms, err := r.int64s(ctx, "SELECT DISTINCT mechanism_id FROM mechanism_members WHERE organization_id IN ("+placeholders(len(units))+")", int64sAny(units)...)
		if err != nil {
			return Team{}, err
		}
		for _, m := range ms {
			set[m] = true
		}
	}
	team := Team{Mechanisms: make([]int64, 0, len(set))}
	for m := range set {
		team.Mechanisms = append(team.Mechanisms, m)
	}
	slices.Sort(team.Mechanisms)
	return team, nil
}

// inTeam reports whether mechanism is live and its team holds the user.
func (s *Store) inTeam(ctx context.Context, user *domain.User, mechanism int64) (bool, error) {
	team, err := s.TeamOf(ctx, user)
	if err != nil || !team.All {
		return slices.Contains(team.Mechanisms, mechanism), err
	}
	var n int
	if err := s.reader().queryRow(ctx, "SELECT COUNT(*) FROM mechanisms WHERE id = ? AND archived_at IS NULL", mechanism).Scan(&n); err != nil {
		return false, domain.Internalf(err, "find mechanism")
	}
	return n == 1, nil
}

// CreateSavedView saves a named query for user, shared with the team of
// mechanism when it is not 0 — a mechanism whose team the user is in.
// Errors: Invalid.
func (s *Store) CreateSavedView(ctx context.Context, user *domain.User, name, query string, mechanism int64) (SavedView, error) {
	v := SavedView{UserID: user.ID, Name: strings.TrimSpace(name), Query: query, CreatedAt: s.now(), MechanismID: mechanism}
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
	if mechanism != 0 {
		in, err := s.inTeam(ctx, user, mechanism)
		if err != nil {
			return v, err
		}
		if !in {
			p.Add("mechanism", "is not a mechanism whose team you are in")
		}
	}
	var count int
	if err := s.reader().queryRow(ctx, "SELECT COUNT(*) FROM web_saved_views WHERE user_id = ?", user.ID).Scan(&count); err != nil {
		return v, domain.Internalf(err, "count saved views")
	}
	if count >= maxSavedViews {
		p.Addf("name", "at most %d saved views; delete one first", maxSavedViews)
	}
	if err := p.Err(); err != nil {
		return v, err
	}
	var shared any
	if mechanism != 0 {
		shared = mechanism
	}
	err := s.reader().queryRow(ctx, "INSERT INTO web_saved_views (user_id, name, query, created_at, mechanism_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
		user.ID, v.Name, v.Query, v.CreatedAt, shared).Scan(&v.ID)
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
