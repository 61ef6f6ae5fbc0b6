package cycle_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

type ladder struct {
	decision, coordination, group *domain.Mechanism
	next                          *domain.Meeting // the coordination tier's next meeting
	item                          *domain.Item
}

func mustCreate[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], v P) P {
	t.Helper()
	if err := rs.Create(context.Background(), domain.Actor{}, v); err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
	return v
}

// newLadder writes three tiers; the clock reads 2024-11-25 (storetest).
func newLadder(t *testing.T, s *store.Store) *ladder {
	t.Helper()
	cd := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Name: "成都市", Kind: domain.City})
	unit := mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: cd.ID, Name: "成都市发展和改革委员会", Kind: domain.Department})
	sides := []domain.Side{{Key: "chengdu", Name: "成都"}}
	l := &ladder{}
	l.decision = mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "决策层", Tier: domain.Decision, TimeZone: "Asia/Shanghai", Cadence: domain.Quarterly, Sides: sides})
	l.coordination = mustCreate(t, s.Mechanisms, &domain.Mechanism{ParentID: l.decision.ID, Name: "协调层", Tier: domain.Coordination, TimeZone: "Asia/Shanghai",
		Cadence: domain.Quarterly, Sides: sides, Rules: domain.Rules{CoordinationDays: 45}})
	l.group = mustCreate(t, s.Mechanisms, &domain.Mechanism{ParentID: l.coordination.ID, Name: "工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai",
		Cadence: domain.Monthly, Sides: sides})
	mustCreate(t, s.Meetings, &domain.Meeting{MechanismID: l.coordination.ID, Number: 1, Title: "已开过的会议", HeldOn: domain.MustDate("2024-11-24"), HeldOnPrecision: domain.DayPrecision})
	mustCreate(t, s.Meetings, &domain.Meeting{MechanismID: l.coordination.ID, Number: 3, Title: "更晚的会议", HeldOn: domain.MustDate("2025-03-01"), HeldOnPrecision: domain.DayPrecision})
	l.next = mustCreate(t, s.Meetings, &domain.Meeting{MechanismID: l.coordination.ID, Number: 2, Title: "下一次会议", HeldOn: domain.MustDate("2024-12-20"), HeldOnPrecision: domain.DayPrecision,
		Agenda: []domain.AgendaItem{{Kind: domain.AgendaTopicKind, Topic: "年度总结"}}})
	l.item = mustCreate(t, s.Items, &domain.Item{MechanismID: l.group.ID, Title: "轨道交通互联", Status: domain.Advancing,
		Parties:    []domain.Party{{Side: "chengdu", OrganizationID: unit.ID, Role: domain.LeadUnit}},
		Milestones: []domain.Milestone{{Title: "铺轨", DueOn: domain.MustDate("2024-10-10")}, {Title: "通车", DueOn: domain.MustDate("2025-12-31")}}})
	return l
}

func TestEscalate(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLadder(t, s)
		p := mustCreate(t, s.Problems, &domain.Problem{MechanismID: l.group.ID, Title: "用地指标", Tier: domain.Execution, Status: domain.ProblemOpen})

		t.Run("StaleVersionRefused", func(t *testing.T) {
			if _, err := s.Escalate(ctx, domain.Actor{}, p.ID, p.Version+1, ""); domain.ErrorCode(err) != domain.Conflict {
				t.Fatalf("got %v, want a conflict", err)
			}
		})
		t.Run("OntoTheNextMeetingAtTheNewTier", func(t *testing.T) {
			out, err := s.Escalate(ctx, domain.Actor{}, p.ID, p.Version, "执行层无法解决")
			if err != nil {
				t.Fatal(err)
			}
			if out.Problem.Tier != domain.Coordination || out.Mechanism.ID != l.coordination.ID || out.Meeting == nil || out.Meeting.ID != l.next.ID {
				t.Fatalf("%+v", out)
			}
			// 2024-11-25 plus the coordination tier's 45 days.
			if got := out.Problem.DueOn.String(); got != "2025-01-09" {
				t.Errorf("due %s", got)
			}
			mt, _ := s.Meetings.Get(ctx, l.next.ID)
			if n := len(mt.Agenda); n != 2 || mt.Agenda[1].ProblemID != p.ID || mt.Agenda[0].Topic != "年度总结" {
				t.Errorf("agenda %+v", mt.Agenda)
			}
			stored, _ := s.Problems.Get(ctx, p.ID)
			if len(stored.Escalations) != 1 || stored.Escalations[0].FromTier != domain.Execution || stored.Escalations[0].Note != "执行层无法解决" {
				t.Errorf("escalations %+v", stored.Escalations)
			}
			p = stored
		})
		t.Run("NoMeetingScheduledIsSaid", func(t *testing.T) {
			out, err := s.Escalate(ctx, domain.Actor{}, p.ID, p.Version, "")
			if err != nil {
				t.Fatal(err)
			}
			if out.Meeting != nil || out.Mechanism.ID != l.decision.ID || !strings.Contains(out.Message, "no meeting scheduled") {
				t.Fatalf("%+v", out)
			}
			if got := out.Problem.DueOn.String(); got != "2025-02-23" { // the default 90 days
				t.Errorf("due %s", got)
			}
			p = out.Problem
		})
		t.Run("TopOfTheLadderRefused", func(t *testing.T) {
			if _, err := s.Escalate(ctx, domain.Actor{}, p.ID, p.Version, ""); domain.ErrorCode(err) != domain.Invalid {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ResolvedRefused", func(t *testing.T) {
			r := mustCreate(t, s.Problems, &domain.Problem{MechanismID: l.group.ID, Title: "已解决", Tier: domain.Execution, Status: domain.ProblemResolved, Resolution: "已协调"})
			if _, err := s.Escalate(ctx, domain.Actor{}, r.ID, r.Version, ""); domain.ErrorCode(err) != domain.Invalid {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("NoMechanismAtTheTier", func(t *testing.T) {
			lone := mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "独立工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly})
			q := mustCreate(t, s.Problems, &domain.Problem{MechanismID: lone.ID, Title: "无上级", Tier: domain.Execution, Status: domain.ProblemOpen})
			out, err := s.Escalate(ctx, domain.Actor{}, q.ID, q.Version, "")
			if err != nil {
				t.Fatal(err)
			}
			if out.Mechanism != nil || !strings.Contains(out.Message, "no mechanism up the chain") || out.Problem.DueOn.String() != "2025-01-24" {
				t.Fatalf("%+v", out)
			}
		})
	})
}

func TestRecomputeLightsAndOverdue(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		l := newLadder(t, s)
		now := time.Date(2024, 11, 25, 2, 0, 0, 0, time.UTC)
		out, err := cycle.RecomputeLights(ctx, s, domain.Actor{}, l.group.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if out.Updated != 1 || out.Items[0].To != domain.Red {
			t.Fatalf("%+v", out)
		}
		it, _ := s.Items.Get(ctx, l.item.ID)
		want := "红灯：里程碑“铺轨”应于2024-10-10完成，已逾期46天。\nred: milestone '铺轨' was due 2024-10-10 and is 46 days late"
		if it.Light != domain.Red || it.LightReason != want {
			t.Errorf("stored %s %q", it.Light, it.LightReason)
		}
		again, err := cycle.RecomputeLights(ctx, s, domain.Actor{}, l.group.ID, now)
		if err != nil || again.Updated != 0 {
			t.Errorf("a second run changed %d items: %v", again.Updated, err)
		}

		mustCreate(t, s.Problems, &domain.Problem{MechanismID: l.group.ID, Title: "逾期", Tier: domain.Execution, Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-11-01")})
		mustCreate(t, s.Problems, &domain.Problem{MechanismID: l.group.ID, Title: "今日到期", Tier: domain.Execution, Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-11-25")})
		mustCreate(t, s.Problems, &domain.Problem{MechanismID: l.group.ID, Title: "更早逾期", Tier: domain.Execution, Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-10-01")})
		over, err := cycle.Overdue(ctx, s, l.group.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(over) != 2 || over[0].Problem.Title != "更早逾期" || over[0].DaysLate != 55 || over[1].DaysLate != 24 {
			t.Fatalf("%+v", over)
		}
	})
}

func TestRulesAreStoredAndChecked(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		bad := &domain.Mechanism{Name: "规则有误", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
			Rules: domain.Rules{YellowBehind: 40, RedBehind: 20, GraceDays: -1}}
		err := s.Mechanisms.Create(ctx, domain.Actor{}, bad)
		fields := map[string]bool{}
		for _, f := range domain.ErrorFields(err) {
			fields[f.Field] = true
		}
		if domain.ErrorCode(err) != domain.Invalid || !fields["rules.red_behind"] || !fields["rules.grace_days"] {
			t.Fatalf("got %v", err)
		}
		m := mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "规则", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
			Rules: domain.Rules{BlueWithinDays: 7, CooperatingUnitsReport: true}})
		got, err := s.Mechanisms.Get(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rules != m.Rules || got.Rules.Effective().RedBehind != 30 || got.Rules.TierDays(domain.Decision) != 90 {
			t.Errorf("rules read back %+v", got.Rules)
		}
	})
}
