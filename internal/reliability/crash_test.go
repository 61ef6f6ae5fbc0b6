// Package reliability holds the tests that abuse a running server: kill -9
// under write load, on SQLite and PostgreSQL, and check that nothing
// acknowledged was lost.
package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/cli"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestMain lets the test binary stand in for the liandong program: run
// with LIANDONG_TEST_CHILD=1 it is the server the tests kill.
func TestMain(m *testing.M) {
	if os.Getenv("LIANDONG_TEST_CHILD") == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// kills is how many times each crash test kills the server: a few in CI,
// LIANDONG_CRASH_KILLS=20 for the full run.
func kills() int {
	if n, err := strconv.Atoi(os.Getenv("LIANDONG_CRASH_KILLS")); err == nil && n > 0 {
		return n
	}
	return 4
}

func TestKillDuringWritesLosesNothingSQLite(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	crashTest(t, s, []string{"--data", dir}, nil)
}

func TestKillDuringWritesLosesNothingPostgres(t *testing.T) {
	s := storetest.MustOpenPostgres(t)
	if s == nil {
		t.Skip("LIANDONG_TEST_POSTGRES_URL is not set")
	}
	// The server started below reads the real clock, and checks the
	// token's expiry by it: the token is made on the same clock.
	s.Now = time.Now
	// The audit key lives beside the test, not in ./data of the package.
	crashTest(t, s, nil, []string{"LIANDONG_DATABASE_URL=" + s.URL(), "LIANDONG_AUDIT_KEY_FILE=" + filepath.Join(t.TempDir(), "audit.key")})
}

// crashTest prepares a token in s, then repeatedly starts the server, writes
// from four clients, and kills the server with SIGKILL at a random moment.
// Afterwards every write the server acknowledged must be in the database,
// which must pass its integrity check and the audit chain check.
func crashTest(t *testing.T, s *store.Store, args, env []string) {
	ctx := context.Background()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin := &domain.User{Email: "ops@example.gov.cn", Name: "运维", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
	if err := s.Users.Create(ctx, domain.Actor{}, admin); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.CreateToken(ctx, domain.Actor{}, admin.ID, "crash")
	if err != nil {
		t.Fatal(err)
	}
	root := &domain.Jurisdiction{Name: "四川省", Kind: domain.Province}
	if err := s.Jurisdictions.Create(ctx, domain.Actor{}, root); err != nil {
		t.Fatal(err)
	}
	s.Close()

	rnd := rand.New(rand.NewPCG(7, 11))
	var acked []int64
	var mu sync.Mutex
	for round := 0; round < kills(); round++ {
		server := startServer(t, args, env)
		cmd, addr := server.cmd, server.addr
		stop := make(chan struct{})
		// The kill comes only after the round's first acknowledged write:
		// a delay alone, on a loaded machine (CI's race detector, other
		// packages' tests), could kill a server that had acknowledged
		// nothing yet, and rounds that test nothing once failed the check
		// that the server was loaded at all.
		first, once := make(chan struct{}), sync.Once{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("区%d-%d-%d", round, w, i), "kind": "district", "parent_id": root.ID})
					req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/jurisdictions", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						continue // the server died under us: not acknowledged
					}
					var j domain.Jurisdiction
					err = json.NewDecoder(res.Body).Decode(&j)
					res.Body.Close()
					if res.StatusCode == http.StatusCreated && err == nil {
						mu.Lock()
						acked = append(acked, j.ID)
						mu.Unlock()
						once.Do(func() { close(first) })
					}
				}
			}(w)
		}
		select {
		case <-first:
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			cmd.Wait()
			close(stop)
			wg.Wait()
			t.Fatalf("round %d: the server acknowledged no write in 2 minutes: %s", round, server.log)
		}
		time.Sleep(time.Duration(rnd.IntN(400)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL: no shutdown, no flush
		cmd.Wait()
		close(stop)
		wg.Wait()
	}

	s2 := reopen(t, args, env)
	if err := s2.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s2.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after %d kills: %v (%d events intact)", kills(), err, n)
	}
	for _, id := range acked {
		if _, err := s2.Jurisdictions.Get(ctx, id); err != nil {
			t.Fatalf("jurisdiction %d was acknowledged but is gone after the kills: %v", id, err)
		}
	}
	t.Logf("%d kills, %d acknowledged writes, all present", kills(), len(acked))
}

func reopen(t *testing.T, args, env []string) *store.Store {
	t.Helper()
	url, dir := "", ""
	for i, a := range args {
		if a == "--data" {
			dir = args[i+1]
		}
	}
	for _, e := range env {
		if v, ok := cutPrefix(e, "LIANDONG_DATABASE_URL="); ok {
			url = v
		}
	}
	s, err := store.Open(context.Background(), url, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

func waitReady(t *testing.T, addr string, log fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the server on %s did not become ready: %s", addr, log)
}
