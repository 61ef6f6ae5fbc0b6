package pack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
)

// TestPastFactsRecordedToday: facts entered today with the days they
// happened count in the packs of their time, with the status they had,
// and only what came to be after a meeting is said to come later.
func TestPastFactsRecordedToday(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) } // today, 10:00 in Shanghai
		cd := create(t, s.Jurisdictions, &domain.Jurisdiction{Code: "510100", Name: "成都市", Kind: domain.City})
		cq := create(t, s.Jurisdictions, &domain.Jurisdiction{Code: "500000", Name: "重庆市", Kind: domain.Municipality})
		cdDRC := create(t, s.Organizations, &domain.Organization{JurisdictionID: cd.ID, Name: "成都市发展和改革委员会", Kind: domain.Department})
		cqDRC := create(t, s.Organizations, &domain.Organization{JurisdictionID: cq.ID, Name: "重庆市发展和改革委员会", Kind: domain.Department})
		m := create(t, s.Mechanisms, &domain.Mechanism{Name: "测试工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Quarterly,
			Sides: []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: cd.ID}, {Key: "chongqing", Name: "重庆", JurisdictionID: cq.ID}}})
		create(t, s.Meetings, &domain.Meeting{MechanismID: m.ID, Number: 1, Title: "测试工作组第一次会议", HeldOn: domain.MustDate("2022-04-28"), HeldOnPrecision: domain.DayPrecision})
		second := create(t, s.Meetings, &domain.Meeting{MechanismID: m.ID, Number: 2, Title: "测试工作组第二次会议", HeldOn: domain.MustDate("2023-05-12"), HeldOnPrecision: domain.DayPrecision})
		batch := create(t, s.Batches, &domain.Batch{MechanismID: m.ID, Name: "第一批合作项目"})
		leads := []domain.Party{{Side: "chengdu", OrganizationID: cdDRC.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: cqDRC.ID, Role: domain.LeadUnit}}

		rail := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "成渝中线高铁", Status: domain.NotStarted, Parties: leads}
		if err := s.Items.Create(store.WithOccurred(ctx, domain.MustDate("2022-09-01"), domain.MonthPrecision), domain.Actor{}, rail); err != nil {
			t.Fatal(err)
		}
		rail.Status = domain.Advancing
		if err := s.Items.Update(store.WithOccurred(ctx, domain.MustDate("2023-03-01"), domain.DayPrecision), domain.Actor{}, rail); err != nil {
			t.Fatal(err)
		}
		problem := &domain.Problem{MechanismID: m.ID, ItemID: rail.ID, Title: "用地指标未落实", Tier: domain.Execution, Status: domain.ProblemOpen}
		if err := s.Problems.Create(store.WithOccurred(ctx, domain.MustDate("2022-10-10"), domain.DayPrecision), domain.Actor{}, problem); err != nil {
			t.Fatal(err)
		}
		problem.Status, problem.Resolution = domain.ProblemResolved, "两地协调解决。"
		if err := s.Problems.Update(store.WithOccurred(ctx, domain.MustDate("2023-02-01"), domain.DayPrecision), domain.Actor{}, problem); err != nil {
			t.Fatal(err)
		}

		t.Run("MeetingPackCountsItWithItsStatusThen", func(t *testing.T) {
			p, err := pack.Build(ctx, s, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 1 || p.Items[0].Item.Status != domain.Advancing || p.Later != 0 {
				t.Fatalf("items %d (later %d), want the railway, advancing", len(p.Items), p.Later)
			}
			if len(p.Changes) != 1 || !p.Changes[0].New {
				t.Errorf("changes %+v, want the railway as new in the window", p.Changes)
			}
			if len(p.New) != 1 || len(p.Resolved) != 1 {
				t.Errorf("problems raised %d and resolved %d in the window, want 1 and 1", len(p.New), len(p.Resolved))
			}
			md, err := p.Doc().Bytes(pack.Markdown)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(md), "录入系统") {
				t.Errorf("the pack says something was recorded later:\n%s", md)
			}
		})

		t.Run("OnlyWhatCameLaterIsSaidToComeLater", func(t *testing.T) {
			create(t, s.Items, &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "算力资源调度", Status: domain.Advancing, Parties: leads})
			p, err := pack.Build(ctx, s, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 1 || p.Later != 1 || p.LaterStated {
				t.Fatalf("items %d, later %d (stated %v), want 1 and 1 entered today", len(p.Items), p.Later, p.LaterStated)
			}
			md, err := p.Doc().Bytes(pack.Markdown)
			if err != nil {
				t.Fatal(err)
			}
			if want := "另有1个合作项目自2026年12月2日起才纳入跟踪"; !strings.Contains(string(md), want) {
				t.Errorf("the pack does not say %q:\n%s", want, md)
			}
		})

		t.Run("ALaterDayThatHappenedIsNotCalledRecorded", func(t *testing.T) {
			later := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "公交一卡通互联", Status: domain.Advancing, Parties: leads}
			if err := s.Items.Create(store.WithOccurred(ctx, domain.MustDate("2023-06-01"), domain.DayPrecision), domain.Actor{}, later); err != nil {
				t.Fatal(err)
			}
			p, err := pack.Build(ctx, s, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Later != 2 || !p.LaterStated || p.LaterSince.String() != "2023-06-01" {
				t.Fatalf("later %d since %s (stated %v), want 2 since 2023-06-01, stated", p.Later, p.LaterSince, p.LaterStated)
			}
			md, err := p.Doc().Bytes(pack.Markdown)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(md), "录入系统") || !strings.Contains(string(md), "另有2个合作项目自2023年6月1日起才开始") {
				t.Errorf("the pack does not say when the later items began:\n%s", md)
			}
		})

		t.Run("AnnualReportCountsIt", func(t *testing.T) {
			a, err := pack.BuildAnnual(ctx, s, batch.ID, 2022, s.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Rows) != 1 || a.Rows[0].Item.Status != domain.NotStarted || a.Counts[domain.NotStarted] != 1 {
				t.Fatalf("rows %d, counts %v, want the railway, not started at the end of 2022", len(a.Rows), a.Counts)
			}
			if a.Raised != 1 || a.Solved != 0 || a.Open != 1 {
				t.Errorf("problems raised %d, solved %d, open %d in 2022; want 1, 0, 1", a.Raised, a.Solved, a.Open)
			}
			if a.Later != 2 || !a.LaterStated {
				t.Errorf("later %d (stated %v), want the two items that came later", a.Later, a.LaterStated)
			}
		})
	})
}
