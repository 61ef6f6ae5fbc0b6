package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// signedInEverywhere gives u a web session and an API token and checks
// that both let them in.
func signedInEverywhere(t *testing.T, s *store.Store, u *domain.User) (session, token string) {
	t.Helper()
	ctx := context.Background()
	session, _, err := s.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err = s.CreateToken(ctx, domain.Actor{}, u.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionBySecret(ctx, session); err != nil {
		t.Fatalf("a fresh session: %v", err)
	}
	if _, err := s.Authenticate(ctx, token); err != nil {
		t.Fatalf("a fresh token: %v", err)
	}
	return session, token
}

// TestPasswordChangeEndsSessionsAndTokens: a new password, or disabling
// the user, ends every session and revokes every token of theirs in the
// same transaction; enabling the user again revives none of them.
func TestPasswordChangeEndsSessionsAndTokens(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &domain.User{Email: "li@example.gov.cn", Name: "李", Locale: "zh-CN", Password: "correct horse battery"}
		if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		other := &domain.User{Email: "wang@example.gov.cn", Name: "王", Locale: "zh-CN", Password: "correct horse battery"}
		if err := s.Users.Create(ctx, domain.Actor{}, other); err != nil {
			t.Fatal(err)
		}
		otherSession, otherToken := signedInEverywhere(t, s, other)

		session, token := signedInEverywhere(t, s, u)
		u.Password = "a brand new passphrase"
		if err := s.Users.Update(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionBySecret(ctx, session); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a session after the password changed: %v, want unauthorized", err)
		}
		if _, err := s.Authenticate(ctx, token); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a token after the password changed: %v, want unauthorized", err)
		}

		session, token = signedInEverywhere(t, s, u)
		u.Disabled = true
		if err := s.Users.Update(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		u.Disabled = false
		if err := s.Users.Update(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionBySecret(ctx, session); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a session after the user was disabled and enabled: %v, want unauthorized", err)
		}
		if _, err := s.Authenticate(ctx, token); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a token after the user was disabled and enabled: %v, want unauthorized", err)
		}

		if _, err := s.SessionBySecret(ctx, otherSession); err != nil {
			t.Errorf("another user's session ended: %v", err)
		}
		if _, err := s.Authenticate(ctx, otherToken); err != nil {
			t.Errorf("another user's token was revoked: %v", err)
		}
	})
}

// TestTokensExpire: a token carries an expiry, TokenLifetime by default or
// the one asked for, and is refused from then on.
func TestTokensExpire(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := storetest.Start
		s.Now = func() time.Time { return now }
		u := &domain.User{Email: "li@example.gov.cn", Name: "李", Locale: "zh-CN"}
		if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		secret, tok, err := s.CreateToken(ctx, domain.Actor{}, u.ID, "default")
		if err != nil {
			t.Fatal(err)
		}
		if want := now.Add(store.TokenLifetime); !tok.ExpiresAt.Equal(want) {
			t.Errorf("default expiry %v, want %v", tok.ExpiresAt, want)
		}
		short, _, err := s.CreateTokenUntil(ctx, domain.Actor{}, u.ID, "short", now.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateTokenUntil(ctx, domain.Actor{}, u.ID, "past", now.Add(-time.Hour)); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("an expiry in the past: %v, want invalid", err)
		}
		if _, _, err := s.CreateTokenUntil(ctx, domain.Actor{}, u.ID, "forever", now.Add(store.MaxTokenLifetime+time.Hour)); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("an expiry beyond the longest lifetime: %v, want invalid", err)
		}

		now = now.Add(48 * time.Hour)
		if _, err := s.Authenticate(ctx, short); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a token at its expiry: %v, want unauthorized", err)
		}
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Errorf("a default token after two days: %v", err)
		}
		now = storetest.Start.Add(store.TokenLifetime)
		if _, err := s.Authenticate(ctx, secret); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a default token after %v: %v, want unauthorized", store.TokenLifetime, err)
		}
		toks, err := s.Tokens(ctx, u.ID)
		if err != nil || len(toks) != 2 || toks[0].ExpiresAt.IsZero() {
			t.Errorf("Tokens = %+v, %v; want two with their expiry", toks, err)
		}
	})
}

// TestSessionUser: the session and its user come back together, the user
// as Users.Get has them, grants included (one query with the session, one
// for the grants); an unknown secret is Unauthorized, with no user.
func TestSessionUser(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		u := &domain.User{Email: "session-user@example.gov.cn", Name: "联络员", Locale: "en",
			Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.wjGov.ID},
				{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: w.mech.ID},
				{Role: domain.Viewer, ScopeKind: domain.SystemScope}}}
		if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		secret, created, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ss, got, err := s.SessionUser(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Users.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ss.ID != created.ID || ss.UserID != u.ID || ss.CSRFToken != created.CSRFToken || !ss.ExpiresAt.Equal(created.ExpiresAt) {
			t.Errorf("session %+v, want %+v", ss, created)
		}
		if got.ID != want.ID || got.Email != want.Email || got.Locale != "en" || got.Version != want.Version || len(got.Grants) != 3 ||
			fmt.Sprint(got.Grants) != fmt.Sprint(want.Grants) || fmt.Sprint(got.Grants) != fmt.Sprint(u.Grants) || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("user %+v, want %+v", got, want)
		}
		// The frame's stamps are the ones the store answers on their own.
		seenAt, err := s.MarkInboxSeen(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.Frame(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		work, seen, _ := s.WorkStampSeen(ctx, u.ID)
		refs, _ := s.ReferencesStamp(ctx)
		if f.WorkStamp != work || !f.InboxSeen.Equal(seen) || !seen.Equal(seenAt) || f.ReferencesStamp != refs || refs == 0 {
			t.Errorf("frame stamps %q %v %d, want %q %v %d", f.WorkStamp, f.InboxSeen, f.ReferencesStamp, work, seen, refs)
		}
		w.mech.NameEN = "Renamed"
		if err := s.Mechanisms.Update(ctx, system, w.mech); err != nil {
			t.Fatal(err)
		}
		f2, _ := s.Frame(ctx, secret)
		if f2.ReferencesStamp == f.ReferencesStamp || f2.WorkStamp == f.WorkStamp || f2.ViewsStamp != f.ViewsStamp {
			t.Errorf("after a mechanism was written the frame's stamps are %d %q %d, were %d %q %d", f2.ReferencesStamp, f2.WorkStamp, f2.ViewsStamp, f.ReferencesStamp, f.WorkStamp, f.ViewsStamp)
		}
		// The views stamp moves with every write of a saved view, the
		// store's or one made in SQL behind its back.
		v, err := s.CreateSavedView(ctx, u, "推进中", "status=advancing", 0)
		if err != nil {
			t.Fatal(err)
		}
		f3, _ := s.Frame(ctx, secret)
		if _, err := s.DB().ExecContext(ctx, "DELETE FROM web_saved_views WHERE id = "+fmt.Sprint(v.ID)); err != nil {
			t.Fatal(err)
		}
		f4, _ := s.Frame(ctx, secret)
		if f3.ViewsStamp == f2.ViewsStamp || f4.ViewsStamp == f3.ViewsStamp {
			t.Errorf("the views stamp went %d, %d, %d over a save and a delete", f2.ViewsStamp, f3.ViewsStamp, f4.ViewsStamp)
		}
		if _, none, err := s.SessionUser(ctx, secret+"x"); domain.ErrorCode(err) != domain.Unauthorized || none != nil {
			t.Errorf("an unknown secret: %v, %v; want Unauthorized and no user", none, err)
		}
	})
}
