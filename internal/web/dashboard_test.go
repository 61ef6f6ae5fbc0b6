package web

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

var numberCell = regexp.MustCompile(`<td class="num">([\d,]+)</td>`)

// rowTotal reads the last figure of the dashboard row whose heading links
// to href, or fails.
func rowTotal(t *testing.T, body, href string) int {
	t.Helper()
	cells := rowCells(t, body, href)
	if len(cells) == 0 {
		t.Fatalf("row %s has no figures", href)
	}
	return cells[len(cells)-1]
}

// TestDashboardCountsWhatTheViewerMayList: the dashboard's totals, per
// mechanism and per side, are the sizes of the lists they link to, for the
// administrator and for a district liaison who sees only their own items;
// an overdue milestone of the mechanism is listed as overdue.
func TestDashboardCountsWhatTheViewerMayList(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	m, batch := st.workingGroup(t)
	wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
	overdue := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "逾期节点事项", Status: domain.Advancing, Light: domain.Red,
		Parties:    []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}},
		Milestones: []domain.Milestone{{Title: "完成立项", DueOn: domain.Date{Time: testNow.AddDate(0, 0, -3)}}}}
	if err := st.Store.Items.Create(ctx, domain.Actor{}, overdue); err != nil {
		t.Fatal(err)
	}
	liaison := &domain.User{Email: "dash-liaison@example.gov.cn", Name: "联络员", Locale: "zh-CN", Password: testPassword,
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang}}}
	if err := st.Store.Users.Create(ctx, domain.Actor{}, liaison); err != nil {
		t.Fatal(err)
	}
	mid := fmt.Sprint(m.ID)
	listed := func(viewer *domain.User, filters map[string]string) int {
		n, q := 0, domain.ListQuery{Viewer: viewer, Filters: filters, Limit: domain.MaxPageSize}
		for {
			page, err := st.Store.Items.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Items)
			if page.NextCursor == "" {
				return n
			}
			q.Cursor = page.NextCursor
		}
	}
	totals := map[string]int{}
	for _, who := range []*domain.User{st.User, liaison} {
		c := st.client(t)
		c.signIn(who.Email, testPassword)
		res, body := c.get("/mechanisms/" + mid)
		if res.StatusCode != 200 {
			t.Fatalf("%s: dashboard %d", who.Email, res.StatusCode)
		}
		got, want := rowTotal(t, body, "/items?mechanism="+mid), listed(who, map[string]string{"mechanism": mid})
		if got != want {
			t.Errorf("%s: dashboard counts %d items, the list holds %d", who.Email, got, want)
		}
		totals[who.Email] = got
		for _, side := range m.Sides {
			got, want := rowTotal(t, body, "/items?mechanism="+mid+"&amp;side="+side.Key), listed(who, map[string]string{"mechanism": mid, "side": side.Key})
			if got != want {
				t.Errorf("%s: side %s counts %d items, the list holds %d", who.Email, side.Key, got, want)
			}
		}
		if !regexp.MustCompile(`class="tag overdue">[^<]*</span>\s*[^<]*<a href="/items/` + fmt.Sprint(overdue.ID) + `">`).MatchString(body) {
			t.Errorf("%s: the overdue milestone of item %d is not listed as overdue", who.Email, overdue.ID)
		}
	}
	if totals[liaison.Email] >= totals[st.User.Email] || totals[liaison.Email] == 0 {
		t.Errorf("the liaison counts %d items, the administrator %d: want a non-empty part", totals[liaison.Email], totals[st.User.Email])
	}
}

// rowCells reads every figure of the dashboard row whose heading links to
// href: the statuses in domain.ItemStatuses order, the lights, the total.
func rowCells(t *testing.T, body, href string) []int {
	t.Helper()
	start := strings.Index(body, `<a href="`+href+`">`)
	if start < 0 {
		t.Fatalf("no dashboard row links to %s", href)
	}
	row := body[start:]
	row = row[:strings.Index(row, "</tr>")]
	var out []int
	for _, c := range numberCell.FindAllStringSubmatch(row, -1) {
		n, _ := strconv.Atoi(strings.ReplaceAll(c[1], ",", ""))
		out = append(out, n)
	}
	return out
}

// TestDashboardAsOfAPastDay: the demo's dashboard on a past day counts what
// had happened by then — at the end of 2022 the six first-batch items,
// decided in September and not yet started, and the consumption festival
// under way; on 12 May 2023 all nine advancing — with the pairings then in
// force; today's view has no "as of" line.
func TestDashboardAsOfAPastDay(t *testing.T) {
	st := mustStartSite(t)
	m, _ := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	total := fmt.Sprintf("/items?mechanism=%d", m.ID)
	notStarted, advancing := 0, 1 // positions in domain.ItemStatuses
	for _, tc := range []struct {
		day                string
		items, ns, adv, pa int
	}{
		{"2022-08-31", 1, 0, 1, 3},
		{"2022-12-31", 7, 6, 1, 3},
		{"2023-05-12", 9, 0, 9, 9},
	} {
		_, body := c.get(fmt.Sprintf("/mechanisms/%d?as_of=%s", m.ID, tc.day))
		if !strings.Contains(body, `id="as-of"`) {
			t.Errorf("%s: the page does not say which day it shows", tc.day)
		}
		cells := rowCells(t, body, total)
		if got := cells[len(cells)-1]; got != tc.items || cells[notStarted] != tc.ns || cells[advancing] != tc.adv {
			t.Errorf("%s: %d items (%d not started, %d advancing), want %d (%d, %d)", tc.day, got, cells[notStarted], cells[advancing], tc.items, tc.ns, tc.adv)
		}
		if got := strings.Count(body, `<tr class="pairing">`); got != tc.pa {
			t.Errorf("%s: %d pairings in force, want %d", tc.day, got, tc.pa)
		}
	}
	_, body := c.get(fmt.Sprintf("/mechanisms/%d", m.ID))
	if strings.Contains(body, `id="as-of"`) {
		t.Error("today's dashboard says it shows a past day")
	}
	if got := rowTotal(t, body, total); got != 9 {
		t.Errorf("today: %d items", got)
	}
}

// decisionLinks reads, in order, the records the dashboard's "需要决策的事项"
// links to.
func decisionLinks(t *testing.T, body string) []string {
	t.Helper()
	start := strings.Index(body, `id="decisions"`)
	if start < 0 {
		t.Fatal("the dashboard has no decisions section")
	}
	section := body[start:]
	section = section[:strings.Index(section, "</section>")]
	var out []string
	for _, m := range regexp.MustCompile(`<a href="(/(?:problems|items)/\d+)">`).FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestDashboardRanksWhatNeedsADecision: on the demo data with problems at
// the decision tier, red items and overdue milestones added, the dashboard
// lists at most five things needing a decision — the problems past their
// time limit (most late first), the other decision-tier problems, the red
// items, then the overdue milestones — each linking to its record; a
// district liaison sees only the records of its unit, in the same order.
// Since the last meeting, each sees the new problem, the new red item and
// the reports submitted on the items it may read.
func TestDashboardRanksWhatNeedsADecision(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		wenjiang, banan := st.orgID(t, "温江区人民政府"), st.orgID(t, "巴南区人民政府")
		ours := []domain.ResponsibleUnit{{Side: "chengdu", OrganizationID: wenjiang}, {Side: "chongqing", OrganizationID: banan}}
		theirs := []domain.ResponsibleUnit{{Side: "chongqing", OrganizationID: banan}}
		day := func(d int) domain.Date { return domain.Date{Time: time.Date(2024, 11, 26+d, 0, 0, 0, 0, time.UTC)} }
		problem := func(title string, due domain.Date, who []domain.ResponsibleUnit) string {
			p := &domain.Problem{MechanismID: m.ID, Title: title, Tier: domain.Decision, Status: domain.ProblemOpen, DueOn: due, Responsible: who}
			if err := st.Store.Problems.Create(ctx, domain.Actor{}, p); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/problems/%d", p.ID)
		}
		item := func(title string, light domain.Light, parties []domain.Party, ms ...domain.Milestone) string {
			it := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: title, Status: domain.Advancing, Light: light, Parties: parties, Milestones: ms}
			if err := st.Store.Items.Create(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/items/%d", it.ID)
		}
		both := []domain.Party{{Side: "chengdu", OrganizationID: wenjiang, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}
		notOurs := []domain.Party{{Side: "chengdu", OrganizationID: st.orgID(t, "成都市经济和信息化局"), Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: banan, Role: domain.LeadUnit}}
		onTime := problem("待决：跨市医保结算口径", day(20), theirs)
		lateLittle := problem("待决：两地公交互通票价", day(-2), ours)
		lateMost := problem("待决：共建园区用地指标", day(-10), ours)
		red := item("红灯：联合实验室建设", domain.Red, both)
		redNotOurs := item("红灯：产业基金设立", domain.Red, notOurs)
		milestone := item("节点逾期：数据共享平台", domain.Green, both, domain.Milestone{Title: "完成平台联调", DueOn: day(-3)})
		report := func(itemLink string, unit int64) {
			id, _ := strconv.ParseInt(strings.TrimPrefix(itemLink, "/items/"), 10, 64)
			r := &domain.Report{ItemID: id, OrganizationID: unit, Period: "2024-11", Text: "已完成选址。", Percent: 20, Status: domain.Submitted}
			if err := st.Store.Reports.Create(ctx, domain.Actor{}, r); err != nil {
				t.Fatal(err)
			}
		}
		report(red, wenjiang)
		report(redNotOurs, st.orgID(t, "成都市经济和信息化局"))

		liaison, liaisonClient := st.inboxUser(t, "decide-liaison@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: wenjiang})
		admin := st.client(t)
		admin.signIn(st.User.Email, testPassword)
		for _, tc := range []struct {
			who  *domain.User
			c    *client
			want []string
			// hidden are records the viewer may not read: not on its page.
			hidden []string
			// reports submitted since the last meeting that the viewer reads
			reports int
		}{
			// Five at most: the overdue milestone is the sixth.
			{st.User, admin, []string{lateMost, lateLittle, onTime, red, redNotOurs}, nil, 2},
			{liaison, liaisonClient, []string{lateMost, lateLittle, red, milestone}, []string{onTime, redNotOurs}, 1},
		} {
			res, body := tc.c.get(fmt.Sprintf("/mechanisms/%d", m.ID))
			if res.StatusCode != 200 {
				t.Fatalf("%s: dashboard %d", tc.who.Email, res.StatusCode)
			}
			got := decisionLinks(t, body)
			if tc.who == st.User && len(got) == 5 && got[3] == redNotOurs && got[4] == red {
				got[3], got[4] = got[4], got[3] // the two red items in either order
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: needing a decision %v, want %v", tc.who.Email, got, tc.want)
			}
			for _, h := range tc.hidden {
				if strings.Contains(body, `href="`+h+`"`) {
					t.Errorf("%s: the dashboard links to %s, which the viewer may not read", tc.who.Email, h)
				}
			}
			since := body[strings.Index(body, `id="since"`):]
			since = since[:strings.Index(since, "</section>")]
			if !strings.Contains(since, `href="`+lateMost+`"`) || !strings.Contains(since, `href="`+red+`"`) {
				t.Errorf("%s: since the last meeting does not list the new problem and the new red item", tc.who.Email)
			}
			reports := since[strings.Index(since, `id="since-reports"`):]
			if got, want := strings.Count(reports, "<li>"), tc.reports; got != want {
				t.Errorf("%s: %d reports submitted since the last meeting, want %d", tc.who.Email, got, want)
			}
		}
	})
}

// TestDashboardIndicatorFigures: an indicator with one value observed is a
// figure, with no chart element; one with several is a chart with its
// target as a marked line.
func TestDashboardIndicatorFigures(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, _ := st.workingGroup(t)
		target := 60.0
		series := &domain.Indicator{MechanismID: m.ID, Name: "共建产业园区", Unit: "个", Scope: "成渝", Target: &target,
			Values: []domain.IndicatorValue{{ObservedOn: domain.MustDate("2023-06-30"), Value: 21}, {ObservedOn: domain.MustDate("2024-06-30"), Value: 38}}}
		if err := st.Store.Indicators.Create(ctx, domain.Actor{}, series); err != nil {
			t.Fatal(err)
		}
		single, err := store.AllAs(ctx, st.Store.Indicators, domain.ListQuery{Filters: map[string]string{"q": "互认检验项目"}})
		if err != nil || len(single) != 1 || len(single[0].Values) != 1 {
			t.Fatalf("the demo's indicator 互认检验项目: %v, %d found", err, len(single))
		}
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		_, body := c.get(fmt.Sprintf("/mechanisms/%d", m.ID))
		one := fmt.Sprintf("indicator-%d", single[0].ID)
		if !strings.Contains(body, `<li class="indicator indicator-figure" id="`+one+`">`) || !regexp.MustCompile(`<p class="figure-value">45 <span class="unit">项</span>`).MatchString(body) {
			t.Errorf("the single-value indicator is not shown as a figure of 45 项")
		}
		if strings.Contains(body, `data-chart="`+one+`-data"`) {
			t.Errorf("the single-value indicator has a chart")
		}
		many := fmt.Sprintf("indicator-%d", series.ID)
		if !strings.Contains(body, `data-chart="`+many+`-data"`) {
			t.Fatalf("the indicator with two values has no chart")
		}
		data := body[strings.Index(body, `id="`+many+`-data"`):]
		data = data[:strings.Index(data, "</script>")]
		if !strings.Contains(data, `"markLine"`) || !strings.Contains(data, `"yAxis":60`) {
			t.Errorf("the indicator's chart does not mark its target: %s", data)
		}
	})
}
