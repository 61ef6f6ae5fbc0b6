package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestAuditRowsBesideTheRecordKitCaught: API tokens, publications, two-side
// changes, notification channels and column mappings are held to their audit events
// too: each edit, insertion or deletion without an event below fails
// verification naming the row,.
func TestAuditRowsBesideTheRecordKitCaught(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		u := mustCreate(t, s.Users, &domain.User{Email: "holder@example.gov.cn", Name: "持有人", Locale: "zh-CN"})
		secret, tok, err := s.CreateToken(ctx, system, u.ID, "脚本")
		if err != nil {
			t.Fatal(err)
		}
		_, revoked, err := s.CreateToken(ctx, system, u.ID, "旧脚本")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, system, u.ID, revoked.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPublication(ctx, system, domain.Publication{MechanismID: w.mech.ID, Enabled: true, Fields: []string{"title"}}); err != nil {
			t.Fatal(err)
		}
		ch := domain.NotificationChannel{MechanismID: w.mech.ID, Name: "秘书处", Kind: domain.WebhookChannel, Target: "https://hooks.example.org/a"}
		if err := s.NotificationChannels().Create(ctx, system, &ch); err != nil {
			t.Fatal(err)
		}
		cd := liaisonOf(t, s, "cd@example.gov.cn", w.cdDRC.ID)
		it := mustCreate(t, s.Items, w.item("双方事项", map[string]int64{"chengdu": w.cdDRC.ID, "chongqing": w.cqDRC.ID}, ""))
		it.Status = domain.Completed
		if err := s.Items.Update(ctx, cd, it); err != nil {
			t.Fatal(err)
		}
		_, change := oneChange(t, s, it.ID)
		mapping := mustCreate(t, s.ColumnMappings(), &domain.ColumnMapping{MechanismID: w.mech.ID, Name: "映射", Columns: map[string]string{"名称": "title"}})
		// A token's use is recorded without an event, by design.
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if n, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("untouched (%d events): %v", n, err)
		}
		// Each tamper adds to those before it and lies where verification
		// looks first (channels, mappings, tokens by id, publications, changes), so
		// each one is what it names. No undo is needed.
		for _, tc := range []struct {
			name, tamper, want string
		}{
			{"ChangeConfirmedBehindTheLog", fmt.Sprintf(`UPDATE item_changes SET confirmed = '["chengdu","chongqing"]' WHERE id = %d`, change.ID),
				fmt.Sprintf("item change %d differs from its last audit event (confirmed is", change.ID)},
			{"PublicationWidened", fmt.Sprintf(`UPDATE publications SET fields = '["title","content"]' WHERE mechanism_id = %d`, w.mech.ID),
				fmt.Sprintf("the publication of mechanism %d differs from its last audit event (fields is", w.mech.ID)},
			{"TokenUnrevoked", fmt.Sprintf("UPDATE api_tokens SET revoked_at = NULL WHERE id = %d", revoked.ID),
				fmt.Sprintf("api token %d differs from its last audit event (revoked_at is", revoked.ID)},
			{"TokenDeleted", fmt.Sprintf("DELETE FROM api_tokens WHERE id = %d", revoked.ID),
				fmt.Sprintf("api token %d is recorded by audit events but gone from its table", revoked.ID)},
			{"TokenRenamed", fmt.Sprintf("UPDATE api_tokens SET name = 'x' WHERE id = %d", tok.ID),
				fmt.Sprintf(`api token %d differs from its last audit event (name is "x" in the row, "脚本" in the event)`, tok.ID)},
			{"TokenHashSwapped", fmt.Sprintf("UPDATE api_tokens SET hash = 'forged' WHERE id = %d", tok.ID),
				fmt.Sprintf("api token %d differs from its last audit event (hash is", tok.ID)},
			{"MappingEdited", fmt.Sprintf("UPDATE column_mappings SET name = 'x' WHERE id = %d", mapping.ID),
				fmt.Sprintf("column mapping %d differs from its last audit event (name is", mapping.ID)},
			{"ChannelRedirected", fmt.Sprintf("UPDATE notification_channels SET target = 'https://evil.example/' WHERE id = %d", ch.ID),
				fmt.Sprintf("notification channel %d differs from its last audit event (target is", ch.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				mustExec(t, s, tc.tamper)
				_, err := s.VerifyAudit(ctx)
				mustFail(t, err, tc.want)
			})
		}
	})
}
