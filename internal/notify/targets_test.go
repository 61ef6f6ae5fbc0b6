package notify_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestWebhookTargetsRefuseInternalAddresses: a channel may not point at
// loopback, private, link-local, unspecified or multicast addresses unless
// the operator allows it, neither when it is saved nor when a reminder is
// sent (a name may resolve elsewhere by then).
func TestWebhookTargetsRefuseInternalAddresses(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		wg := workingGroup(t, s)
		for _, target := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://api.localhost/", "https://10.1.2.3/x",
			"http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9000/", "http://[fe80::1]/",
			"http://[fd00::1]/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/", "http://100.64.0.1/"} {
			c := &domain.NotificationChannel{MechanismID: wg.ID, Name: "内网", Kind: domain.WebhookChannel, Target: target}
			err := s.NotificationChannels().Create(ctx, domain.Actor{}, c)
			var e *domain.Error
			if domain.ErrorCode(err) != domain.Invalid || !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != "target" {
				t.Errorf("a channel to %s: %v, want invalid naming target", target, err)
			}
		}
		public := &domain.NotificationChannel{MechanismID: wg.ID, Name: "外网", Kind: domain.WebhookChannel, Target: "https://hooks.example.org/liandong"}
		if err := s.NotificationChannels().Create(ctx, domain.Actor{}, public); err != nil {
			t.Fatalf("a channel to a public name: %v", err)
		}
		public.Target = "http://169.254.169.254/latest/meta-data/"
		if err := s.NotificationChannels().Update(ctx, domain.Actor{}, public); domain.ErrorCode(err) != domain.Invalid {
			t.Errorf("a channel changed to the metadata address: %v, want invalid", err)
		}

		// Saved while the operator allowed it, sent after they stopped:
		// the delivery fails and the receiver hears nothing.
		h := &hooks{}
		srv := httptest.NewServer(h.handler("k"))
		defer srv.Close()
		s.AllowPrivateTargets = true
		ch := addChannel(t, s, domain.NotificationChannel{MechanismID: wg.ID, Name: "本机", Kind: domain.WebhookChannel, Target: srv.URL, Secret: "k"})
		s.AllowPrivateTargets = false
		n := newNotifier(t, s, "guarded", "")
		const key = "report_due/2024-12/guarded"
		if _, err := n.Enqueue(ctx, notify.Reminder{Key: key, MechanismID: wg.ID, Kind: "report_due", Subject: "请报送", Text: "测试"}); err != nil {
			t.Fatal(err)
		}
		var failed domain.Delivery
		waitFor(t, "a refused delivery", func() bool {
			all, _ := s.Deliveries(ctx, store.DeliveryQuery{ChannelID: ch, Limit: 200})
			for _, d := range all {
				if d.ReminderKey == key {
					failed = d
					return true
				}
			}
			return false
		})
		if failed.Status != domain.Failed || !strings.Contains(failed.Error, "internal address") {
			t.Errorf("delivery to a loopback receiver: %s %q, want failed naming the internal address", failed.Status, failed.Error)
		}
		if keys, _ := h.got(); len(keys) != 0 {
			t.Errorf("the loopback receiver got %v", keys)
		}
	})
}
