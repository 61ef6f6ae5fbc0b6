package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// loadSeconds is how long the mixed load runs: a few seconds in CI,
// LIANDONG_LOAD_SECONDS=60 for the full run.
func loadSeconds() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("LIANDONG_LOAD_SECONDS")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 6 * time.Second
}

// TestMixedLoadAndGracefulShutdown sends mixed reads and writes from 32
// clients, stops the server with SIGTERM halfway, starts it again and goes
// on. No answer may be a 5xx, the stopped server must exit cleanly, and
// every acknowledged write must be there at the end.
func TestMixedLoadAndGracefulShutdown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin := &domain.User{Email: "ops@example.gov.cn", Name: "运维", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Users.Create(ctx, domain.Actor{}, admin))
	token, _, err := s.CreateToken(ctx, domain.Actor{}, admin.ID, "load")
	must(err)
	root := &domain.Jurisdiction{Name: "重庆市", Kind: domain.Municipality}
	must(s.Jurisdictions.Create(ctx, domain.Actor{}, root))
	s.Close()

	var addr atomic.Value
	var logs []fmt.Stringer
	defer func() {
		if t.Failed() {
			for _, l := range logs {
				t.Logf("server log:\n%s", l.String())
			}
		}
	}()
	start := func() *exec.Cmd {
		c := startServer(t, []string{"--data", dir}, nil)
		logs = append(logs, c.log)
		addr.Store(c.addr)
		return c.cmd
	}
	server := start()

	var acked sync.Map // id → name
	var answers, writes, serverErrors atomic.Int64
	deadline := time.Now().Add(loadSeconds())
	call := func(method, path string, body any, ifMatch string) (*http.Response, []byte, error) {
		var rd *bytes.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, _ := http.NewRequest(method, "http://"+addr.Load().(string)+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer res.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		answers.Add(1)
		if res.StatusCode >= 500 {
			serverErrors.Add(1)
			t.Errorf("%s %s answered %d: %s", method, path, res.StatusCode, buf.String())
		}
		return res, buf.Bytes(), nil
	}
	var wg sync.WaitGroup
	for c := 0; c < 32; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				switch i % 4 {
				case 0, 1:
					call("GET", fmt.Sprintf("/api/v1/jurisdictions?parent=%d&limit=20&q=区", root.ID), nil, "")
				case 2:
					name := fmt.Sprintf("区%d-%d", c, i)
					res, body, err := call("POST", "/api/v1/jurisdictions", map[string]any{"name": name, "kind": "district", "parent_id": root.ID}, "")
					var j domain.Jurisdiction
					if err == nil && res.StatusCode == http.StatusCreated && json.Unmarshal(body, &j) == nil {
						acked.Store(j.ID, name)
						writes.Add(1)
					}
				case 3:
					res, body, err := call("GET", fmt.Sprintf("/api/v1/jurisdictions/%d", root.ID), nil, "")
					if err == nil && res.StatusCode == 200 {
						var j domain.Jurisdiction
						json.Unmarshal(body, &j)
						call("PATCH", fmt.Sprintf("/api/v1/jurisdictions/%d", root.ID), map[string]any{"name_en": fmt.Sprintf("Chongqing %d-%d", c, i)}, res.Header.Get("ETag"))
					}
				}
			}
		}(c)
	}
	time.Sleep(loadSeconds() / 2)
	must(server.Process.Signal(syscall.SIGTERM))
	if err := server.Wait(); err != nil {
		t.Errorf("the server did not shut down cleanly on SIGTERM: %v", err)
	}
	server = start()
	wg.Wait()
	server.Process.Signal(syscall.SIGTERM)
	server.Wait()

	s2 := reopen(t, []string{"--data", dir}, nil)
	missing := 0
	acked.Range(func(k, v any) bool {
		j, err := s2.Jurisdictions.Get(ctx, k.(int64))
		if err != nil || j.Name != v.(string) {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged writes are missing", missing, writes.Load())
	}
	if _, err := s2.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if writes.Load() == 0 || serverErrors.Load() > 0 {
		t.Fatalf("%d answers, %d writes, %d server errors", answers.Load(), writes.Load(), serverErrors.Load())
	}
	t.Logf("%d answers in %s from 32 clients, %d acknowledged writes all present, no 5xx, one graceful restart", answers.Load(), loadSeconds(), writes.Load())
}
