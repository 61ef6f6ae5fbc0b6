package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestRemindersLinkToTheInbox: every reminder points the unit to its
// inbox (我的待办), and what a channel receives ends with the inbox's
// absolute address under the site's (LIANDONG_SITE_URL).
func TestRemindersLinkToTheInbox(t *testing.T) {
	site := "https://liandong.example.gov.cn"
	if got := notify.ConfigFromEnv(func(k string) string {
		if k == "LIANDONG_SITE_URL" {
			return site
		}
		return ""
	}).SiteURL; got != site {
		t.Errorf("LIANDONG_SITE_URL read as %q", got)
	}
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.AllowPrivateTargets = true // the receiver is a test server on 127.0.0.1
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		wg := workingGroup(t, s)
		want, err := notify.Reminders(ctx, s, wg, december, 10, 7)
		if err != nil || len(want) == 0 {
			t.Fatalf("reminders: %d, %v", len(want), err)
		}
		for _, r := range want {
			if r.Link != "/inbox" {
				t.Errorf("%s links to %q, want /inbox", r.Key, r.Link)
			}
		}
		var mu sync.Mutex
		texts := map[string]string{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var v notify.WebhookBody
			json.Unmarshal(body, &v)
			mu.Lock()
			texts[v.Key] = v.Text
			mu.Unlock()
		}))
		defer srv.Close()
		addChannel(t, s, domain.NotificationChannel{MechanismID: wg.ID, Name: "webhook", Kind: domain.WebhookChannel, Target: srv.URL})
		n, err := notify.New(s, notify.Config{ID: "inbox-link", SiteURL: site + "/", PollInterval: 100 * time.Millisecond,
			Now: func() time.Time { return december }, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stop, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			n.Stop(stop)
		}()
		if _, err := n.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "deliveries", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(texts) >= len(want)
		})
		mu.Lock()
		defer mu.Unlock()
		for _, r := range want {
			if got := texts[r.Key]; !strings.HasPrefix(got, r.Text) || !strings.HasSuffix(got, "：https://liandong.example.gov.cn/inbox") {
				t.Errorf("%s delivered as %q, want its text then the inbox's address", r.Key, got)
			}
		}
	})
}
