package api_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// tokenFor creates a user holding grants and returns an API token of theirs.
func tokenFor(t *testing.T, s *store.Store, name string, grants ...domain.Grant) string {
	t.Helper()
	ctx := context.Background()
	u := must(t, s.Users, &domain.User{Email: fmt.Sprintf("%x@example.gov.cn", name), Name: name, Locale: "zh-CN", Grants: grants})
	tok, _, err := s.CreateToken(ctx, domain.Actor{}, u.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestMechanismGrantActsOnlyInItsMechanism: a liaison granted on a
// mechanism acts for that mechanism's member units on that mechanism's
// records only; when the mechanism's secretariat adds a unit to its
// members, the liaison acts for it there and nowhere else, so it cannot
// confirm a two-side change of another mechanism in that unit's place.
func TestMechanismGrantActsOnlyInItsMechanism(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		// The other mechanism's members are 青羊 (B) and 渝中 (D).
		scoped := c.as(tokenFor(t, s, "另一工作组联络员", domain.Grant{Role: domain.Liaison, ScopeKind: domain.MechanismScope, ScopeID: w.other.ID}))
		mine := must(t, s.Items, &domain.Item{MechanismID: w.other.ID, Title: "另一工作组事项", Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.b.ID, Role: domain.LeadUnit}}})
		wantStatus(t, scoped.do(t, "GET", fmt.Sprintf("/api/v1/items/%d", mine.ID), nil), 200)
		wantStatus(t, scoped.do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", mine.ID), map[string]any{"version": mine.Version, "content": "本机制内可改"}), 200)

		// B leads "same side" in the first mechanism: out of the grant's scope.
		same := w.items["same side"]
		wantProblem(t, scoped.do(t, "GET", fmt.Sprintf("/api/v1/items/%d", same.ID), nil), "", 404)
		wantProblem(t, scoped.do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", same.ID), map[string]any{"version": same.Version, "content": "越界"}), "", 404)
		if got, _ := s.Items.Get(ctx, same.ID); got.Version != same.Version {
			t.Fatal("a liaison of another mechanism changed the item")
		}
		list := scoped.do(t, "GET", fmt.Sprintf("/api/v1/items?mechanism=%d&limit=200", w.mech.ID), nil)
		wantStatus(t, list, 200)
		if n := len(list.json(t)["items"].([]any)); n != 0 {
			t.Fatalf("a liaison of another mechanism lists %d items of this one", n)
		}
		reps := scoped.do(t, "GET", "/api/v1/reports?limit=200", nil)
		for _, x := range reps.json(t)["items"].([]any) {
			t.Fatalf("a liaison of another mechanism lists a report of this one: %v", x)
		}

		// 温江 (A) claims the completion of "own"; 巴南 (C) leads its other side.
		own := w.items["own"]
		claimed := c.as(w.tokens["liaison"]).do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", own.ID), map[string]any{"version": own.Version, "status": "completed"})
		wantStatus(t, claimed, 200)
		change := int64(claimed.json(t)["pending"].([]any)[0].(map[string]any)["id"].(float64))

		// The other mechanism's secretariat makes C one of its members.
		sec := c.as(w.tokens["other secretariat"])
		m, _ := s.Mechanisms.Get(ctx, w.other.ID)
		members := append(m.Members, domain.Member{OrganizationID: w.c.ID, Side: "chongqing", Role: domain.MemberUnit})
		wantStatus(t, sec.do(t, "PATCH", fmt.Sprintf("/api/v1/mechanisms/%d", w.other.ID), map[string]any{"version": m.Version, "members": members}), 200)

		// Inside the other mechanism the liaison now acts for C …
		theirs := must(t, s.Items, &domain.Item{MechanismID: w.other.ID, Title: "巴南参与", Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chongqing", OrganizationID: w.c.ID, Role: domain.LeadUnit}}})
		wantStatus(t, scoped.do(t, "GET", fmt.Sprintf("/api/v1/items/%d", theirs.ID), nil), 200)
		// … and in the first mechanism still for no one: it may not confirm for C.
		wantProblem(t, scoped.do(t, "GET", fmt.Sprintf("/api/v1/items/%d", own.ID), nil), "", 404)
		wantProblem(t, scoped.do(t, "POST", fmt.Sprintf("/api/v1/items/%d/changes/%d/confirm", own.ID, change), nil), "", 404)
		if got, _ := s.Items.Get(ctx, own.ID); got.Status != domain.Advancing || len(got.Pending) != 1 {
			t.Fatalf("after the other mechanism's liaison: status %s, %d pending", got.Status, len(got.Pending))
		}
	})
}

// TestLiaisonCreatesOnlyWhereItsUnitActs: a liaison creates items, tasks and
// problems only in a mechanism its unit is a member of, naming its unit and
// only member units, and attaches problems only to items its unit takes
// part in.
func TestLiaisonCreatesOnlyWhereItsUnitActs(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		liaison := c.as(w.tokens["liaison"]) // acts for 温江 (A), a member of the first mechanism only
		outsider := must(t, s.Organizations, &domain.Organization{JurisdictionID: w.a.JurisdictionID, Name: "非成员单位", Kind: domain.Government})
		party := func(side string, o *domain.Organization) map[string]any {
			return map[string]any{"side": side, "organization_id": o.ID, "role": "lead"}
		}
		item := func(mech *domain.Mechanism, parties ...map[string]any) map[string]any {
			return map[string]any{"mechanism_id": mech.ID, "title": "联络员新建", "status": "advancing", "parties": parties}
		}
		count := func(entity string) int {
			var n int
			for _, m := range []*domain.Mechanism{w.mech, w.other} {
				q := domain.ListQuery{Filters: map[string]string{"mechanism": strconv.FormatInt(m.ID, 10)}, Limit: 200}
				switch entity {
				case "items":
					p, _ := s.Items.List(ctx, q)
					n += len(p.Items)
				case "tasks":
					p, _ := s.Tasks.List(ctx, q)
					n += len(p.Items)
				case "problems":
					p, _ := s.Problems.List(ctx, q)
					n += len(p.Items)
				}
			}
			return n
		}
		items, tasks, problems := count("items"), count("tasks"), count("problems")

		wantStatus(t, liaison.do(t, "POST", "/api/v1/items", item(w.mech, party("chengdu", w.a))), 201)
		items++
		// Not a member of the other mechanism.
		wantProblem(t, liaison.do(t, "POST", "/api/v1/items", item(w.other, party("chengdu", w.a))), "", 403, 422)
		// Naming a unit that is no member as the other side's lead.
		wantProblem(t, liaison.do(t, "POST", "/api/v1/items", item(w.mech, party("chengdu", w.a), party("chongqing", outsider))), "parties[1].organization_id", 422)
		// Naming only other units.
		wantProblem(t, liaison.do(t, "POST", "/api/v1/items", item(w.mech, party("chengdu", w.b))), "", 403, 422)
		if got := count("items"); got != items {
			t.Fatalf("%d items stored, want %d", got, items)
		}

		task := func(mech *domain.Mechanism, lead *domain.Organization, coop ...int64) map[string]any {
			return map[string]any{"mechanism_id": mech.ID, "year": 2024, "content": "年度任务", "lead_id": lead.ID, "cooperating": coop, "status": "open"}
		}
		wantStatus(t, liaison.do(t, "POST", "/api/v1/tasks", task(w.mech, w.a)), 201)
		tasks++
		wantProblem(t, liaison.do(t, "POST", "/api/v1/tasks", task(w.other, w.a)), "", 403, 422)
		wantProblem(t, liaison.do(t, "POST", "/api/v1/tasks", task(w.mech, outsider, w.a.ID)), "lead_id", 422)
		if got := count("tasks"); got != tasks {
			t.Fatalf("%d tasks stored, want %d", got, tasks)
		}

		problem := func(itemID int64) map[string]any {
			return map[string]any{"mechanism_id": w.mech.ID, "item_id": itemID, "title": "挂到别人的事项", "tier": "execution", "status": "open",
				"responsible": []map[string]any{{"side": "chengdu", "organization_id": w.a.ID}}}
		}
		wantStatus(t, liaison.do(t, "POST", "/api/v1/problems", problem(w.items["own"].ID)), 201)
		problems++
		// An item A takes no part in answers exactly as one that does not exist.
		other := liaison.do(t, "POST", "/api/v1/problems", problem(w.items["same side"].ID))
		wantProblem(t, other, "item_id", 422)
		sameAnswer(t, other, w.items["same side"].ID, liaison.do(t, "POST", "/api/v1/problems", problem(987654)), 987654)
		// And a problem may not sit in another mechanism than its item.
		elsewhere := problem(w.items["own"].ID)
		elsewhere["mechanism_id"] = w.other.ID
		wantProblem(t, c.do(t, "POST", "/api/v1/problems", elsewhere), "item_id", 422)
		if got := count("problems"); got != problems {
			t.Fatalf("%d problems stored, want %d", got, problems)
		}
	})
}

// sameAnswer fails unless two refused calls answered alike: the same status
// and the same body once the id each named is set aside.
func sameAnswer(t *testing.T, a response, aID int64, b response, bID int64) {
	t.Helper()
	strip := func(r response, id int64) string {
		return regexp.MustCompile(`\b`+strconv.FormatInt(id, 10)+`\b`).ReplaceAllString(string(r.body), "N")
	}
	if a.status != b.status || strip(a, aID) != strip(b, bID) {
		t.Fatalf("the answers tell the records apart:\n%d %s\n%d %s", a.status, a.body, b.status, b.body)
	}
}

// TestRefusedWritesRevealNothing: a write on a record the caller may not
// read, or a reference to one in a body, answers as if it did not exist.
func TestRefusedWritesRevealNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		liaison := c.as(w.tokens["liaison"])
		hidden, missing := w.items["same side"], int64(987654)
		// A pending change on the hidden item, made by its secretariat.
		held := c.as(tokenFor(t, s, "青羊联络员", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.b.ID})).
			do(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", hidden.ID), map[string]any{"version": hidden.Version, "status": "completed"})
		wantStatus(t, held, 200)
		change := int64(held.json(t)["pending"].([]any)[0].(map[string]any)["id"].(float64))
		version := int64(held.json(t)["version"].(float64))

		for _, call := range []struct {
			name, method, path string
			body               func(id int64) any
		}{
			{"update", "PATCH", "/api/v1/items/%d", func(int64) any { return map[string]any{"version": version, "content": "改"} }},
			{"archive", "DELETE", "/api/v1/items/%d?version=" + strconv.FormatInt(version, 10), func(int64) any { return nil }},
			{"history", "GET", "/api/v1/items/%d/history", func(int64) any { return nil }},
			{"confirm", "POST", "/api/v1/items/%d/changes/" + strconv.FormatInt(change, 10) + "/confirm", func(int64) any { return nil }},
			{"reject", "POST", "/api/v1/items/%d/changes/" + strconv.FormatInt(change, 10) + "/reject", func(int64) any { return nil }},
			{"report on", "POST", "/api/v1/reports", func(id int64) any {
				return map[string]any{"item_id": id, "organization_id": w.a.ID, "period": "2024-11", "status": "draft"}
			}},
			{"raise a problem on", "POST", "/api/v1/problems", func(id int64) any {
				return map[string]any{"mechanism_id": w.mech.ID, "item_id": id, "title": "探测", "tier": "execution", "status": "open"}
			}},
		} {
			t.Run(call.name, func(t *testing.T) {
				path := func(id int64) string {
					if strings.Contains(call.path, "%d") {
						return fmt.Sprintf(call.path, id)
					}
					return call.path
				}
				got := liaison.do(t, call.method, path(hidden.ID), call.body(hidden.ID))
				wantProblem(t, got, "", 404, 422)
				sameAnswer(t, got, hidden.ID, liaison.do(t, call.method, path(missing), call.body(missing)), missing)
			})
		}
	})
}

// TestLedgerColumnsKeepToPolicy: the ledger's progress column shows a
// liaison only reports it may read, never the other side's on a joint item.
func TestLedgerColumnsKeepToPolicy(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		own := w.items["own"]
		// 巴南 (C), the other side's lead, reports later than 温江 (A).
		must(t, s.Reports, &domain.Report{ItemID: own.ID, OrganizationID: w.c.ID, Period: "2024-10", Text: "巴南十月进展", Percent: 40, Status: domain.Submitted})
		must(t, s.Reports, &domain.Report{ItemID: own.ID, OrganizationID: w.a.ID, Period: "2024-11", Text: "温江草稿", Percent: 50, Status: domain.Draft})
		path := fmt.Sprintf("/api/v1/batches/%d/ledger.csv", w.batch.ID)
		mine := c.as(w.tokens["liaison"]).do(t, "GET", path, nil)
		wantStatus(t, mine, 200)
		if body := string(mine.body); strings.Contains(body, "巴南十月进展") || !strings.Contains(body, "九月进展 own") {
			t.Fatalf("the liaison's ledger shows another unit's report, or not its own:\n%s", body)
		}
		all := c.as(w.tokens["secretariat"]).do(t, "GET", path, nil)
		wantStatus(t, all, 200)
		if body := string(all.body); !strings.Contains(body, "巴南十月进展") {
			t.Fatalf("the secretariat's ledger lacks the latest submitted report:\n%s", body)
		}
		for _, role := range []string{"secretariat", "viewer", "liaison"} {
			if body := string(c.as(w.tokens[role]).do(t, "GET", path, nil).body); strings.Contains(body, "温江草稿") {
				t.Fatalf("the %s's ledger shows a draft", role)
			}
		}
	})
}

// TestDraftsOnlyForTheirUnitAndSecretariat: a draft report is read by its
// unit's liaison and the mechanism's secretariat, not by leaders or
// viewers, even system-wide ones; submitted, it is read as before.
func TestDraftsOnlyForTheirUnitAndSecretariat(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		draft := w.reports["own"]
		for role, want := range map[string]int{"admin": 200, "secretariat": 200, "liaison": 200, "leader": 404, "viewer": 404, "other secretariat": 404} {
			r := c.as(w.tokens[role]).do(t, "GET", fmt.Sprintf("/api/v1/reports/%d", draft.ID), nil)
			if r.status != want {
				t.Errorf("%s reading a draft: %d, want %d", role, r.status, want)
			}
			list := c.as(w.tokens[role]).do(t, "GET", "/api/v1/reports?status=draft&limit=200", nil)
			if list.status != 200 {
				t.Errorf("%s listing drafts: %d", role, list.status)
				continue
			}
			if n := len(list.json(t)["items"].([]any)); (n > 0) != (want == 200) {
				t.Errorf("%s lists %d drafts", role, n)
			}
		}
		// Submitted, the leader reads it.
		wantStatus(t, c.do(t, "PATCH", fmt.Sprintf("/api/v1/reports/%d", draft.ID), map[string]any{"version": draft.Version, "status": "submitted", "text": "已提交"}), 200)
		wantStatus(t, c.as(w.tokens["leader"]).do(t, "GET", fmt.Sprintf("/api/v1/reports/%d", draft.ID), nil), 200)
	})
}

// TestChannelTargetsMaskedUnlessAdministered: a webhook address carries the
// robot's key and an e-mail list names people: administrators and the
// mechanism's secretariat read them whole, every other reader masked.
func TestChannelTargetsMaskedUnlessAdministered(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		const key = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
		hook := "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key
		created := c.do(t, "POST", "/api/v1/notification-channels", map[string]any{"mechanism_id": w.mech.ID, "name": "企业微信群", "kind": "wecom", "target": hook})
		wantStatus(t, created, 201)
		id := int64(created.json(t)["id"].(float64))
		mail := c.do(t, "POST", "/api/v1/notification-channels", map[string]any{"mechanism_id": w.mech.ID, "name": "邮件", "kind": "smtp", "target": "zhang.san@cd.gov.cn"})
		wantStatus(t, mail, 201)
		mailID := int64(mail.json(t)["id"].(float64))
		failed := &domain.Delivery{MechanismID: w.mech.ID, ChannelID: id, ReminderKey: "k", Subject: "提醒", Status: domain.Failed, Attempt: 1,
			Error: `post: Post "` + hook + `": dial tcp: connection refused`}
		if err := s.LogDelivery(context.Background(), failed); err != nil {
			t.Fatal(err)
		}
		for role, whole := range map[string]bool{"admin": true, "secretariat": true, "leader": false, "viewer": false} {
			as := c.as(w.tokens[role])
			one := as.do(t, "GET", fmt.Sprintf("/api/v1/notification-channels/%d", id), nil)
			wantStatus(t, one, 200)
			target := one.json(t)["target"].(string)
			if whole != (target == hook) {
				t.Errorf("%s reads the webhook as %q", role, target)
			}
			if !whole && (strings.Contains(target, key[:6]) || !strings.Contains(target, "qyapi.weixin.qq.com")) {
				t.Errorf("%s reads the webhook as %q: the key shows or the host does not", role, target)
			}
			m := as.do(t, "GET", fmt.Sprintf("/api/v1/notification-channels/%d", mailID), nil).json(t)["target"].(string)
			if whole != (m == "zhang.san@cd.gov.cn") || strings.Contains(m, "zhang.san") != whole {
				t.Errorf("%s reads the address as %q", role, m)
			}
			list := as.do(t, "GET", fmt.Sprintf("/api/v1/notification-channels?mechanism=%d", w.mech.ID), nil)
			wantStatus(t, list, 200)
			for _, x := range list.json(t)["items"].([]any) {
				if tg := x.(map[string]any)["target"].(string); !whole && (strings.Contains(tg, key[:6]) || strings.Contains(tg, "zhang.san")) {
					t.Errorf("%s lists a channel as %q", role, tg)
				}
			}
			log := as.do(t, "GET", fmt.Sprintf("/api/v1/deliveries?mechanism=%d", w.mech.ID), nil)
			wantStatus(t, log, 200)
			if strings.Contains(string(log.body), key[:6]) != whole {
				t.Errorf("%s reads the delivery log as %s", role, log.body)
			}
			hist := as.do(t, "GET", fmt.Sprintf("/api/v1/notification-channels/%d/history", id), nil)
			if !whole && strings.Contains(string(hist.body), key[:6]) {
				t.Errorf("%s reads the key in the channel's history", role)
			}
		}
	})
}

// TestAgendaNamesOnlyWhatItsWriterMayRead: a meeting's agenda, which its
// pack prints for the mechanism's leaders, names only items and problems
// its writer may read; another mechanism's item answers as one that does
// not exist.
func TestAgendaNamesOnlyWhatItsWriterMayRead(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		m := must(t, s.Meetings, &domain.Meeting{MechanismID: w.other.ID, Number: 1, Title: "另一工作组会议", HeldOn: domain.MustDate("2024-11-20"), HeldOnPrecision: domain.DayPrecision})
		sec := c.as(w.tokens["other secretariat"])
		agenda := func(id int64) map[string]any {
			return map[string]any{"version": m.Version, "agenda": []map[string]any{{"kind": "item", "item_id": id}}}
		}
		hidden, missing := w.items["own"].ID, int64(987654)
		got := sec.do(t, "PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), agenda(hidden))
		wantProblem(t, got, "", 422)
		sameAnswer(t, got, hidden, sec.do(t, "PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), agenda(missing)), missing)
		if stored, _ := s.Meetings.Get(context.Background(), m.ID); len(stored.Agenda) != 0 {
			t.Fatalf("the agenda names another mechanism's item: %v", stored.Agenda)
		}
	})
}
