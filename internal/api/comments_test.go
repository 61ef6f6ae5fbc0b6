package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestCommentsOverTheAPI: 温江's liaison comments on its item, mentioning
// 巴南 by name, and reads the comment back with 巴南's id; an unknown
// @name is refused on body, naming it; the comment of a liaison who may
// not read the item is answered 404 as for an item that does not exist;
// a viewer reads the comments and may not write one. Every answer matches
// the OpenAPI document.
func TestCommentsOverTheAPI(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		own := fmt.Sprintf("/api/v1/items/%d/comments", w.items["own"].ID)
		liaison := c.as(w.tokens["liaison"])
		r := liaison.do(t, "POST", own, map[string]any{"body": "请 @巴南区人民政府 确认用地", "unit_id": w.a.ID})
		wantStatus(t, r, 201)
		got := r.json(t)
		if m, _ := got["mentions"].([]any); len(m) != 1 || int64(m[0].(float64)) != w.c.ID || int64(got["unit_id"].(float64)) != w.a.ID {
			t.Fatalf("comment %v; want the mention of 巴南 (%d), for 温江", got, w.c.ID)
		}
		list := liaison.do(t, "GET", own, nil)
		wantStatus(t, list, 200)
		if items, _ := list.json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("listed %s", list.body)
		}

		r = liaison.do(t, "POST", own, map[string]any{"body": "@巴南区政府 请回复"})
		wantProblem(t, r, "body", 422)
		if !strings.Contains(string(r.body), "巴南区政府") || !strings.Contains(string(r.body), "mention_unknown") {
			t.Errorf("the refusal does not name the unknown unit: %s", r.body)
		}

		outsider := c.as(tokenFor(t, s, "渝中联络员", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.d.ID}))
		r = outsider.do(t, "POST", own, map[string]any{"body": "路过"})
		none := outsider.do(t, "POST", "/api/v1/items/987654/comments", map[string]any{"body": "路过"})
		wantStatus(t, r, 404)
		wantStatus(t, none, 404)

		viewer := c.as(w.tokens["viewer"])
		wantStatus(t, viewer.do(t, "GET", own, nil), 200)
		wantStatus(t, viewer.do(t, "POST", own, map[string]any{"body": "我也说一句"}), 403)
		if items, _ := liaison.do(t, "GET", own, nil).json(t)["items"].([]any); len(items) != 1 {
			t.Errorf("a refused comment was stored: %d comments", len(items))
		}
	})
}
