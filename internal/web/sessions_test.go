package web

import (
	"context"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestSessionStore runs the web's tables (sessions, sign-in attempts,
// saved views) on SQLite and, when configured, PostgreSQL.
func TestSessionStore(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &domain.User{Email: "a@example.gov.cn", Name: "甲", Locale: "zh-CN", Password: testPassword}
		if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
			t.Fatal(err)
		}
		secret, ss, err := s.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionBySecret(ctx, secret)
		if err != nil || got.UserID != u.ID || got.CSRFToken != ss.CSRFToken || got.CSRFToken == "" {
			t.Fatalf("SessionBySecret = %+v, %v", got, err)
		}
		if _, err := s.SessionBySecret(ctx, secret+"x"); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a wrong secret: %v, want unauthorized", err)
		}
		if err := s.DeleteSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionBySecret(ctx, secret); domain.ErrorCode(err) != domain.Unauthorized {
			t.Errorf("a deleted session: %v, want unauthorized", err)
		}

		// The throttle: five failures of an account from one address go
		// through, the sixth waits; another address for the same account
		// and another account from the same address do not.
		for i := range store.SignInFreeFailures {
			if wait, err := s.BeginSignIn(ctx, u.Email, "192.0.2.1"); err != nil || wait != 0 {
				t.Fatalf("attempt %d: wait %v, %v", i, wait, err)
			}
			if err := s.EndSignIn(ctx, u.Email, "192.0.2.1", false); err != nil {
				t.Fatal(err)
			}
		}
		if wait, err := s.BeginSignIn(ctx, "A@example.gov.cn", "192.0.2.1"); err != nil || wait <= 0 {
			t.Errorf("after %d failures the account is not throttled from their address (%v, %v)", store.SignInFreeFailures, wait, err)
		}
		if wait, err := s.BeginSignIn(ctx, "b@example.gov.cn", "192.0.2.1"); err != nil || wait != 0 {
			t.Errorf("another account from the same address waits %v (%v)", wait, err)
		}
		if wait, err := s.BeginSignIn(ctx, u.Email, "192.0.2.9"); err != nil || wait != 0 {
			t.Errorf("the account from another address waits %v (%v)", wait, err)
		}
		if err := s.EndSignIn(ctx, u.Email, "192.0.2.9", true); err != nil {
			t.Fatal(err)
		}
		if wait, err := s.BeginSignIn(ctx, u.Email, "192.0.2.9"); err != nil || wait != 0 {
			t.Errorf("after a success from 192.0.2.9 the next attempt waits %v (%v)", wait, err)
		}

		v, err := s.CreateSavedView(ctx, u, "推进中", "status=advancing", 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSavedView(ctx, u, "", "status=advancing", 0); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("an empty name: %v, want invalid", err)
		}
		if err := s.DeleteSavedView(ctx, u.ID+1, v.ID); domain.ErrorCode(err) != domain.NotFound {
			t.Errorf("deleting another user's view: %v, want not found", err)
		}
		views, err := s.SavedViews(ctx, u.ID)
		if err != nil || len(views) != 1 || views[0].Name != "推进中" {
			t.Errorf("SavedViews = %+v, %v", views, err)
		}
	})
}
