package fedtest

import (
	"crypto/tls"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Serve starts h over TLS with cfg on a free port of 127.0.0.1, closes it
// when the test ends and returns its base URL (https://127.0.0.1:port).
// cfg is usually an mtls.ServerConfigFor configuration; the server's own
// error log (failed handshakes among others) goes to the test's log, since
// that is where a refused peer shows why.
func Serve(t testing.TB, h http.Handler, cfg *tls.Config) (baseURL string) {
	t.Helper()
	server := httptest.NewUnstartedServer(h)
	server.TLS = cfg
	logs := &testLog{t: t}
	server.Config.ErrorLog = log.New(logs, "", 0)
	server.StartTLS()
	t.Cleanup(func() {
		server.Close()
		logs.stop()
	})
	return server.URL
}

// testLog forwards the server's log lines to t.Logf until the test's cleanup,
// after which t.Logf would panic; a connection goroutine may still log then.
type testLog struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("server: %s", strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}
