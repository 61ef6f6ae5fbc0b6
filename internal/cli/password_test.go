package cli_test

import (
	"context"
	"strings"
	"testing"
)

// TestUserPasswordResetsAndEndsCredentials: the way back from a lost
// password. A password from LIANDONG_PASSWORD replaces the old one, which
// is refused from then on, and the user's tokens end; without one a new
// password is generated, printed once on the last line, and accepted.
func TestUserPasswordResetsAndEndsCredentials(t *testing.T) {
	data := isolate(t)
	mustSucceed(t, "migrate", "--data", data)
	const email = "zhang.min@example.gov.cn"
	t.Setenv("LIANDONG_PASSWORD", "the first password")
	mustSucceed(t, "user", "add", "--data", data, "--email", email, "--name", "张敏", "--role", "admin")
	token := lastLine(mustSucceed(t, "token", "create", "--data", data, "--user", email))
	ctx := context.Background()

	t.Setenv("LIANDONG_PASSWORD", "the second password")
	out := mustSucceed(t, "user", "password", "--data", data, "--email", email)
	if strings.Contains(out, "the second password") {
		t.Errorf("a password the operator typed is printed back: %q", out)
	}
	s := openStore(t, data)
	if _, err := s.CheckPassword(ctx, email, "the first password"); err == nil {
		t.Error("the old password still signs in")
	}
	if _, err := s.CheckPassword(ctx, email, "the second password"); err != nil {
		t.Errorf("the new password is refused: %v", err)
	}
	if _, err := s.Authenticate(ctx, token); err == nil {
		t.Error("a token issued before the reset still works")
	}

	t.Setenv("LIANDONG_PASSWORD", "")
	out = mustSucceed(t, "user", "password", "--data", data, "--email", email)
	generated := lastLine(out)
	if len(generated) < 16 || strings.Contains(generated, " ") {
		t.Fatalf("generated password line = %q", generated)
	}
	if _, err := s.CheckPassword(ctx, email, generated); err != nil {
		t.Errorf("the printed password is refused: %v", err)
	}
	if _, err := s.CheckPassword(ctx, email, "the second password"); err == nil {
		t.Error("the replaced password still signs in")
	}

	t.Run("UnknownUserFails", func(t *testing.T) {
		r := liandong(t, "user", "password", "--data", data, "--email", "nobody@example.gov.cn")
		if r.code != 1 || !strings.Contains(r.stderr, "nobody@example.gov.cn") {
			t.Errorf("exit %d, %q; want 1 naming the address", r.code, r.stderr)
		}
	})
	t.Run("TooShortRefused", func(t *testing.T) {
		r := liandong(t, "user", "password", "--data", data, "--email", email, "--password", "short")
		if r.code != 2 || !strings.Contains(r.stderr, "password") {
			t.Errorf("exit %d, %q; want 2 naming the field", r.code, r.stderr)
		}
		if _, err := s.CheckPassword(ctx, email, generated); err != nil {
			t.Errorf("a refused reset changed the password: %v", err)
		}
	})
}
