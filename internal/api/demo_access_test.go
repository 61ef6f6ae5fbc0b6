package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestDemoLiaisonOfWenjiang is the access issue's acceptance on the demo
// data: a liaison of 温江区 reports on 温江区's items and nothing else, and a
// completion it claims stays pending until 巴南区, the other side, confirms.
func TestDemoLiaisonOfWenjiang(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, s)
		byName := func(q string) int64 {
			page, err := s.Jurisdictions.List(ctx, domain.ListQuery{Filters: map[string]string{"q": q}})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("jurisdiction %s: %v %v", q, page.Items, err)
			}
			return page.Items[0].ID
		}
		liaisonOf := func(place, email string) *client {
			u := must(t, s.Users, &domain.User{Email: email, Name: place + "联络员", Locale: "zh-CN",
				Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.JurisdictionScope, ScopeID: byName(place)}}})
			tok, _, err := s.CreateToken(ctx, domain.Actor{}, u.ID, "t")
			if err != nil {
				t.Fatal(err)
			}
			return c.as(tok)
		}
		wenjiang, banan := liaisonOf("温江区", "wenjiang@example.gov.cn"), liaisonOf("巴南区", "banan@example.gov.cn")

		mine := wenjiang.do(t, "GET", "/api/v1/items?limit=200", nil).json(t)["items"].([]any)
		if len(mine) != 1 || mine[0].(map[string]any)["title"] != "成渝双城生物医药产业高地" {
			t.Fatalf("温江区's liaison sees %v, want only the biomedicine item", mine)
		}
		item := mine[0].(map[string]any)
		id := int64(item["id"].(float64))
		var wenjiangUnit int64
		for _, p := range item["parties"].([]any) {
			if p.(map[string]any)["side"] == "chengdu" {
				wenjiangUnit = int64(p.(map[string]any)["organization_id"].(float64))
			}
		}
		report := wenjiang.do(t, "POST", "/api/v1/reports", map[string]any{"item_id": id, "organization_id": wenjiangUnit, "period": "2024-11", "text": "产业园二期开工", "percent": 60, "status": "submitted"})
		wantStatus(t, report, 201)

		all, _ := s.Items.List(ctx, domain.ListQuery{Limit: 200})
		for _, other := range all.Items {
			if other.ID == id {
				continue
			}
			wantProblem(t, wenjiang.do(t, "GET", fmt.Sprintf("/api/v1/items/%d", other.ID), nil), "", 404)
			r := wenjiang.do(t, "POST", "/api/v1/reports", map[string]any{"item_id": other.ID, "organization_id": wenjiangUnit, "period": "2024-11", "text": "越权", "status": "draft"})
			wantProblem(t, r, "", 403, 404, 422)
		}
		reports, _ := s.Reports.List(ctx, domain.ListQuery{Limit: 200})
		if len(reports.Items) != 1 {
			t.Fatalf("%d reports stored, want the one on 温江区's item", len(reports.Items))
		}

		claim := wenjiang.do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", id), map[string]any{"version": item["version"], "status": "completed"})
		wantStatus(t, claim, 200)
		claimed := claim.json(t)
		if claimed["status"] != "advancing" || len(claimed["pending"].([]any)) != 1 {
			t.Fatalf("one side's claim took effect: %s", claim.body)
		}
		change := int64(claimed["pending"].([]any)[0].(map[string]any)["id"].(float64))
		confirmed := banan.do(t, "POST", fmt.Sprintf("/api/v1/items/%d/changes/%d/confirm", id, change), nil)
		wantStatus(t, confirmed, 200)
		if confirmed.json(t)["status"] != "completed" {
			t.Fatalf("after 巴南区 confirmed: %s", confirmed.body)
		}
	})
}
