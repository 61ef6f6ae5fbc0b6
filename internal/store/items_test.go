package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// world is a small twin-core mechanism to test items, reports and problems in.
type world struct {
	cd, cq, wj, bn      *domain.Jurisdiction
	cdDRC, cqDRC, wjGov *domain.Organization
	bnGov               *domain.Organization
	mech                *domain.Mechanism
	batch               *domain.Batch
}

func newWorld(t *testing.T, s *store.Store) *world {
	w := &world{}
	w.cd = mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Code: "510100", Name: "成都市", Kind: domain.City})
	w.cq = mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Code: "500000", Name: "重庆市", Kind: domain.Municipality})
	w.wj = mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: w.cd.ID, Name: "温江区", Kind: domain.District})
	w.bn = mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: w.cq.ID, Name: "巴南区", Kind: domain.District})
	w.cdDRC = mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: w.cd.ID, Name: "成都市发展和改革委员会", Kind: domain.Department})
	w.cqDRC = mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: w.cq.ID, Name: "重庆市发展和改革委员会", Kind: domain.Department})
	w.wjGov = mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: w.wj.ID, Name: "温江区人民政府", Kind: domain.Government})
	w.bnGov = mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: w.bn.ID, Name: "巴南区人民政府", Kind: domain.Government})
	w.mech = mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "成渝双核联动工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides:        []domain.Side{{Key: "chengdu", Name: "成都"}, {Key: "chongqing", Name: "重庆"}},
		Tracks:       []domain.Term{{Key: "hub", Name: "国际性综合交通枢纽"}, {Key: "industry", Name: "现代产业体系"}},
		Modes:        []domain.Term{{Key: "gongtou", Name: "共投共建"}},
		CustomFields: []domain.CustomField{{Key: "km", Label: "里程", Type: domain.NumberField}, {Key: "phase", Label: "阶段", Type: domain.ChoiceField, Choices: []string{"前期", "在建"}}},
		Members: []domain.Member{{OrganizationID: w.cdDRC.ID, Side: "chengdu", Role: domain.MemberUnit}, {OrganizationID: w.cqDRC.ID, Side: "chongqing", Role: domain.MemberUnit},
			{OrganizationID: w.wjGov.ID, Side: "chengdu", Role: domain.MemberUnit}, {OrganizationID: w.bnGov.ID, Side: "chongqing", Role: domain.MemberUnit}}})
	w.batch = mustCreate(t, s.Batches, &domain.Batch{MechanismID: w.mech.ID, Name: "第一批合作项目", DeclaredCount: 34})
	return w
}

func (w *world) item(title string, lead map[string]int64, due string) *domain.Item {
	it := &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: title, Status: domain.Advancing}
	for _, side := range []string{"chengdu", "chongqing"} {
		if id, ok := lead[side]; ok {
			it.Parties = append(it.Parties, domain.Party{Side: side, OrganizationID: id, Role: domain.LeadUnit})
		}
	}
	if due != "" {
		it.Milestones = []domain.Milestone{{Title: "节点", DueOn: domain.MustDate(due)}}
	}
	return it
}

func titles(page domain.Page[*domain.Item]) []string {
	var out []string
	for _, it := range page.Items {
		out = append(out, it.Title)
	}
	sort.Strings(out)
	return out
}

func TestItems(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		rail := mustCreate(t, s.Items, w.item("成渝中线高铁", map[string]int64{"chengdu": w.cdDRC.ID, "chongqing": w.cqDRC.ID}, "2024-06-30"))
		bio := mustCreate(t, s.Items, w.item("生物医药产业高地", map[string]int64{"chengdu": w.wjGov.ID, "chongqing": w.bnGov.ID}, "2025-12-31"))
		mustCreate(t, s.Items, w.item("算力资源", map[string]int64{"chengdu": w.cdDRC.ID}, ""))

		t.Run("PartiesAndMilestonesReadBackInOrder", func(t *testing.T) {
			got, err := s.Items.Get(ctx, rail.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Parties) != 2 || got.Lead("chengdu") != w.cdDRC.ID || got.Lead("chongqing") != w.cqDRC.ID {
				t.Fatalf("parties %+v", got.Parties)
			}
			if len(got.Milestones) != 1 || got.Milestones[0].ID == 0 || got.Milestones[0].DueOn.String() != "2024-06-30" {
				t.Fatalf("milestones %+v", got.Milestones)
			}
		})
		t.Run("MilestoneKeepsItsIDAcrossEdits", func(t *testing.T) {
			got, _ := s.Items.Get(ctx, rail.ID)
			first := got.Milestones[0].ID
			got.Milestones[0].DoneOn = domain.MustDate("2024-06-20")
			got.Milestones = append(got.Milestones, domain.Milestone{Title: "铺轨", DueOn: domain.MustDate("2025-06-30")})
			if err := s.Items.Update(ctx, system, got); err != nil {
				t.Fatal(err)
			}
			again, _ := s.Items.Get(ctx, rail.ID)
			if len(again.Milestones) != 2 || again.Milestones[0].ID != first || again.Milestones[0].DoneOn.String() != "2024-06-20" {
				t.Fatalf("milestones after edit %+v (first id was %d)", again.Milestones, first)
			}
			again.Milestones[1].ID = 999999
			wantField(t, s.Items.Update(ctx, system, again), "milestones[1].id")
		})
		t.Run("RulesOfTheMechanism", func(t *testing.T) {
			for name, tc := range map[string]struct {
				edit  func(it *domain.Item)
				field string
			}{
				"UnknownSide":     {func(it *domain.Item) { it.Parties[0].Side = "shanghai" }, "parties[0].side"},
				"TwoLeadsOneSide": {func(it *domain.Item) { it.Parties[1].Side = "chengdu" }, "parties[1].role"},
				"UnknownTrack":    {func(it *domain.Item) { it.Track = "space" }, "track"},
				"UnknownMode":     {func(it *domain.Item) { it.Mode = "solo" }, "mode"},
				"CustomNotNumber": {func(it *domain.Item) { it.Custom = map[string]any{"km": "很长"} }, "custom.km"},
				"CustomBadChoice": {func(it *domain.Item) { it.Custom = map[string]any{"phase": "完工"} }, "custom.phase"},
				"CustomUndefined": {func(it *domain.Item) { it.Custom = map[string]any{"colour": "red"} }, "custom.colour"},
				"MissingUnit":     {func(it *domain.Item) { it.Parties[0].OrganizationID = 424242 }, "parties[0].organization_id"},
				"NegativeMoney":   {func(it *domain.Item) { it.Investment.Total = -1 }, "investment.total"},
				"EndBeforeStart": {func(it *domain.Item) {
					it.StartOn, it.EndOn = domain.MustDate("2024-01-01"), domain.MustDate("2023-01-01")
				}, "end_on"},
			} {
				t.Run(name, func(t *testing.T) {
					it := w.item("x", map[string]int64{"chengdu": w.cdDRC.ID, "chongqing": w.cqDRC.ID}, "")
					tc.edit(it)
					err := s.Items.Create(ctx, system, it)
					wantCode(t, err, domain.Invalid)
					wantField(t, err, tc.field)
				})
			}
			ok := w.item("合规", nil, "")
			ok.Custom = map[string]any{"km": 292.0, "phase": "在建"}
			mustCreate(t, s.Items, ok)
		})
		t.Run("Filters", func(t *testing.T) {
			for _, tc := range []struct {
				filters map[string]string
				want    []string
			}{
				{map[string]string{"unit": fmt.Sprint(w.wjGov.ID)}, []string{"生物医药产业高地"}},
				{map[string]string{"jurisdiction": fmt.Sprint(w.cq.ID)}, []string{"成渝中线高铁", "生物医药产业高地"}},
				{map[string]string{"side": "chongqing", "lead": fmt.Sprint(w.bnGov.ID)}, []string{"生物医药产业高地"}},
				{map[string]string{"due_before": "2024-12-31"}, nil}, // the rail milestone was marked done above
				{map[string]string{"due_after": "2025-01-01"}, []string{"成渝中线高铁", "生物医药产业高地"}},
				{map[string]string{"q": "医药", "batch": fmt.Sprint(w.batch.ID)}, []string{"生物医药产业高地"}},
				{map[string]string{"q": "铁", "status": "advancing"}, []string{"成渝中线高铁"}},
				{map[string]string{"status": "completed"}, nil},
			} {
				page, err := s.Items.List(ctx, domain.ListQuery{Filters: tc.filters})
				if err != nil {
					t.Fatal(err)
				}
				if got := titles(page); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("filters %v: got %v, want %v", tc.filters, got, tc.want)
				}
			}
		})
		t.Run("BatchCountsRecordedItems", func(t *testing.T) {
			b, _ := s.Batches.Get(ctx, w.batch.ID)
			if b.DeclaredCount != 34 || b.RecordedCount != 4 {
				t.Fatalf("batch declared %d recorded %d, want 34 and 4", b.DeclaredCount, b.RecordedCount)
			}
		})
		t.Run("ReportsOnlyFromParties", func(t *testing.T) {
			r := &domain.Report{ItemID: bio.ID, OrganizationID: w.cdDRC.ID, Period: "2024-05", Text: "进展", Percent: 10, Status: domain.Submitted}
			wantField(t, s.Reports.Create(ctx, system, r), "organization_id")
			r.OrganizationID = w.wjGov.ID
			mustCreate(t, s.Reports, r)
			if r.SubmittedAt == nil {
				t.Fatal("a submitted report has no submitted_at")
			}
			dup := &domain.Report{ItemID: bio.ID, OrganizationID: w.wjGov.ID, Period: "2024-05", Status: domain.Draft}
			wantCode(t, s.Reports.Create(ctx, system, dup), domain.Conflict)
			bad := &domain.Report{ItemID: bio.ID, OrganizationID: w.wjGov.ID, Period: "2024-13", Status: domain.Draft}
			wantField(t, s.Reports.Create(ctx, system, bad), "period")
		})
	})
}

func TestAuditTrail(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		it := mustCreate(t, s.Items, w.item("成渝中线高铁", map[string]int64{"chengdu": w.cdDRC.ID}, ""))
		it.Status = domain.Completed
		if err := s.Items.Update(ctx, domain.Actor{UserID: 0}, it); err != nil {
			t.Fatal(err)
		}
		t.Run("EveryWriteRecordedWithBeforeAndAfter", func(t *testing.T) {
			h, err := s.History(ctx, "items", it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 2 || h[0].Action != "create" || h[0].Before != "" || h[1].Action != "update" || h[1].Before == "" || h[1].After == "" {
				t.Fatalf("history %+v", h)
			}
		})
		t.Run("RefusedWriteLeavesNoEvent", func(t *testing.T) {
			n1, _ := s.VerifyAudit(ctx)
			stale := *it
			stale.Version = 1
			wantCode(t, s.Items.Update(ctx, system, &stale), domain.Conflict)
			n2, _ := s.VerifyAudit(ctx)
			if n1 != n2 {
				t.Fatalf("events %d → %d after a refused update", n1, n2)
			}
		})
		t.Run("UntouchedChainVerifies", func(t *testing.T) {
			n, err := s.VerifyAudit(ctx)
			if err != nil || n < 10 {
				t.Fatalf("verify: %d events, %v", n, err)
			}
		})
		t.Run("EditedEventNamed", func(t *testing.T) {
			var id int64
			s.DB().QueryRow("SELECT id FROM audit_events WHERE entity = 'items' AND action = 'update'").Scan(&id)
			if _, err := s.DB().Exec(fmt.Sprintf("UPDATE audit_events SET after_json = '{}' WHERE id = %d", id)); err != nil {
				t.Fatal(err)
			}
			_, err := s.VerifyAudit(ctx)
			if err == nil || err.Error() != fmt.Sprintf("audit event %d does not match its hash: it was edited", id) {
				t.Fatalf("verify after edit: %v", err)
			}
		})
	})
}

func TestAuditDeletionNamed(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newWorld(t, s)
		if _, err := s.SealAudit(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec("DELETE FROM audit_events WHERE id = 3"); err != nil {
			t.Fatal(err)
		}
		_, err := s.VerifyAudit(ctx)
		if err == nil || err.Error() != "audit event 4 does not follow the event before it: an event was deleted or reordered" {
			t.Fatalf("verify after delete: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mustCreate(t, s.Users, &domain.User{Email: "Liaison@Wenjiang.gov.cn", Name: "联络员", Locale: "zh-CN", Password: "correct horse battery"})
		if u.Password != "" {
			t.Fatal("the password is kept on the record after create")
		}
		var hash string
		s.DB().QueryRow("SELECT password_hash FROM users WHERE id = " + fmt.Sprint(u.ID)).Scan(&hash)
		if hash == "" || hash == "correct horse battery" {
			t.Fatalf("password stored as %q", hash)
		}
		if _, err := s.CheckPassword(ctx, "liaison@wenjiang.gov.cn", "correct horse battery"); err != nil {
			t.Fatalf("right password refused: %v", err)
		}
		_, err := s.CheckPassword(ctx, "liaison@wenjiang.gov.cn", "wrong horse battery")
		wantCode(t, err, domain.Unauthorized)

		secret, tok, err := s.CreateToken(ctx, system, u.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		s.DB().QueryRow("SELECT hash FROM api_tokens WHERE id = " + fmt.Sprint(tok.ID)).Scan(&stored)
		if stored == secret || stored == "" {
			t.Fatal("the token secret is stored in the clear")
		}
		got, err := s.Authenticate(ctx, secret)
		if err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %v, %v", got, err)
		}
		toks, _ := s.Tokens(ctx, u.ID)
		if len(toks) != 1 || toks[0].LastUsedAt == nil {
			t.Fatalf("last use not recorded: %+v", toks)
		}
		if err := s.RevokeToken(ctx, system, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(ctx, secret)
		wantCode(t, err, domain.Unauthorized)
	})
}

// A summary list (the list page's) reads what a row shows and leaves the
// rest out: the row's fields are those a full list reads, the long text,
// custom fields, schedule and milestones are not there.
func TestItemSummaryListsWhatARowShows(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		it := w.item("成渝中线高铁", map[string]int64{"chengdu": w.cdDRC.ID}, "2026-06-30")
		it.Number, it.Content, it.Landmark = "1", "全长约292公里", true
		it.Custom = map[string]any{"km": 292.0}
		it.Schedule = domain.Schedule{Q1: "完成施工招标"}
		mustCreate(t, s.Items, it)
		// A second item without custom fields: rows are scanned through
		// one record, and nothing of the first may reach it.
		bare := mustCreate(t, s.Items, w.item("成达万高铁", map[string]int64{"chengdu": w.cdDRC.ID}, "2026-06-30"))
		q := domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(w.mech.ID)}}
		full, err := s.Items.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		q.Summary = true
		summary, err := s.Items.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Items) != 2 || len(summary.Items) != 2 || full.Items[1].ID != bare.ID {
			t.Fatalf("listed %d and %d items, want 2 each", len(full.Items), len(summary.Items))
		}
		if b := full.Items[1]; len(b.Custom) != 0 || b.Content != "" || b.Schedule.Q1 != "" || b.Landmark {
			t.Errorf("the second row holds what the first stored: custom %v, content %q, schedule %v, landmark %v", b.Custom, b.Content, b.Schedule, b.Landmark)
		}
		if full.Items[0].Custom["km"] != 292.0 {
			t.Errorf("the first row's custom fields became %v", full.Items[0].Custom)
		}
		f, sm := full.Items[0], summary.Items[0]
		if f.Content == "" || f.Custom["km"] != 292.0 || f.Schedule.Q1 == "" || len(f.Milestones) != 1 {
			t.Fatalf("the full list lacks what was stored: %+v", f)
		}
		if sm.ID != f.ID || sm.MechanismID != f.MechanismID || sm.Number != "1" || sm.Title != f.Title || sm.Status != f.Status || !sm.Landmark || sm.Version != f.Version || sm.Lead("chengdu") != w.cdDRC.ID {
			t.Errorf("the summary lacks what a row shows: %+v", sm)
		}
		if sm.Content != "" || len(sm.Custom) != 0 || sm.Schedule != (domain.Schedule{}) || len(sm.Milestones) != 0 {
			t.Errorf("the summary read what no row shows: content %q, custom %v, schedule %v, milestones %v", sm.Content, sm.Custom, sm.Schedule, sm.Milestones)
		}
		if f.CreatedAt.IsZero() || f.UpdatedAt.IsZero() || !sm.CreatedAt.IsZero() || !sm.UpdatedAt.IsZero() || sm.Source != "" || sm.ArchivedAt != nil {
			t.Errorf("times and source: the full record %v, %v; the summary %v, %v, %q, archived %v; want the summary's left empty",
				f.CreatedAt, f.UpdatedAt, sm.CreatedAt, sm.UpdatedAt, sm.Source, sm.ArchivedAt)
		}
	})
}

// A list of whole items reads their parties from the text kept on each
// item (parties_text) and the rest of their children by query; what it
// gives must be what reading each item alone gives: parties in their
// order, milestones, pending changes and custom fields.
func TestListReadsWhatGetReads(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		cd := liaisonOf(t, s, "list-cd@example.gov.cn", w.cdDRC.ID)
		joint := w.item("联合项目", map[string]int64{"chengdu": w.cdDRC.ID, "chongqing": w.cqDRC.ID}, "2025-06-30")
		joint.Parties = append(joint.Parties, domain.Party{Side: "chengdu", OrganizationID: w.wjGov.ID, Role: domain.CooperatingUnit})
		joint.Milestones = append(joint.Milestones, domain.Milestone{Title: "第二节点", DueOn: domain.MustDate("2025-12-31")})
		joint.Custom = map[string]any{"km": 292.0}
		mustCreate(t, s.Items, joint)
		// Chengdu alone marks it completed: the change waits for Chongqing.
		held := *joint
		held.Status = domain.Completed
		if err := s.Items.Update(ctx, cd, &held); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, s.Items, w.item("无牵头单位", nil, ""))
		mustCreate(t, s.Items, w.item("温江牵头", map[string]int64{"chengdu": w.wjGov.ID}, "2026-03-31"))
		page, err := s.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(w.mech.ID)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 3 {
			t.Fatalf("listed %d items, want 3", len(page.Items))
		}
		for _, listed := range page.Items {
			alone, err := s.Items.Get(ctx, listed.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(listed, alone) {
				t.Errorf("item %d listed:\n%+v\nread alone:\n%+v", listed.ID, listed, alone)
			}
		}
		if got := page.Items[0]; len(got.Parties) != 3 || got.Parties[2].OrganizationID != w.wjGov.ID || len(got.Milestones) != 2 || len(got.Pending) != 1 {
			t.Errorf("the joint item listed with parties %+v, milestones %+v, %d pending; want its three parties in order, two milestones, one change", got.Parties, got.Milestones, len(got.Pending))
		}
	})
}
