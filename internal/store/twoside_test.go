package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// liaisonOf returns an actor acting for units, as a liaison would.
func liaisonOf(t *testing.T, s *store.Store, email string, units ...int64) domain.Actor {
	t.Helper()
	u := &domain.User{Email: email, Name: email, Locale: "zh-CN"}
	for _, id := range units {
		u.Grants = append(u.Grants, domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: id})
	}
	mustCreate(t, s.Users, u)
	return domain.ActorFor(u)
}

// oneChange returns the item as stored and its single pending change.
func oneChange(t *testing.T, s *store.Store, id int64) (*domain.Item, domain.ItemChange) {
	t.Helper()
	it, err := s.Items.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(it.Pending) != 1 {
		t.Fatalf("item %d has %d pending changes, want 1: %+v", id, len(it.Pending), it.Pending)
	}
	return it, it.Pending[0]
}

func wantFields(t *testing.T, ch domain.ItemChange, awaiting string, fields ...string) {
	t.Helper()
	got := slices.Clone(ch.Fields)
	slices.Sort(got)
	slices.Sort(fields)
	if fmt.Sprint(got) != fmt.Sprint(fields) || fmt.Sprint(ch.Awaiting) != awaiting {
		t.Fatalf("pending change holds %v awaiting %v, want %v awaiting %s", ch.Fields, ch.Awaiting, fields, awaiting)
	}
}

func actions(t *testing.T, s *store.Store, id int64) []string {
	t.Helper()
	return entityActions(t, s, "items", id)
}

// entityActions lists the actions of the audit events of one record.
func entityActions(t *testing.T, s *store.Store, entity string, id int64) []string {
	t.Helper()
	h, err := s.History(context.Background(), entity, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		out = append(out, e.Action)
	}
	return out
}

// TestTwoSideRule holds one side's change to a two-side item, on every path
// (create, update, archive, restore, move), until the other side confirms.
func TestTwoSideRule(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		cd := liaisonOf(t, s, "cd@example.gov.cn", w.cdDRC.ID)
		cq := liaisonOf(t, s, "cq@example.gov.cn", w.cqDRC.ID)
		both := map[string]int64{"chengdu": w.cdDRC.ID, "chongqing": w.cqDRC.ID}
		joint := func(title string) *domain.Item { return mustCreate(t, s.Items, w.item(title, both, "2025-06-30")) }

		t.Run("CreatedCompletedWithTheOtherSidesLeadIsHeld", func(t *testing.T) {
			it := w.item("一边宣布完成", both, "2024-06-30")
			it.Status, it.Milestones[0].DoneOn = domain.Completed, domain.MustDate("2024-06-01")
			if err := s.Items.Create(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			got, ch := oneChange(t, s, it.ID)
			if got.Status != domain.NotStarted || !got.Milestones[0].DoneOn.IsZero() || got.Lead("chongqing") != 0 || got.Lead("chengdu") != w.cdDRC.ID {
				t.Fatalf("created as %s, milestones %+v, parties %+v; want not started, nothing done, only Chengdu's lead", got.Status, got.Milestones, got.Parties)
			}
			wantFields(t, ch, "[chongqing]", "status", "parties", "milestones")
			milestone := got.Milestones[0].ID
			if _, err := s.ConfirmItemChange(ctx, cq, it.ID, ch.ID); err != nil {
				t.Fatal(err)
			}
			got, _ = s.Items.Get(ctx, it.ID)
			if got.Status != domain.Completed || got.Lead("chongqing") != w.cqDRC.ID || got.Milestones[0].DoneOn.IsZero() || len(got.Pending) != 0 {
				t.Fatalf("after Chongqing confirmed: %s %+v %+v", got.Status, got.Parties, got.Milestones)
			}
			if got.Milestones[0].ID != milestone {
				t.Fatalf("the milestone was replaced (id %d, was %d) rather than marked done", got.Milestones[0].ID, milestone)
			}
		})
		t.Run("SecondLeadAndCompletionInOneUpdateHeld", func(t *testing.T) {
			it := mustCreate(t, s.Items, w.item("单边事项", map[string]int64{"chengdu": w.cdDRC.ID}, ""))
			it.Parties = append(it.Parties, domain.Party{Side: "chongqing", OrganizationID: w.cqDRC.ID, Role: domain.LeadUnit})
			it.Status, it.Content = domain.Completed, "已建成"
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			got, ch := oneChange(t, s, it.ID)
			if got.Status != domain.Advancing || len(got.Parties) != 1 || got.Content != "已建成" {
				t.Fatalf("stored %s %+v %q; want the content changed, the rest held", got.Status, got.Parties, got.Content)
			}
			wantFields(t, ch, "[chongqing]", "status", "parties")
		})
		t.Run("ArchiveByOneSideHeldThenConfirmed", func(t *testing.T) {
			it := joint("一边归档")
			got, err := s.Items.Archive(ctx, cd, it.ID, it.Version)
			if err != nil {
				t.Fatal(err)
			}
			if got.ArchivedAt != nil {
				t.Fatal("one side archived a two-side item alone")
			}
			_, ch := oneChange(t, s, it.ID)
			wantFields(t, ch, "[chongqing]", "archived")
			if _, err := s.ConfirmItemChange(ctx, cq, it.ID, ch.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Items.Get(ctx, it.ID); got.ArchivedAt == nil {
				t.Fatal("not archived after both sides agreed")
			}
			if a := actions(t, s, it.ID); !slices.Contains(a, "archive") {
				t.Fatalf("history %v has no archive", a)
			}
		})
		t.Run("RestoreByOneSideHeldThenConfirmed", func(t *testing.T) {
			it := joint("一边恢复")
			archived, err := s.Items.Archive(ctx, system, it.ID, it.Version)
			if err != nil || archived.ArchivedAt == nil {
				t.Fatalf("archive: %v", err)
			}
			got, err := s.Items.Restore(ctx, cd, it.ID, archived.Version)
			if err != nil {
				t.Fatal(err)
			}
			if got.ArchivedAt == nil {
				t.Fatal("one side restored a two-side item alone")
			}
			_, ch := oneChange(t, s, it.ID)
			wantFields(t, ch, "[chongqing]", "archived")
			if _, err := s.ConfirmItemChange(ctx, cq, it.ID, ch.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Items.Get(ctx, it.ID); got.ArchivedAt != nil {
				t.Fatal("still archived after both sides agreed to restore it")
			}
			if a := actions(t, s, it.ID); fmt.Sprint(a) != "[create archive propose restore confirm]" {
				t.Fatalf("history %v", a)
			}
		})
		t.Run("RestoreAnyRecord", func(t *testing.T) {
			j := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Code: "510115", Name: "温江区（旧）", Kind: domain.District, ParentID: w.cd.ID})
			_, err := s.Jurisdictions.Restore(ctx, system, j.ID, j.Version)
			wantCode(t, err, domain.Conflict)
			a, err := s.Jurisdictions.Archive(ctx, system, j.ID, j.Version)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Jurisdictions.Restore(ctx, system, j.ID, j.Version)
			wantCode(t, err, domain.Conflict) // stale: the archive made a new version
			back, err := s.Jurisdictions.Restore(ctx, system, j.ID, a.Version)
			if err != nil || back.ArchivedAt != nil || back.Version != a.Version+1 {
				t.Fatalf("restored %+v, %v", back, err)
			}
			h, _ := s.History(ctx, "jurisdictions", j.ID)
			if len(h) != 3 || h[1].Action != "archive" || h[2].Action != "restore" {
				t.Fatalf("history %+v", h)
			}
		})
		t.Run("MoveToAnotherBatchHeld", func(t *testing.T) {
			it := joint("换批次")
			other := mustCreate(t, s.Batches, &domain.Batch{MechanismID: w.mech.ID, Name: "第二批合作项目"})
			it.BatchID = other.ID
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			got, ch := oneChange(t, s, it.ID)
			if got.BatchID != w.batch.ID {
				t.Fatal("one side moved a two-side item to another batch alone")
			}
			wantFields(t, ch, "[chongqing]", "batch_id")
		})
		t.Run("MoveToAnotherMechanismHeld", func(t *testing.T) {
			it := joint("换机制")
			m := mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "另一个工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
				Sides: []domain.Side{{Key: "chengdu", Name: "成都"}, {Key: "chongqing", Name: "重庆"}}})
			it.MechanismID, it.BatchID = m.ID, 0
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			got, ch := oneChange(t, s, it.ID)
			if got.MechanismID != w.mech.ID || got.BatchID != w.batch.ID {
				t.Fatal("one side moved a two-side item to another mechanism alone")
			}
			wantFields(t, ch, "[chongqing]", "mechanism_id", "batch_id")
		})
		t.Run("ReopenCompletedHeld", func(t *testing.T) {
			it := w.item("重新打开", both, "")
			it.Status = domain.Completed
			mustCreate(t, s.Items, it)
			it.Status = domain.Advancing
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			got, ch := oneChange(t, s, it.ID)
			if got.Status != domain.Completed {
				t.Fatal("one side reopened a completed two-side item alone")
			}
			wantFields(t, ch, "[chongqing]", "status")
		})
		t.Run("StalePendingChangeRefused", func(t *testing.T) {
			// Chengdu proposes a unit for Chongqing's side; Chongqing then
			// changes its own units itself (its own, applied at once). The
			// older proposal for those units is stale.
			it := joint("参与单位之争")
			cqLead := it.Parties[1]
			bn := domain.Party{Side: "chongqing", OrganizationID: w.bnGov.ID, Role: domain.CooperatingUnit}
			it.Parties = append(slices.Clone(it.Parties), bn)
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			_, older := oneChange(t, s, it.ID)
			if fmt.Sprint(older.PartySides) != "[chongqing]" {
				t.Fatalf("the change holds the units of %v, want Chongqing's", older.PartySides)
			}
			now, _ := s.Items.Get(ctx, it.ID)
			now.Parties = append(slices.Clone(now.Parties), bn)
			if err := s.Items.Update(ctx, cq, now); err != nil {
				t.Fatal(err)
			}
			applied, _ := s.Items.Get(ctx, it.ID)
			if len(applied.Pending) != 1 || len(domain.SideParties(applied.Parties, "chongqing")) != 2 {
				t.Fatalf("Chongqing's change to its own units waits (%d pending) or was not applied: %+v", len(applied.Pending), applied.Parties)
			}
			_, err := s.ConfirmItemChange(ctx, cq, it.ID, older.ID)
			wantCode(t, err, domain.Conflict)
			got, _ := s.Items.Get(ctx, it.ID)
			if fmt.Sprint(got.Parties) != fmt.Sprint(applied.Parties) || got.Version != applied.Version || got.Parties[1] != cqLead {
				t.Fatalf("the stale change was applied over the newer one: %+v", got.Parties)
			}
			var state string
			if err := s.DB().QueryRow(fmt.Sprintf("SELECT state FROM item_changes WHERE id = %d", older.ID)).Scan(&state); err != nil || state != "stale" {
				t.Fatalf("the stale change is %q (%v), want stale", state, err)
			}
		})
		t.Run("OtherSidesOwnUnitsMeanwhileStand", func(t *testing.T) {
			// Chengdu proposes a unit for Chongqing's side, then changes
			// its own units. Chongqing confirms: its units change, and
			// Chengdu's own change stands.
			it := joint("各方单位")
			it.Parties = append(slices.Clone(it.Parties), domain.Party{Side: "chongqing", OrganizationID: w.bnGov.ID, Role: domain.CooperatingUnit})
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			_, held := oneChange(t, s, it.ID)
			now, _ := s.Items.Get(ctx, it.ID)
			wj := domain.Party{Side: "chengdu", OrganizationID: w.wjGov.ID, Role: domain.CooperatingUnit}
			now.Parties = append(slices.Clone(now.Parties), wj)
			if err := s.Items.Update(ctx, cd, now); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmItemChange(ctx, cq, it.ID, held.ID); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Items.Get(ctx, it.ID)
			want := fmt.Sprint([]domain.Party{now.Parties[0], now.Parties[1], {Side: "chongqing", OrganizationID: w.bnGov.ID, Role: domain.CooperatingUnit}, wj})
			if fmt.Sprint(got.Parties) != want || len(got.Pending) != 0 {
				t.Fatalf("parties after confirming %s, want %s (pending %+v)", fmt.Sprint(got.Parties), want, got.Pending)
			}
		})
		// proposeCompletion has Chengdu complete a joint item, which waits
		// for Chongqing: the item as stored and the pending change.
		proposeCompletion := func(title string) (*domain.Item, domain.ItemChange) {
			it := joint(title)
			it.Status = domain.Completed
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			return oneChange(t, s, it.ID)
		}
		t.Run("UnrelatedEditDoesNotStaleAPendingChange", func(t *testing.T) {
			now, ch := proposeCompletion("内容另改")
			it := now
			// Chongqing edits what the change does not hold, the system
			// recomputes the light: the change still stands.
			now.Content, now.Investment.Done = "重庆补充了建设内容", 12.5
			if err := s.Items.Update(ctx, cq, now); err != nil {
				t.Fatal(err)
			}
			now, _ = s.Items.Get(ctx, it.ID)
			now.Light, now.LightReason = domain.Yellow, "投资进度滞后"
			if err := s.Items.Update(ctx, system, now); err != nil {
				t.Fatal(err)
			}
			newer, _ := s.Items.Get(ctx, it.ID)
			got, err := s.ConfirmItemChange(ctx, cq, it.ID, ch.ID)
			if err != nil {
				t.Fatalf("confirming after an unrelated edit: %v", err)
			}
			if got.Status != domain.Completed || got.Content != newer.Content || got.Investment.Done != 12.5 || got.Light != domain.Yellow || got.Version != newer.Version+1 {
				t.Fatalf("after confirming: %s %q %v %s v%d; want completed over the newer content, investment and light (v%d)",
					got.Status, got.Content, got.Investment.Done, got.Light, got.Version, newer.Version+1)
			}
		})
		t.Run("EditOfAHeldFieldStalesThePendingChange", func(t *testing.T) {
			now, ch := proposeCompletion("状态另改")
			it := now
			now.Content = "先改了无关内容"
			if err := s.Items.Update(ctx, cq, now); err != nil {
				t.Fatal(err)
			}
			now, _ = s.Items.Get(ctx, it.ID)
			now.Status = domain.Paused
			if err := s.Items.Update(ctx, cq, now); err != nil {
				t.Fatal(err)
			}
			newer, _ := s.Items.Get(ctx, it.ID)
			_, err := s.ConfirmItemChange(ctx, cq, it.ID, ch.ID)
			wantCode(t, err, domain.Conflict)
			if de, ok := err.(*domain.Error); !ok || len(de.Fields) != 1 || de.Fields[0].Field != domain.FieldStatus {
				t.Fatalf("the refusal %v does not name the status", err)
			}
			got, _ := s.Items.Get(ctx, it.ID)
			if got.Status != domain.Paused || got.Version != newer.Version {
				t.Fatalf("the stale change was applied: %s v%d", got.Status, got.Version)
			}
			var state string
			if err := s.DB().QueryRow(fmt.Sprintf("SELECT state FROM item_changes WHERE id = %d", ch.ID)).Scan(&state); err != nil || state != "stale" {
				t.Fatalf("the change is %q (%v), want stale", state, err)
			}
		})
		t.Run("ProposerActingForEverySideAppliesAtOnce", func(t *testing.T) {
			it := joint("两边都是我")
			both := liaisonOf(t, s, "both@example.gov.cn", w.cdDRC.ID, w.cqDRC.ID)
			it.Status = domain.Completed
			if err := s.Items.Update(ctx, both, it); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Items.Get(ctx, it.ID)
			if got.Status != domain.Completed || len(got.Pending) != 0 {
				t.Fatalf("status %s with %d pending, want completed at once", got.Status, len(got.Pending))
			}
		})
		t.Run("TheSystemIsExempt", func(t *testing.T) {
			it := w.item("演示数据", both, "2024-06-30")
			it.Status, it.Milestones[0].DoneOn = domain.Completed, domain.MustDate("2024-06-01")
			mustCreate(t, s.Items, it)
			if got, _ := s.Items.Get(ctx, it.ID); got.Status != domain.Completed || len(got.Pending) != 0 {
				t.Fatalf("the system's item was held: %s, %d pending", got.Status, len(got.Pending))
			}
		})
		// Held, confirmed, stale, archived and restored: every row still
		// equals what its last event says, so audit verify finds nothing.
		if n, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("audit verify after the two-side paths (%d events): %v", n, err)
		}
	})
}

// TestLightSetByTheSecretariat: a light set by hand is the secretariat's
// (or the rules', as the system); a liaison changing one is refused naming
// the field, at creation and on update, and its other changes are not
// applied either (the write is all or nothing).
func TestLightSetByTheSecretariat(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		cd := liaisonOf(t, s, "light-cd@example.gov.cn", w.cdDRC.ID)
		it := mustCreate(t, s.Items, w.item("亮灯事项", map[string]int64{"chengdu": w.cdDRC.ID}, ""))

		green := *it
		green.Light, green.LightReason, green.Content = domain.Green, "按计划推进", "本单位自评"
		err := s.Items.Update(ctx, cd, &green)
		if domain.ErrorCode(err) != domain.Invalid || !slices.ContainsFunc(domain.ErrorFields(err), func(f domain.FieldError) bool { return f.Field == "light" }) {
			t.Fatalf("a liaison setting its item's light: %v, want the field light refused", err)
		}
		if got, _ := s.Items.Get(ctx, it.ID); got.Light != it.Light || got.Content != it.Content {
			t.Fatalf("after the refusal the item holds light %q content %q", got.Light, got.Content)
		}

		created := w.item("自带绿灯", map[string]int64{"chengdu": w.cdDRC.ID}, "")
		created.Light = domain.Green
		if err := s.Items.Create(ctx, cd, created); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("a liaison creating an item with a light: %v, want refused", err)
		}

		// The liaison's changes that leave the light alone go through.
		content := *it
		content.Content = "进展说明"
		if err := s.Items.Update(ctx, cd, &content); err != nil {
			t.Fatalf("a liaison changing the content: %v", err)
		}
		secretariat := &domain.User{Email: "light-sec@example.gov.cn", Name: "秘书处", Locale: "zh-CN",
			Grants: []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: it.MechanismID}}}
		mustCreate(t, s.Users, secretariat)
		red := content
		red.Light, red.LightReason = domain.Red, "用地未落实"
		if err := s.Items.Update(ctx, domain.ActorFor(secretariat), &red); err != nil {
			t.Fatalf("the secretariat setting a light: %v", err)
		}
		if got, _ := s.Items.Get(ctx, it.ID); got.Light != domain.Red || got.LightReason != "用地未落实" {
			t.Fatalf("stored light %q %q", got.Light, got.LightReason)
		}
	})
}
