package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestParallelWrongPasswordsCannotRace sends eight wrong passwords for one
// account at once: only as many as the throttle allows are checked, the
// rest are refused, however the requests interleave.
func TestParallelWrongPasswordsCannotRace(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		st := mustStartSiteOn(t, s)
		const burst = 8
		clients := make([]*client, burst)
		tokens := make([]string, burst)
		for i := range clients {
			clients[i] = st.client(t)
			_, body := clients[i].get("/signin")
			tokens[i] = clients[i].csrf(body)
		}
		statuses := make([]int, burst)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				res, err := c.http.PostForm(c.base+"/signin", url.Values{"csrf": {tokens[i]}, "email": {st.User.Email}, "password": {"wrong password"}})
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			})
		}
		wg.Wait()
		checked := 0
		for _, code := range statuses {
			switch code {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
			default:
				t.Errorf("a parallel attempt answered %d", code)
			}
		}
		if checked != 5 {
			t.Errorf("%d of %d parallel wrong passwords were checked, want %d (statuses %v)", checked, burst, 5, statuses)
		}
	})
}

// TestBusyAddressDoesNotLockOutCorrectPassword: a proxy's address sees many
// failures for other accounts; a user behind it with the right password
// still gets in, while the guessed account waits.
func TestBusyAddressDoesNotLockOutCorrectPassword(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		st := mustStartSiteOn(t, s)
		c := st.client(t)
		for i := range 30 {
			email := fmt.Sprintf("nobody%d@example.gov.cn", i/5)
			if res := c.signIn(email, "guess"); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d (%s): %d, want 401", i, email, res.StatusCode)
			}
		}
		if res := c.signIn("nobody0@example.gov.cn", "guess"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a guessed account after its failures: %d, want 429", res.StatusCode)
		}
		if res := st.client(t).signIn(st.User.Email, testPassword); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the right password from the busy address: %d, want 303", res.StatusCode)
		}
	})
}

// TestSignInBackoffDoubles: past the free failures each further failure
// of an account from an address doubles the wait, and a success from that
// address starts it afresh.
func TestSignInBackoffDoubles(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := storetest.Start
		s.Now = func() time.Time { return now }
		fail := func() time.Duration {
			t.Helper()
			wait, err := s.BeginSignIn(ctx, "li@example.gov.cn", "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if wait == 0 {
				if err := s.EndSignIn(ctx, "li@example.gov.cn", "192.0.2.1", false); err != nil {
					t.Fatal(err)
				}
			}
			return wait
		}
		for range store.SignInFreeFailures {
			if w := fail(); w != 0 {
				t.Fatalf("a free attempt waits %v", w)
			}
		}
		for _, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
			if got := fail(); got != want {
				t.Fatalf("the next attempt waits %v, want %v", got, want)
			}
			now = now.Add(want)
			if got := fail(); got != 0 {
				t.Fatalf("after waiting %v the attempt still waits %v", want, got)
			}
		}
		now = now.Add(8 * time.Minute)
		if wait, err := s.BeginSignIn(ctx, "li@example.gov.cn", "192.0.2.1"); err != nil || wait != 0 {
			t.Fatalf("after the last wait: %v, %v", wait, err)
		}
		if err := s.EndSignIn(ctx, "li@example.gov.cn", "192.0.2.1", true); err != nil {
			t.Fatal(err)
		}
		if w := fail(); w != 0 {
			t.Errorf("after a success the first failure waits %v", w)
		}
	})
}
