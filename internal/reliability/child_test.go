package reliability

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// child is a `liandong serve` process started by a test, with the address
// it listens on and the lines it logged above INFO.
type child struct {
	cmd  *exec.Cmd
	addr string
	log  *lines
}

// listening matches the server's log line that names its address.
var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServer runs `liandong serve --addr 127.0.0.1:0` with args and env
// and waits until it answers /readyz. The child picks its own port and
// names it in its log: a port picked free here and handed over leaves a
// moment in which a server of another package's tests (go test ./... runs
// packages side by side) may take it, and CI once saw this package's
// requests answered by such a stranger, whose log was not ours.
func startServer(t *testing.T, args, env []string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "info"}, args...)...)
	cmd.Env = append(append(os.Environ(), "LIANDONG_TEST_CHILD=1"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, log: &lines{}}
	found := make(chan string, 1)
	go c.log.collect(stderr, found)
	select {
	case c.addr = <-found:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the server named no address in 30 s: %s", c.log)
	}
	waitReady(t, c.addr, c.log)
	return c
}

// lines keeps what a child logs at WARN and ERROR; its request log at INFO
// would only fill memory during a load run.
type lines struct {
	mu   sync.Mutex
	kept []string
}

func (l *lines) collect(r io.Reader, found chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := listening.FindStringSubmatch(line); m != nil {
			select {
			case found <- m[1]:
			default:
			}
			continue
		}
		if strings.Contains(line, "level=INFO") {
			continue
		}
		l.mu.Lock()
		l.kept = append(l.kept, line)
		l.mu.Unlock()
	}
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.kept, "\n")
}
