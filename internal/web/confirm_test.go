package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestNamedLeadConfirmsOnThePage: when 温江's liaison names 巴南 as the
// Chongqing lead of an item 温江 leads alone, 巴南 is not a party yet but
// is the side asked; its liaison opens the item's page, sees the change
// and confirms it there, and only then 巴南 leads.
func TestNamedLeadConfirmsOnThePage(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		it := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "温江先行的生物医药项目", Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}}}
		if err := st.Store.Items.Create(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		liaison := func(email string, unit int64) *domain.User {
			u := &domain.User{Email: email, Name: email, Locale: "zh-CN", Password: testPassword,
				Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: unit}}}
			if err := st.Store.Users.Create(ctx, domain.Actor{}, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		wj, bn := liaison("wj-lead@example.gov.cn", wenjiang), liaison("bn-lead@example.gov.cn", banan)
		it.Parties = append(it.Parties, domain.Party{Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit})
		if err := st.Store.Items.Update(ctx, domain.ActorFor(wj), it); err != nil {
			t.Fatal(err)
		}
		held, err := st.Store.Items.Get(ctx, it.ID)
		if err != nil || len(held.Pending) != 1 || held.Lead("chongqing") != 0 {
			t.Fatalf("want 巴南's lead held for confirmation: %+v, %v", held, err)
		}

		proposer := st.client(t)
		proposer.signIn(wj.Email, testPassword)
		if _, page := proposer.get(fmt.Sprintf("/items/%d", it.ID)); strings.Contains(page, "/confirm\"") || !strings.Contains(page, "等待重庆方确认") {
			t.Errorf("温江, whose side has confirmed by proposing, is offered a confirmation, or is not told what waits")
		}

		c := st.client(t)
		c.signIn(bn.Email, testPassword)
		res, page := c.get(fmt.Sprintf("/items/%d", it.ID))
		confirm := fmt.Sprintf("/items/%d/changes/%d/confirm", it.ID, held.Pending[0].ID)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, confirm) {
			t.Fatalf("巴南's liaison opens the item: %d, confirm form shown: %v", res.StatusCode, strings.Contains(page, confirm))
		}
		res, _ = c.post(confirm, url.Values{"csrf": {c.csrf(page)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d", res.StatusCode)
		}
		if _, after := c.get(res.Header.Get("Location")); !strings.Contains(after, "修改已生效") {
			t.Errorf("after the last side confirmed, the page does not say the change took effect")
		}
		got, err := st.Store.Items.Get(ctx, it.ID)
		if err != nil || got.Lead("chongqing") != banan || len(got.Pending) != 0 {
			t.Fatalf("after 巴南 confirmed: lead %d, pending %d, %v", got.Lead("chongqing"), len(got.Pending), err)
		}
		// Invited is to read, not to write: before a change names it, a
		// unit is no party and its liaison cannot change the item.
		other := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "另一个温江项目", Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}}}
		if err := st.Store.Items.Create(ctx, domain.Actor{}, other); err != nil {
			t.Fatal(err)
		}
		if res, _ := c.get(fmt.Sprintf("/items/%d", other.ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("巴南's liaison opens an item that asks nothing of it: %d, want 404", res.StatusCode)
		}
	})
}
