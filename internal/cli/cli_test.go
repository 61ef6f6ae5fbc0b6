package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/cli"
	"github.com/liandong/liandong/internal/store"
)

// isolate keeps the developer's or CI's LIANDONG_* settings out of a test
// and returns a fresh data directory.
func isolate(t *testing.T) string {
	t.Helper()
	for _, v := range []string{"LIANDONG_DATABASE_URL", "LIANDONG_DATA_DIR", "LIANDONG_ADDR", "LIANDONG_LOG_LEVEL", "LIANDONG_PASSWORD", "LIANDONG_AUDIT_KEY_FILE"} {
		t.Setenv(v, "")
	}
	return t.TempDir()
}

type result struct {
	code           int
	stdout, stderr string
}

// liandong runs one command line the way the binary would.
func liandong(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func mustSucceed(t *testing.T, args ...string) string {
	t.Helper()
	r := liandong(t, args...)
	if r.code != 0 {
		t.Fatalf("liandong %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func openStore(t *testing.T, dataDir string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrateStatusBeforeAndAfterUp(t *testing.T) {
	data := isolate(t)

	before := mustSucceed(t, "migrate", "status", "--data", data)
	if !strings.Contains(before, "pending") || strings.Contains(before, "applied") {
		t.Errorf("status before up = %q, want only pending migrations", before)
	}
	up := mustSucceed(t, "migrate", "up", "--data", data)
	if !strings.Contains(up, "applied 0001_") {
		t.Errorf("up = %q, want the migrations it applied", up)
	}
	after := mustSucceed(t, "migrate", "status", "--data", data)
	if !strings.Contains(after, "applied") || strings.Contains(after, "pending") {
		t.Errorf("status after up = %q, want only applied migrations", after)
	}
	again := mustSucceed(t, "migrate", "--data", data)
	if !strings.Contains(again, "up to date") {
		t.Errorf("migrate on a current schema = %q, want it to say the schema is up to date", again)
	}
}

func TestUserAddThenTokenCreate(t *testing.T) {
	data := isolate(t)
	mustSucceed(t, "migrate", "--data", data)
	t.Setenv("LIANDONG_PASSWORD", "a long enough password")

	id := mustSucceed(t, "user", "add", "--data", data, "--email", "li.wei@example.gov.cn", "--name", "李伟", "--role", "liaison")
	if strings.TrimSpace(id) == "" {
		t.Fatalf("user add printed no id")
	}
	out := mustSucceed(t, "token", "create", "--data", data, "--user", "li.wei@example.gov.cn", "--name", "scripts")
	token := lastLine(out)
	if !strings.HasPrefix(token, "ld_") || strings.Contains(token, " ") {
		t.Fatalf("token create's last line = %q, want the token alone", token)
	}

	s := openStore(t, data)
	u, err := s.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("Authenticate(printed token) = %v", err)
	}
	if got, want := u.Email, "li.wei@example.gov.cn"; got != want {
		t.Errorf("token authenticates %q, want %q", got, want)
	}
	if _, err := s.CheckPassword(context.Background(), "li.wei@example.gov.cn", "a long enough password"); err != nil {
		t.Errorf("password from LIANDONG_PASSWORD not stored: %v", err)
	}
}

func TestUserAddRefusesBadEmail(t *testing.T) {
	data := isolate(t)
	mustSucceed(t, "migrate", "--data", data)

	r := liandong(t, "user", "add", "--data", data, "--email", "not-an-address", "--name", "王芳")
	if r.code != 2 {
		t.Errorf("exit code = %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, "email:") {
		t.Errorf("stderr = %q, want the field email named", r.stderr)
	}
}

func TestTokenCreateForUnknownUserFails(t *testing.T) {
	data := isolate(t)
	mustSucceed(t, "migrate", "--data", data)

	r := liandong(t, "token", "create", "--data", data, "--user", "nobody@example.gov.cn")
	if r.code != 1 || !strings.Contains(r.stderr, "nobody@example.gov.cn") {
		t.Errorf("token create for an unknown user = exit %d, %q; want 1 naming the address", r.code, r.stderr)
	}
}

func TestAdministrativeCommandsRefuseAnOldSchema(t *testing.T) {
	data := isolate(t)
	r := liandong(t, "user", "add", "--data", data, "--email", "a@example.gov.cn", "--name", "甲")
	if r.code != 1 || !strings.Contains(r.stderr, "liandong migrate") {
		t.Errorf("user add before migrate = exit %d, %q; want 1 telling to migrate", r.code, r.stderr)
	}
}

func TestAuditVerify(t *testing.T) {
	data := isolate(t)
	mustSucceed(t, "migrate", "--data", data)
	mustSucceed(t, "user", "add", "--data", data, "--email", "a@example.gov.cn", "--name", "甲")

	t.Run("IntactChainPasses", func(t *testing.T) {
		out := mustSucceed(t, "audit", "verify", "--data", data)
		if !strings.Contains(out, "checked 1 audit events") {
			t.Errorf("audit verify = %q, want the count of events checked", out)
		}
	})
	t.Run("EditedEventFails", func(t *testing.T) {
		s := openStore(t, data)
		if _, err := s.DB().Exec("UPDATE audit_events SET after_json = '{}' WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		r := liandong(t, "audit", "verify", "--data", data)
		if r.code != 1 || !strings.Contains(r.stderr, "audit event 1") {
			t.Errorf("audit verify after tampering = exit %d, %q; want 1 naming event 1", r.code, r.stderr)
		}
	})
}

func TestVersion(t *testing.T) {
	isolate(t)
	out := mustSucceed(t, "version")
	if !strings.HasPrefix(out, "liandong ") || !strings.Contains(out, "go1") {
		t.Errorf("version = %q, want liandong, its version and the Go version", out)
	}
}

func TestHelpExplainsEachCommandAndItsFlags(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		command []string
		flags   []string
	}{
		{[]string{"serve"}, []string{"-addr", "-data", "-database-url", "-log-level", "-shutdown-timeout"}},
		{[]string{"demo"}, []string{"-addr", "-data", "-database-url", "-log-level"}},
		{[]string{"migrate"}, []string{"-data", "-database-url"}},
		{[]string{"migrate", "up"}, []string{"-data", "-database-url"}},
		{[]string{"migrate", "status"}, []string{"-data", "-database-url"}},
		{[]string{"user", "add"}, []string{"-email", "-name", "-password", "-role", "-scope-kind", "-scope-id", "-locale", "LIANDONG_PASSWORD"}},
		{[]string{"user", "password"}, []string{"-email", "-password", "LIANDONG_PASSWORD", "sessions"}},
		{[]string{"token", "create"}, []string{"-user", "-name", "-data"}},
		{[]string{"load"}, []string{"-token", "-email", "-password", "LIANDONG_PASSWORD", "process_cpu_seconds_total", "-clients", "-duration"}},
		{[]string{"audit", "verify"}, []string{"-data", "-database-url"}},
		{[]string{"version"}, nil},
	} {
		name := strings.Join(tc.command, " ")
		t.Run(name, func(t *testing.T) {
			r := liandong(t, append(tc.command, "--help")...)
			if r.code != 0 {
				t.Fatalf("liandong %s --help: exit %d, stderr %q", name, r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "Usage: liandong") {
				t.Errorf("help lacks a usage line:\n%s", r.stdout)
			}
			for _, f := range tc.flags {
				if !strings.Contains(r.stdout, f) {
					t.Errorf("help does not mention %s:\n%s", f, r.stdout)
				}
			}
		})
	}
}

func TestUsageMistakesExit2(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"user"},
		{"user", "remove"},
		{"serve", "--no-such-flag"},
		{"user", "add", "--email", "a@example.gov.cn"},
		{"token", "create"},
		{"version", "extra"},
		{"serve", "--log-level", "loud"},
	} {
		if r := liandong(t, args...); r.code != 2 {
			t.Errorf("liandong %s: exit %d, want 2", strings.Join(args, " "), r.code)
		}
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	fromEnv := isolate(t)
	fromFlag := t.TempDir()
	t.Setenv("LIANDONG_DATA_DIR", fromEnv)

	mustSucceed(t, "migrate")
	if _, err := os.Stat(filepath.Join(fromEnv, store.DefaultSQLiteFile)); err != nil {
		t.Errorf("migrate without --data did not use LIANDONG_DATA_DIR: %v", err)
	}
	if out := mustSucceed(t, "migrate", "status", "--data", fromFlag); !strings.Contains(out, "pending") {
		t.Errorf("migrate status --data %s = %q, want the flag's fresh database", fromFlag, out)
	}
}

// syncBuffer lets a test read what a serving command has written so far
// while the command keeps writing from other goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runDemo starts the demo on a free port, waits until it serves, hands its
// output to check while it runs, then stops it and expects a clean exit.
func runDemo(t *testing.T, data string, check func(stdout string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, &stdout, &stderr)
	}()

	deadline := time.After(60 * time.Second)
	for !strings.Contains(stdout.String(), "Serving on") {
		select {
		case code := <-exited:
			t.Fatalf("demo exited early with %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatalf("demo never served\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	check(stdout.String())
	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("demo exit code after cancel = %d, want 0\nstderr: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop after cancel")
	}
}

// field returns the value printed after label on a line of its own.
func field(t *testing.T, out, label string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, label); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("output lacks %q:\n%s", label, out)
	return ""
}

func TestDemo(t *testing.T) {
	data := filepath.Join(isolate(t), "demo-data")

	t.Run("FirstRunLoadsAndPrintsCredentials", func(t *testing.T) {
		runDemo(t, data, func(out string) {
			site := field(t, out, "Sign in:")
			if got := field(t, out, "E-mail:"); got != "admin@liandong.local" {
				t.Errorf("e-mail = %q, want admin@liandong.local", got)
			}
			password := field(t, out, "Password:")
			if len(password) < 16 {
				t.Errorf("password %q is shorter than 16 characters", password)
			}
			token := field(t, out, "API token:")
			if !strings.Contains(out, "curl -H \"Authorization: Bearer "+token+"\" "+site) {
				t.Errorf("output lacks a curl example with the token:\n%s", out)
			}

			resp, err := http.Get(site + "healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %shealthz = %d, want 200", site, resp.StatusCode)
			}

			s := openStore(t, data)
			u, err := s.Authenticate(context.Background(), token)
			if err != nil {
				t.Fatalf("Authenticate(printed token) = %v", err)
			}
			if !u.IsAdmin() || u.Name != "管理员" || u.Locale != "zh-CN" {
				t.Errorf("demo administrator = %+v, want admin 管理员 in zh-CN", u)
			}
			if _, err := s.CheckPassword(context.Background(), "admin@liandong.local", password); err != nil {
				t.Errorf("printed password refused: %v", err)
			}
		})
	})

	t.Run("SecondRunReusesTheData", func(t *testing.T) {
		runDemo(t, data, func(out string) {
			// The test binary is built by go test in a go-build directory, as
			// go run builds the demo's: the hints say go run.
			for _, want := range []string{"Reusing", "go run ./cmd/liandong token create --user admin@liandong.local --data " + data,
				"go run ./cmd/liandong user password --email admin@liandong.local --data " + data} {
				if !strings.Contains(out, want) {
					t.Errorf("second run lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "Password:") || strings.Contains(out, "Loading") {
				t.Errorf("second run loaded again or printed a password:\n%s", out)
			}
		})
	})
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := cli.Run(context.Background(), []string{"migrate", "up", "--data", dir}, &out, &errOut); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut.String())
	}
	dest := filepath.Join(dir, "copy.db")
	if code := cli.Run(context.Background(), []string{"backup", "--data", dir, "--to", dest}, &out, &errOut); code != 0 {
		t.Fatalf("backup exited %d: %s", code, errOut.String())
	}
	if _, err := os.Stat(dest); err != nil {
		t.Fatalf("no backup written: %v", err)
	}
	if code := cli.Run(context.Background(), []string{"backup", "--data", dir}, &out, &errOut); code != 2 {
		t.Fatalf("backup without --to exited %d, want 2", code)
	}
}

// TestAuditCheckpoint: a checkpoint printed by audit checkpoint is kept
// beside the key, and audit verify --checkpoint accepts the log as it grows
// but refuses it once its newest event is gone, even with the tree rebuilt.
func TestAuditCheckpoint(t *testing.T) {
	data := isolate(t)
	mustSucceed(t, "migrate", "--data", data)
	mustSucceed(t, "user", "add", "--data", data, "--email", "a@example.gov.cn", "--name", "甲")

	first := mustSucceed(t, "audit", "checkpoint", "--data", data)
	if lines := strings.Split(first, "\n"); len(lines) < 5 || lines[1] != "1" || !strings.HasPrefix(lines[4], "— ") {
		t.Fatalf("audit checkpoint = %q, want origin, size 1, root, a blank line and a signature", first)
	}
	if fi, err := os.Stat(filepath.Join(data, "audit.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit.key: %v, %v; want a file readable by its owner only", fi, err)
	}
	kept, err := os.ReadFile(filepath.Join(data, "audit-checkpoints"))
	if err != nil || !strings.Contains(string(kept), first) {
		t.Errorf("audit-checkpoints = %q, %v; want the checkpoint printed", kept, err)
	}
	cp := filepath.Join(t.TempDir(), "checkpoint")
	if err := os.WriteFile(cp, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}

	mustSucceed(t, "user", "add", "--data", data, "--email", "b@example.gov.cn", "--name", "乙")
	t.Run("GrownLogExtendsIt", func(t *testing.T) {
		out := mustSucceed(t, "audit", "verify", "--data", data, "--checkpoint", cp)
		if !strings.Contains(out, "checked 2 audit events") || !strings.Contains(out, "extends") {
			t.Errorf("audit verify --checkpoint = %q, want 2 events that extend the checkpoint", out)
		}
	})
	t.Run("TruncatedLogFails", func(t *testing.T) {
		second := mustSucceed(t, "audit", "checkpoint", "--data", data)
		if err := os.WriteFile(cp, []byte(second), 0o644); err != nil {
			t.Fatal(err)
		}
		s := openStore(t, data)
		for _, q := range []string{"DELETE FROM audit_events WHERE id = 2", "DELETE FROM audit_tree", "UPDATE audit_events SET seq = NULL"} {
			if _, err := s.DB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		r := liandong(t, "audit", "verify", "--data", data, "--checkpoint", cp)
		if r.code != 1 || !strings.Contains(r.stderr, "checkpoint") {
			t.Errorf("audit verify after truncation = exit %d, %q; want 1 naming the checkpoint", r.code, r.stderr)
		}
	})
	t.Run("UnknownKeyRefused", func(t *testing.T) {
		other := isolate(t)
		mustSucceed(t, "migrate", "--data", other)
		r := liandong(t, "audit", "verify", "--data", other, "--checkpoint", cp)
		if r.code != 1 || !strings.Contains(r.stderr, "signature") {
			t.Errorf("audit verify with another installation's checkpoint = exit %d, %q; want 1 about the signature", r.code, r.stderr)
		}
	})
}
