package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestPartiesAsTheSourceStatesThem stores an item as a ledger with one lead
// per row states it — Chengdu leads, Chongqing takes part with a
// cooperating unit only — and checks that nothing is invented for
// Chongqing, that the source's order holds, and that a two-side change
// still waits for Chongqing, whose secretariat unit alone confirms it.
func TestPartiesAsTheSourceStatesThem(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		office := mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: w.cq.ID, Name: "重庆市双核联动工作组办公室", Kind: domain.Department})
		w.mech.Members = append(w.mech.Members, domain.Member{OrganizationID: office.ID, Side: "chongqing", Role: domain.Secretariat})
		if err := s.Mechanisms.Update(ctx, system, w.mech); err != nil {
			t.Fatal(err)
		}
		cd := liaisonOf(t, s, "cd@example.gov.cn", w.cdDRC.ID)
		cooperating := liaisonOf(t, s, "bn@example.gov.cn", w.bnGov.ID)
		otherMember := liaisonOf(t, s, "cq@example.gov.cn", w.cqDRC.ID)
		secretariat := liaisonOf(t, s, "office@example.gov.cn", office.ID)
		source := []domain.Party{
			{Side: "chengdu", OrganizationID: w.wjGov.ID, Role: domain.CooperatingUnit},
			{Side: "chongqing", OrganizationID: w.bnGov.ID, Role: domain.CooperatingUnit},
			{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit},
		}
		it := mustCreate(t, s.Items, &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: "一方牵头", Status: domain.Advancing, Parties: source})

		t.Run("OrderKeptAfterCreate", func(t *testing.T) {
			got, err := s.Items.Get(ctx, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.Parties) != fmt.Sprint(source) {
				t.Fatalf("parties read back as %v, want the source's %v", got.Parties, source)
			}
		})
		t.Run("OrderKeptAfterUpdate", func(t *testing.T) {
			it, _ := s.Items.Get(ctx, it.ID)
			reordered := []domain.Party{source[1], source[2], source[0]}
			it.Parties = reordered
			if err := s.Items.Update(ctx, system, it); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Items.Get(ctx, it.ID)
			if fmt.Sprint(got.Parties) != fmt.Sprint(reordered) {
				t.Fatalf("parties read back as %v, want %v", got.Parties, reordered)
			}
		})
		t.Run("ListRowsReadThemInOrder", func(t *testing.T) {
			// A list's rows read the parties in the list's own query
			// (ListQuery.Summary): the same parties, in the same order, as
			// the item read whole; an item with none has none.
			bare := mustCreate(t, s.Items, &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: "尚无单位", Status: domain.Advancing})
			whole, _ := s.Items.Get(ctx, it.ID)
			page, err := s.Items.List(ctx, domain.ListQuery{Summary: true, Filters: map[string]string{"batch": fmt.Sprint(w.batch.ID)}})
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, row := range page.Items {
				switch row.ID {
				case it.ID:
					seen++
					if fmt.Sprint(row.Parties) != fmt.Sprint(whole.Parties) || len(row.Parties) != 3 {
						t.Errorf("the list's row holds parties %v, the item %v", row.Parties, whole.Parties)
					}
				case bare.ID:
					seen++
					if row.Parties == nil || len(row.Parties) != 0 {
						t.Errorf("an item without parties is listed with %#v", row.Parties)
					}
				}
			}
			if seen != 2 {
				t.Fatalf("the list holds %d of the two items", seen)
			}
		})
		t.Run("CompletionHeldForTheSideWithoutLead", func(t *testing.T) {
			it, _ := s.Items.Get(ctx, it.ID)
			it.Status = domain.Completed
			if err := s.Items.Update(ctx, cd, it); err != nil {
				t.Fatal(err)
			}
			got, ch := oneChange(t, s, it.ID)
			if got.Status == domain.Completed {
				t.Fatal("Chengdu completed an item Chongqing takes part in alone")
			}
			wantFields(t, ch, "[chongqing]", "status")
			if fmt.Sprint(ch.Confirmers["chongqing"]) != fmt.Sprint([]int64{office.ID}) {
				t.Fatalf("asked to confirm for Chongqing: %v, want its secretariat unit %d", ch.Confirmers, office.ID)
			}
		})
		t.Run("OnlyThatSidesSecretariatConfirms", func(t *testing.T) {
			got, ch := oneChange(t, s, it.ID)
			for name, a := range map[string]domain.Actor{"CooperatingUnit": cooperating, "OtherMember": otherMember, "OtherSide": cd} {
				if s.MayConfirm(ctx, a, got, ch) {
					t.Errorf("%s is offered the confirmation", name)
				}
				if _, err := s.ConfirmItemChange(ctx, a, it.ID, ch.ID); err == nil {
					t.Fatalf("%s confirmed for Chongqing", name)
				}
			}
			if _, ch := oneChange(t, s, it.ID); fmt.Sprint(ch.Awaiting) != "[chongqing]" {
				t.Fatalf("after refusals the change awaits %v", ch.Awaiting)
			}
			asSecretariat, err := s.Items.GetAs(ctx, secretariat, it.ID)
			if err != nil {
				t.Fatalf("Chongqing's secretariat cannot read the item it is asked to confirm: %v", err)
			}
			if !s.MayConfirm(ctx, secretariat, asSecretariat, ch) {
				t.Fatal("Chongqing's secretariat is not offered the confirmation")
			}
			done, err := s.ConfirmItemChange(ctx, secretariat, it.ID, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			if done.Status != domain.Completed || len(done.Pending) != 0 {
				t.Fatalf("after Chongqing's secretariat confirmed: %s, %d pending", done.Status, len(done.Pending))
			}
			if fmt.Sprint(done.Parties) != fmt.Sprint([]domain.Party{source[1], source[2], source[0]}) {
				t.Fatalf("confirming changed the parties to %v", done.Parties)
			}
		})
		t.Run("NoLeadInventedOnCreate", func(t *testing.T) {
			it := &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: "无牵头", Status: domain.NotStarted,
				Parties: []domain.Party{{Side: "chongqing", OrganizationID: w.bnGov.ID, Role: domain.CooperatingUnit}, {Side: "chengdu", OrganizationID: w.wjGov.ID, Role: domain.CooperatingUnit}}}
			mustCreate(t, s.Items, it)
			got, _ := s.Items.Get(ctx, it.ID)
			if got.Lead("chengdu") != 0 || got.Lead("chongqing") != 0 || len(got.Parties) != 2 {
				t.Fatalf("parties stored as %v", got.Parties)
			}
		})
		t.Run("OneLeadOverallRefusesASecond", func(t *testing.T) {
			w.mech.Rules.Leads = domain.LeadsOverall
			if err := s.Mechanisms.Update(ctx, system, w.mech); err != nil {
				t.Fatal(err)
			}
			defer func() {
				w.mech.Rules.Leads = ""
				if err := s.Mechanisms.Update(ctx, system, w.mech); err != nil {
					t.Fatal(err)
				}
			}()
			err := s.Items.Create(ctx, system, w.item("两个牵头", map[string]int64{"chengdu": w.cdDRC.ID, "chongqing": w.cqDRC.ID}, ""))
			if f := domain.ErrorFields(err); len(f) != 1 || f[0].Field != "parties[1].role" {
				t.Fatalf("two leads under the one-lead rule gave %v", err)
			}
		})
	})
}

// TestPartiesTextAsTheMigrationWroteIt: the parties a list's row reads are
// kept on the item, written by the store with the parties; migration 0036
// wrote them for the items stored before it. Both must write the same, or
// the older items' rows would read differently: the migration's statement,
// run again over items the store wrote, changes nothing.
func TestPartiesTextAsTheMigrationWroteIt(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		mustCreate(t, s.Items, &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: "三方", Status: domain.Advancing, Parties: []domain.Party{
			{Side: "chongqing", OrganizationID: w.bnGov.ID, Role: domain.CooperatingUnit},
			{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit},
			{Side: "chengdu", OrganizationID: w.wjGov.ID, Role: domain.CooperatingUnit}}})
		mustCreate(t, s.Items, &domain.Item{MechanismID: w.mech.ID, BatchID: w.batch.ID, Title: "无方", Status: domain.Advancing})
		read := func() map[int64]string {
			rows, err := s.DB().QueryContext(ctx, "SELECT id, COALESCE(parties_text, '') FROM items ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[int64]string{}
			for rows.Next() {
				var id int64
				var text string
				if err := rows.Scan(&id, &text); err != nil {
					t.Fatal(err)
				}
				out[id] = text
			}
			return out
		}
		written := read()
		if !strings.Contains(fmt.Sprint(written), fmt.Sprintf("chongqing %d cooperating,chengdu %d lead,chengdu %d cooperating", w.bnGov.ID, w.cdDRC.ID, w.wjGov.ID)) {
			t.Fatalf("the store wrote %v", written)
		}
		migration, err := os.ReadFile("migrations/0036_item_parties_text.sql")
		if err != nil {
			t.Fatal(err)
		}
		at := strings.Index(string(migration), "UPDATE items")
		if _, err := s.DB().ExecContext(ctx, string(migration[at:])); err != nil {
			t.Fatal(err)
		}
		if again := read(); fmt.Sprint(again) != fmt.Sprint(written) {
			t.Errorf("the migration writes %v, the store %v", again, written)
		}
	})
}
