package pack_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestDemoMeeting2StatesTheSource reads the demo's pack for working-group
// meeting no. 2 (12 May 2023) as the seed article tells that meeting, figure
// by figure: the first batch of 34 fixed in September 2022 and where its
// recorded items stood, the member units of each side, every one of them
// reporting since meeting no. 1, and the agreements signed by then. Each
// figure comes from the data; none is written into the pack's code.
func TestDemoMeeting2StatesTheSource(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustLoadDemo(t, s)
		mt := meetingNamed(t, s, "成渝双核联动工作组第二次会议")
		p, err := pack.Build(ctx, s, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Standing) != 1 {
			t.Fatalf("batches standing at the meeting: %d, want the first batch only", len(p.Standing))
		}
		first := p.Standing[0]
		if first.Batch.DeclaredCount != 34 || first.Meeting.HeldOn.Format("2006-01") != "2022-09" || first.Meeting.HeldOnPrecision != domain.MonthPrecision {
			t.Errorf("first batch: declared %d, fixed %s (%s)", first.Batch.DeclaredCount, first.Meeting.HeldOn, first.Meeting.HeldOnPrecision)
		}

		group, err := s.Mechanisms.Get(ctx, mt.MechanismID)
		if err != nil {
			t.Fatal(err)
		}
		perSide := map[string]int{}
		for _, m := range group.Members {
			perSide[m.Side]++
		}
		if len(p.Members) != 2 {
			t.Fatalf("sides: %d", len(p.Members))
		}
		for _, su := range p.Members {
			if len(su.Units) != perSide[su.Side.Key] || len(su.Units) < 8 {
				t.Errorf("%s: %d units named, the group has %d", su.Side.Key, len(su.Units), perSide[su.Side.Key])
			}
		}
		// The seed: the member departments (发改、交通、经信、科技、金融等) of
		// each side reported on the work since meeting no. 1 — eight a side.
		heard := map[string]int{}
		for _, h := range p.Heard {
			heard[h.Side]++
		}
		if heard["chengdu"] != 8 || heard["chongqing"] != 8 || len(p.Heard) != 16 {
			t.Errorf("heard at the meeting: %v of %d", heard, len(p.Heard))
		}

		// Pairings in force: the four agreements signed by the meeting's
		// day (two of them in its window) and the five pairings the seed
		// reports in place that day; not 武侯–沙坪坝, signed in August 2023.
		var titles []string
		for _, a := range p.InForce {
			if a.SignedOn.After(mt.HeldOn.Time) {
				t.Errorf("%s signed %s, after the meeting", a.Title, a.SignedOn)
			}
			titles = append(titles, a.Title)
		}
		if len(p.InForce) != 9 || strings.Contains(strings.Join(titles, " "), "武侯区") || !strings.Contains(strings.Join(titles, " "), "新都区与九龙坡区") {
			t.Errorf("pairings in force at the meeting: %q", titles)
		}
		if len(p.Agreements) != 2 {
			t.Errorf("agreements of the window: %d, want the two of April 2023", len(p.Agreements))
		}

		md, err := p.Doc().Bytes(pack.Markdown)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"第一批合作项目34个（2022年9月重庆成都第一次双核联动联席会议确定），已纳入跟踪6个，均在推进中。",
			"会上，16个单位汇报了工作推进情况：成都方8个（成都市发展和改革委员会、成都市交通运输局",
			"成员单位" + strconv.Itoa(len(group.Members)) + "个（成都方" + strconv.Itoa(perSide["chengdu"]) + "个、重庆方" + strconv.Itoa(perSide["chongqing"]) + "个）",
			"| 成都方 | " + strconv.Itoa(perSide["chengdu"]) + " | 成都市发展和改革委员会、",
			"本期间新启动合作项目8个，新签署结对合作协议2项。截至2023年5月12日，在册结对合作9项。",
			"两市先进制造业产值超过2万亿元",
			"其间，重庆成都第一次双核联动联席会议于2022年9月召开，议定：确定第一批34个合作项目",
			"成渝中线高铁（标志性项目）：本期间启动，目前推进中。截至2023年5月全面开工建设。",
		} {
			if !strings.Contains(string(md), want) {
				t.Errorf("the pack does not say %q", want)
			}
		}
		if strings.Contains(string(md), "本期间没有应报送的进度报告") {
			t.Error("the pack says no reports were due; every member unit reported")
		}
	})
}

// TestDemoAnnualReportsOfThePast: the first batch's annual reports for 2022
// and 2023 count its items by the days they happened — decided in September
// 2022, advancing by the seed's report of May 2023 — though the demo records
// them today.
func TestDemoAnnualReportsOfThePast(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustLoadDemo(t, s)
		first, err := store.All(ctx, s.Batches, map[string]string{"q": "第一批"}, false)
		if err != nil || len(first) != 1 {
			t.Fatalf("first batch: %v", err)
		}
		for year, want := range map[int]string{
			2021: "系统已录入0个",
			2022: "其中未开工6个，推进中0个",
			2023: "其中未开工0个，推进中6个",
		} {
			a, err := pack.BuildAnnual(ctx, s, first[0].ID, year, storetest.Start)
			if err != nil {
				t.Fatal(err)
			}
			md, err := a.Doc().Bytes(pack.Markdown)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), want) {
				t.Errorf("the annual report for %d does not say %q:\n%s", year, want, md)
			}
		}
	})
}
