package pack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// scenario is a fixed half-year of a working group, written with a clock
// the test moves: two meetings of the group (2024-01-10 and 2024-06-28), a
// meeting of the joint meeting above it (2024-07-15), three items, reports,
// milestones, problems (one escalated), a decision with a task, an
// indicator and an agreement.
type scenario struct {
	s                  *store.Store
	clock              time.Time
	group, joint       *domain.Mechanism
	meeting1, meeting2 *domain.Meeting
	jointMeeting       *domain.Meeting
	batch              *domain.Batch
	items              []*domain.Item
	escalated          *domain.Problem
}

func (sc *scenario) at(day string) {
	d := domain.MustDate(day)
	sc.clock = time.Date(d.Year(), d.Month(), d.Day(), 2, 0, 0, 0, time.UTC) // 10:00 in Asia/Shanghai
}

func create[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], v P) P {
	t.Helper()
	if err := rs.Create(context.Background(), domain.Actor{}, v); err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
	return v
}

func change[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], id int64, change func(P)) P {
	t.Helper()
	v, err := rs.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	change(v)
	if err := rs.Update(context.Background(), domain.Actor{}, v); err != nil {
		t.Fatalf("update %T %d: %v", v, id, err)
	}
	return v
}

func newScenario(t *testing.T, s *store.Store) *scenario {
	t.Helper()
	ctx := context.Background()
	sc := &scenario{s: s}
	s.Now = func() time.Time { return sc.clock }
	sc.at("2024-01-05")
	cd := create(t, s.Jurisdictions, &domain.Jurisdiction{Code: "510100", Name: "成都市", Kind: domain.City})
	cq := create(t, s.Jurisdictions, &domain.Jurisdiction{Code: "500000", Name: "重庆市", Kind: domain.Municipality})
	cdTrans := create(t, s.Organizations, &domain.Organization{JurisdictionID: cd.ID, Name: "成都市交通运输局", Kind: domain.Department})
	cqTrans := create(t, s.Organizations, &domain.Organization{JurisdictionID: cq.ID, Name: "重庆市交通局", Kind: domain.Department})
	cdSci := create(t, s.Organizations, &domain.Organization{JurisdictionID: cd.ID, Name: "成都市科学技术局", Kind: domain.Department})
	cqSci := create(t, s.Organizations, &domain.Organization{JurisdictionID: cq.ID, Name: "重庆市科学技术局", Kind: domain.Department})
	sides := []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: cd.ID}, {Key: "chongqing", Name: "重庆", JurisdictionID: cq.ID}}
	sc.joint = create(t, s.Mechanisms, &domain.Mechanism{Name: "测试联席会议", Tier: domain.Coordination, TimeZone: "Asia/Shanghai", Cadence: domain.Quarterly, Sides: sides})
	sc.group = create(t, s.Mechanisms, &domain.Mechanism{ParentID: sc.joint.ID, Name: "测试工作组", Tier: domain.Execution, TimeZone: "Asia/Shanghai",
		Cadence: domain.Monthly, Sides: sides, Rules: domain.Rules{GraceDays: 5}})
	sc.meeting1 = create(t, s.Meetings, &domain.Meeting{MechanismID: sc.group.ID, Number: 1, Title: "测试工作组第一次会议", HeldOn: domain.MustDate("2024-01-10"),
		HeldOnPrecision: domain.DayPrecision, Place: "重庆", Format: domain.InPerson,
		Decisions: []domain.MeetingDecision{{Text: "轨道项目上半年开工。"}, {Text: "建立月报制度。"}}})
	sc.meeting2 = create(t, s.Meetings, &domain.Meeting{MechanismID: sc.group.ID, Number: 2, Title: "测试工作组第二次会议", HeldOn: domain.MustDate("2024-06-28"),
		HeldOnPrecision: domain.DayPrecision, Place: "成都", Format: domain.Hybrid,
		Agenda: []domain.AgendaItem{{Kind: domain.AgendaTopicKind, Topic: "听取上半年推进情况汇报"}}})
	sc.jointMeeting = create(t, s.Meetings, &domain.Meeting{MechanismID: sc.joint.ID, Number: 1, Title: "测试联席会议第一次会议", HeldOn: domain.MustDate("2024-07-15"),
		HeldOnPrecision: domain.DayPrecision, Format: domain.InPerson})
	sc.batch = create(t, s.Batches, &domain.Batch{MechanismID: sc.group.ID, MeetingID: sc.meeting1.ID, Name: "2024年度合作项目", Year: 2024, DeclaredCount: 5})
	leads := func(a, b int64) []domain.Party {
		return []domain.Party{{Side: "chengdu", OrganizationID: a, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: b, Role: domain.LeadUnit}}
	}
	rail := create(t, s.Items, &domain.Item{MechanismID: sc.group.ID, BatchID: sc.batch.ID, DecisionID: sc.meeting1.Decisions[0].ID, Number: "2024-01",
		Title: "轨道交通互联", Status: domain.NotStarted, StartOn: domain.MustDate("2024-01-01"), EndOn: domain.MustDate("2024-12-31"),
		Investment: domain.Investment{Total: 500000, PlannedThisYear: 120000}, Parties: leads(cdTrans.ID, cqTrans.ID),
		Milestones: []domain.Milestone{{Title: "立项", DueOn: domain.MustDate("2024-03-31")}, {Title: "开工", DueOn: domain.MustDate("2024-05-31")},
			{Title: "铺轨", DueOn: domain.MustDate("2024-11-30")}}})
	lab := create(t, s.Items, &domain.Item{MechanismID: sc.group.ID, BatchID: sc.batch.ID, Number: "2024-02", Title: "共建重点实验室",
		Status: domain.Advancing, Parties: leads(cdSci.ID, cqSci.ID),
		Milestones: []domain.Milestone{{Title: "签署共建协议", DueOn: domain.MustDate("2024-04-30")}, {Title: "挂牌", DueOn: domain.MustDate("2024-07-10")}}})
	data := create(t, s.Items, &domain.Item{MechanismID: sc.group.ID, BatchID: sc.batch.ID, Number: "2024-03", Title: "算力资源调度",
		Status: domain.Advancing, StartOn: domain.MustDate("2024-01-01"), EndOn: domain.MustDate("2025-06-30"), Parties: leads(cdSci.ID, cqSci.ID)})
	sc.items = []*domain.Item{rail, lab, data}
	task := create(t, s.Tasks, &domain.Task{MechanismID: sc.group.ID, Year: 2024, Content: "制定月报模板", LeadID: cdTrans.ID, Status: domain.TaskOpen,
		DecisionID: sc.meeting1.Decisions[1].ID})
	create(t, s.Indicators, &domain.Indicator{MechanismID: sc.group.ID, Name: "跨市通办事项", Unit: "项",
		Values: []domain.IndicatorValue{{ObservedOn: domain.MustDate("2023-12-31"), Value: 95}, {ObservedOn: domain.MustDate("2024-06-01"), Value: 210}}})
	old := create(t, s.Problems, &domain.Problem{MechanismID: sc.group.ID, ItemID: rail.ID, Title: "用地指标未落实", Tier: domain.Execution,
		Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-02-28")})

	// The window: 2024-01-11 to 2024-06-28.
	sc.at("2024-02-10")
	change(t, s.Items, rail.ID, func(it *domain.Item) { it.Status = domain.Advancing })
	memo := create(t, s.Agreements, &domain.Agreement{MechanismID: sc.group.ID, Title: "两市交通部门合作备忘录", Kind: domain.Memorandum,
		SignedOn: domain.MustDate("2024-03-15"), Terms: "共同推进轨道交通互联。", Parties: []domain.AgreementParty{{OrganizationID: cdTrans.ID}, {OrganizationID: cqTrans.ID}}})
	sc.at("2024-03-18")
	create(t, s.Items, &domain.Item{MechanismID: sc.group.ID, AgreementID: memo.ID, Title: "公交一卡通互联", Status: domain.Advancing,
		StartOn: domain.MustDate("2024-04-01"), EndOn: domain.MustDate("2024-09-30"), Parties: leads(cdTrans.ID, cqTrans.ID)})
	sc.at("2024-03-01")
	change(t, s.Problems, old.ID, func(p *domain.Problem) {
		p.Status, p.Resolution = domain.ProblemResolved, "两地自然资源部门协调解决。"
	})
	sc.at("2024-03-20")
	change(t, s.Items, rail.ID, func(it *domain.Item) { it.Milestones[0].DoneOn = domain.MustDate("2024-03-20") })
	sc.at("2024-04-02")
	blocked := create(t, s.Problems, &domain.Problem{MechanismID: sc.group.ID, ItemID: lab.ID, Title: "共建协议审批流程不一致", Tier: domain.Execution,
		Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-05-02")})
	// Monthly reports: both leads report January to April on the rail item,
	// the lab's Chongqing lead misses March, nobody reports on computing.
	for _, r := range []struct {
		item   *domain.Item
		unit   int64
		period string
		pct    int
		on     string
	}{
		{rail, cdTrans.ID, "2024-01", 5, "2024-02-03"}, {rail, cqTrans.ID, "2024-01", 5, "2024-02-04"},
		{rail, cdTrans.ID, "2024-02", 10, "2024-03-02"}, {rail, cqTrans.ID, "2024-02", 10, "2024-03-12"},
		{rail, cdTrans.ID, "2024-03", 20, "2024-04-03"}, {rail, cqTrans.ID, "2024-03", 20, "2024-04-03"},
		{rail, cdTrans.ID, "2024-04", 25, "2024-05-05"}, {rail, cqTrans.ID, "2024-04", 30, "2024-05-05"},
		{lab, cdSci.ID, "2024-03", 30, "2024-04-02"}, {lab, cdSci.ID, "2024-04", 40, "2024-05-02"}, {lab, cqSci.ID, "2024-04", 40, "2024-05-03"},
	} {
		sc.at(r.on)
		create(t, s.Reports, &domain.Report{ItemID: r.item.ID, OrganizationID: r.unit, Period: r.period, Text: "按计划推进。", Percent: r.pct, Status: domain.Submitted})
	}
	sc.at("2024-05-10")
	blocked, _ = s.Problems.Get(ctx, blocked.ID)
	esc, err := s.Escalate(ctx, domain.Actor{}, blocked.ID, blocked.Version, "执行层无法协调，提请联席会议研究。")
	if err != nil {
		t.Fatal(err)
	}
	sc.escalated = esc.Problem
	sc.at("2024-05-20")
	create(t, s.Problems, &domain.Problem{MechanismID: sc.group.ID, ItemID: data.ID, Title: "算力调度平台接口标准未统一", Tier: domain.Execution,
		Status: domain.ProblemOpen, DueOn: domain.MustDate("2024-06-10")})
	sc.at("2024-06-03")
	change(t, s.Items, lab.ID, func(it *domain.Item) { it.Milestones[0].DoneOn = domain.MustDate("2024-06-03") })
	sc.at("2024-06-20")
	if _, err := cycle.RecomputeLights(ctx, s, domain.Actor{}, sc.group.ID, sc.clock); err != nil {
		t.Fatal(err)
	}
	// After the meeting: changes the pack of meeting 2 must not show.
	sc.at("2024-07-02")
	change(t, s.Items, rail.ID, func(it *domain.Item) { it.Status = domain.Paused })
	change(t, s.Tasks, task.ID, func(tk *domain.Task) { tk.Status = domain.TaskDone })
	sc.at("2024-12-31")
	change(t, s.Items, lab.ID, func(it *domain.Item) {
		it.Status, it.Milestones[1].DoneOn = domain.Completed, domain.MustDate("2024-09-30")
		it.Investment.Done = 800
	})
	return sc
}

func TestScenarioPack(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		sc := newScenario(t, s)
		p, err := pack.Build(context.Background(), s, sc.meeting2.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Doc().Bytes(pack.Markdown)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "scenario-meeting-2.golden.md", b)

		jp, err := pack.Build(context.Background(), s, sc.jointMeeting.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err = jp.Doc().Bytes(pack.Markdown)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "scenario-joint-meeting-1.golden.md", b)

		a, err := pack.BuildAnnual(context.Background(), s, sc.batch.ID, 2024, sc.clock)
		if err != nil {
			t.Fatal(err)
		}
		b, err = a.Doc().Bytes(pack.Markdown)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "scenario-annual-2024.golden.md", b)
	})
}

// TestMissingReportsSummarisedPerUnit: however many periods lie between two
// meetings, the pack's reporting table has a row per reporting unit — owed,
// in, missing, which periods, the latest in — not a row per period listing
// every item (after a long gap that ran to 258 rows).
func TestMissingReportsSummarisedPerUnit(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	sc := newScenario(t, s)
	p, err := pack.Build(context.Background(), s, sc.meeting2.ID)
	if err != nil {
		t.Fatal(err)
	}
	units := map[int64]bool{}
	owed, periods := 0, len(p.Periods)
	for _, st := range p.Periods {
		owed += st.Expected
		for _, e := range st.Expectations {
			units[e.OrganizationID] = true
		}
	}
	if periods < 3 || owed <= len(units) {
		t.Fatalf("the scenario owes %d reports over %d periods from %d units: not a long enough gap to test", owed, periods, len(units))
	}
	b, err := p.Doc().Bytes(pack.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	start := strings.Index(md, "| 单位 | 应报 | 已报 | 未报 | 未报的报告期 | 最近报送 |")
	if start < 0 {
		t.Fatal("no reporting table by unit")
	}
	table := md[start:]
	table = table[:strings.Index(table, "\n\n")]
	if rows := strings.Count(table, "\n") - 1; rows != len(units) {
		t.Errorf("the reporting table has %d rows for %d units over %d periods", rows, len(units), periods)
	}
}
