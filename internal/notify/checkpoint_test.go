package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// checkpointHook keeps the text of every checkpoint a generic webhook
// receives, and ignores the reminders sent alongside.
type checkpointHook struct {
	mu    sync.Mutex
	notes []string
}

func (h *checkpointHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var v notify.WebhookBody
	if json.Unmarshal(body, &v) != nil || v.Event != "checkpoint" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notes = append(h.notes, v.Text)
}

func (h *checkpointHook) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.notes...)
}

// TestCheckpointSentToChannels: the periodic job issues a checkpoint of the
// grown log and a webhook receives the signed note verbatim, which verifies
// with the installation's verifier key and covers every event.
func TestCheckpointSentToChannels(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.AllowPrivateTargets = true // the receiver is a test server on 127.0.0.1
		key, err := auditlog.OpenKey(filepath.Join(t.TempDir(), auditlog.KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		s.AuditKey = key
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		h := &checkpointHook{}
		srv := httptest.NewServer(h)
		defer srv.Close()
		addChannel(t, s, domain.NotificationChannel{MechanismID: workingGroup(t, s).ID, Name: "存证回调", Kind: domain.WebhookChannel, Target: srv.URL})

		newNotifier(t, s, "checkpoints", "") // the job runs on start
		waitFor(t, "a checkpoint at the webhook", func() bool { return len(h.got()) > 0 })
		got, err := auditlog.Open([]byte(h.got()[0]), []string{key.VerifierKey()})
		if err != nil {
			t.Fatalf("the checkpoint received does not verify with the verifier key: %v\n%s", err, h.got()[0])
		}
		tree, err := s.SealAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Tree != tree || got[0].Origin != key.Origin() {
			t.Fatalf("received the checkpoint of %d events, the log holds %d", got[0].N, tree.N)
		}
		if _, err := s.VerifyAudit(ctx, got[0].Tree); err != nil {
			t.Fatalf("the log does not extend the checkpoint it sent: %v", err)
		}
		latest, issued, err := s.IssueCheckpoint(ctx, false)
		if err != nil || issued || string(latest.Note) != h.got()[0] {
			t.Fatalf("a log that did not grow got a new checkpoint (issued %v, %v)", issued, err)
		}
	})
}
