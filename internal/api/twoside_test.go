package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// liaisonClient signs up a liaison of units and returns a client acting as it.
func liaisonClient(t *testing.T, s *store.Store, c *client, email string, units ...int64) *client {
	t.Helper()
	u := &domain.User{Email: email, Name: email, Locale: "zh-CN"}
	for _, id := range units {
		u.Grants = append(u.Grants, domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: id})
	}
	must(t, s.Users, u)
	tok, _, err := s.CreateToken(context.Background(), domain.Actor{}, u.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	return c.as(tok)
}

// heldChange checks that an answer shows the item with one pending change
// holding fields, awaiting Chongqing, and returns the change's confirm path.
func heldChange(t *testing.T, r response, fields ...string) string {
	t.Helper()
	body := r.json(t)
	pending, _ := body["pending"].([]any)
	if len(pending) != 1 {
		t.Fatalf("%d pending changes, want 1: %s", len(pending), r.body)
	}
	ch := pending[0].(map[string]any)
	var got []string
	for _, f := range ch["fields"].([]any) {
		got = append(got, f.(string))
	}
	slices.Sort(got)
	slices.Sort(fields)
	if fmt.Sprint(got) != fmt.Sprint(fields) || fmt.Sprint(ch["awaiting"]) != "[chongqing]" {
		t.Fatalf("pending %v awaiting %v, want %v awaiting [chongqing]", got, ch["awaiting"], fields)
	}
	return fmt.Sprintf("/api/v1/items/%d/changes/%d/confirm", int64(body["id"].(float64)), int64(ch["id"].(float64)))
}

// TestTwoSideRuleOverTheAPI: what one side alone may not do to a two-side
// item waits for the other side, through every route that could do it.
func TestTwoSideRuleOverTheAPI(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		chengdu := c.as(w.tokens["liaison"]) // acts for 温江区人民政府 (A)
		chongqing := liaisonClient(t, s, c, "banan@example.gov.cn", w.c.ID)
		lead := func(side string, o *domain.Organization) map[string]any {
			return map[string]any{"side": side, "organization_id": o.ID, "role": "lead"}
		}
		joint := func(title string) *domain.Item {
			return must(t, s.Items, &domain.Item{MechanismID: w.mech.ID, Title: title, Status: domain.Advancing,
				Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.a.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: w.c.ID, Role: domain.LeadUnit}}})
		}
		path := func(it *domain.Item) string { return fmt.Sprintf("/api/v1/items/%d", it.ID) }

		t.Run("CreateCompletedHeld", func(t *testing.T) {
			r := chengdu.do(t, "POST", "/api/v1/items", map[string]any{"mechanism_id": w.mech.ID, "title": "一边宣布完成", "status": "completed",
				"parties":    []any{lead("chengdu", w.a), lead("chongqing", w.c)},
				"milestones": []any{map[string]any{"title": "竣工", "due_on": "2024-06-30", "done_on": "2024-06-01"}}})
			wantStatus(t, r, 201)
			body := r.json(t)
			if body["status"] != "not_started" || len(body["parties"].([]any)) != 1 {
				t.Fatalf("created as %v with parties %v", body["status"], body["parties"])
			}
			confirm := heldChange(t, r, "status", "parties", "milestones")
			done := chongqing.do(t, "POST", confirm, nil)
			wantStatus(t, done, 200)
			if got := done.json(t); got["status"] != "completed" || len(got["parties"].([]any)) != 2 {
				t.Fatalf("after Chongqing confirmed: %s", done.body)
			}
		})
		t.Run("SecondLeadAndCompletionInOnePatchHeld", func(t *testing.T) {
			it := must(t, s.Items, &domain.Item{MechanismID: w.mech.ID, Title: "单边", Status: domain.Advancing,
				Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.a.ID, Role: domain.LeadUnit}}})
			r := chengdu.do(t, "PATCH", path(it), map[string]any{"version": it.Version, "status": "completed",
				"parties": []any{lead("chengdu", w.a), lead("chongqing", w.c)}})
			wantStatus(t, r, 200)
			if body := r.json(t); body["status"] != "advancing" {
				t.Fatalf("completed at once: %s", r.body)
			}
			heldChange(t, r, "status", "parties")
		})
		t.Run("ArchiveAndRestoreHeldThenConfirmed", func(t *testing.T) {
			it := joint("归档与恢复")
			r := chengdu.do(t, "DELETE", path(it), nil, "If-Match", fmt.Sprintf(`"%d"`, it.Version))
			wantStatus(t, r, 200)
			if r.json(t)["archived_at"] != nil {
				t.Fatal("one side archived a two-side item alone")
			}
			wantStatus(t, chongqing.do(t, "POST", heldChange(t, r, "archived"), nil), 200)
			got, _ := s.Items.Get(ctx, it.ID)
			if got.ArchivedAt == nil {
				t.Fatal("not archived after both sides agreed")
			}
			r = chengdu.do(t, "POST", path(it)+"/restore", nil, "If-Match", fmt.Sprintf(`"%d"`, got.Version))
			wantStatus(t, r, 200)
			if r.json(t)["archived_at"] == nil {
				t.Fatal("one side restored a two-side item alone")
			}
			wantStatus(t, chongqing.do(t, "POST", heldChange(t, r, "archived"), nil), 200)
			if got, _ := s.Items.Get(ctx, it.ID); got.ArchivedAt != nil {
				t.Fatal("still archived after both sides agreed to restore it")
			}
			h := c.do(t, "GET", path(it)+"/history", nil).json(t)["items"].([]any)
			var acts []string
			for _, e := range h {
				acts = append(acts, e.(map[string]any)["action"].(string))
			}
			if !slices.Contains(acts, "archive") || !slices.Contains(acts, "restore") {
				t.Fatalf("history %v does not show both the archive and the restore", acts)
			}
		})
		t.Run("RestoreAnyNoun", func(t *testing.T) {
			b := must(t, s.Batches, &domain.Batch{MechanismID: w.mech.ID, Name: "待恢复的批次"})
			one := fmt.Sprintf("/api/v1/batches/%d", b.ID)
			wantProblem(t, c.do(t, "POST", one+"/restore?version=1", nil), "", 409)
			wantStatus(t, c.do(t, "DELETE", one+"?version=1", nil), 200)
			wantProblem(t, c.do(t, "POST", one+"/restore", nil), "version", 428)
			r := c.do(t, "POST", one+"/restore?version=2", nil)
			wantStatus(t, r, 200)
			if body := r.json(t); body["archived_at"] != nil || body["version"].(float64) != 3 {
				t.Fatalf("restored batch %s", r.body)
			}
		})
		t.Run("MoveToAnotherMechanismHeld", func(t *testing.T) {
			it := joint("换机制")
			r := chengdu.do(t, "PATCH", path(it), map[string]any{"version": it.Version, "mechanism_id": w.other.ID})
			wantStatus(t, r, 200)
			if r.json(t)["mechanism_id"].(float64) != float64(w.mech.ID) {
				t.Fatal("one side moved the item alone")
			}
			heldChange(t, r, "mechanism_id")
		})
		t.Run("ReopenCompletedHeld", func(t *testing.T) {
			it := joint("重新打开")
			it.Status = domain.Completed
			if err := s.Items.Update(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
			r := chengdu.do(t, "PATCH", path(it), map[string]any{"version": it.Version, "status": "advancing"})
			wantStatus(t, r, 200)
			heldChange(t, r, "status")
		})
		t.Run("UnrelatedEditThenConfirmApplies", func(t *testing.T) {
			it := joint("内容另改")
			r := chengdu.do(t, "PATCH", path(it), map[string]any{"version": it.Version, "status": "completed"})
			confirm := heldChange(t, r, "status")
			wantStatus(t, c.do(t, "PATCH", path(it), map[string]any{"version": r.json(t)["version"], "content": "更新的内容"}), 200)
			wantStatus(t, chongqing.do(t, "POST", confirm, nil), 200)
			if got, _ := s.Items.Get(ctx, it.ID); got.Status != domain.Completed || got.Content != "更新的内容" || len(got.Pending) != 0 {
				t.Fatalf("after confirming over an unrelated edit: %s %q, %d pending; want completed with the newer content", got.Status, got.Content, len(got.Pending))
			}
		})
		t.Run("HeldFieldEditedChangeStale", func(t *testing.T) {
			it := joint("过期的修改")
			r := chengdu.do(t, "PATCH", path(it), map[string]any{"version": it.Version, "status": "completed"})
			confirm := heldChange(t, r, "status")
			wantStatus(t, c.do(t, "PATCH", path(it), map[string]any{"version": r.json(t)["version"], "status": "paused"}), 200)
			wantProblem(t, chongqing.do(t, "POST", confirm, nil), "status", 409)
			if got, _ := s.Items.Get(ctx, it.ID); got.Status != domain.Paused || len(got.Pending) != 0 {
				t.Fatalf("after a stale confirmation: %s, %d pending", got.Status, len(got.Pending))
			}
			var state string
			if err := s.DB().QueryRow(fmt.Sprintf("SELECT state FROM item_changes WHERE item_id = %d", it.ID)).Scan(&state); err != nil || state != "stale" {
				t.Fatalf("the change is %q (%v), want stale", state, err)
			}
		})
		t.Run("ProposerForBothSidesAppliesAtOnce", func(t *testing.T) {
			it := joint("两边都是我")
			both := liaisonClient(t, s, c, "both@example.gov.cn", w.a.ID, w.c.ID)
			r := both.do(t, "PATCH", path(it), map[string]any{"version": it.Version, "status": "completed"})
			wantStatus(t, r, 200)
			if body := r.json(t); body["status"] != "completed" || len(body["pending"].([]any)) != 0 {
				t.Fatalf("not applied at once: %s", r.body)
			}
		})
	})
}
