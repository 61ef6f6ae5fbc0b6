package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

var reportsOnDashboard = regexp.MustCompile(`<span id="reports-submitted">([\d,]+)</span> / ([\d,]+)`)

// owedCount is what one surface says of the reports owed this period.
type owedCount struct{ expected, in, missing int }

// TestReportsOwedAgreeOnEverySurface: the dashboard, the API's current
// period and the reminders count the reports owed this period by one rule,
// so they give the same answer — on the demo as loaded, and after an item
// whose dates ended before the period, cooperating units that must report
// and a report submitted each move some of the figures.
func TestReportsOwedAgreeOnEverySurface(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		st := mustStartSiteOn(t, s)
		ctx := context.Background()
		m, batch := st.workingGroup(t)
		token, _, err := s.CreateToken(ctx, domain.Actor{}, st.User.ID, "cycle test")
		if err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)

		fromDashboard := func() owedCount {
			t.Helper()
			res, body := c.get(fmt.Sprintf("/mechanisms/%d", m.ID))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("dashboard: %d", res.StatusCode)
			}
			f := reportsOnDashboard.FindStringSubmatch(body)
			if f == nil {
				t.Fatal("the dashboard shows no reports figure")
			}
			in, _ := strconv.Atoi(strings.ReplaceAll(f[1], ",", ""))
			expected, _ := strconv.Atoi(strings.ReplaceAll(f[2], ",", ""))
			section := body[strings.Index(body, `id="reports-missing"`):]
			section = section[:strings.Index(section, "</section>")]
			return owedCount{expected: expected, in: in, missing: strings.Count(section, "<li>")}
		}
		fromAPI := func() owedCount {
			t.Helper()
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/mechanisms/%d/periods/current", st.URL, m.ID), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got struct{ Expected, In, Late, Pending int }
			if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&got) != nil {
				t.Fatalf("periods/current: %d", res.StatusCode)
			}
			return owedCount{expected: got.Expected, in: got.In, missing: got.Late + got.Pending}
		}
		fromReminders := func() int {
			t.Helper()
			rs, err := notify.Reminders(ctx, s, store.MechanismClock{ID: m.ID, Name: m.Name, TimeZone: m.TimeZone, Cadence: m.Cadence}, testNow, 10, 7)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range rs {
				if r.Kind == "report_due" {
					n++
				}
			}
			return n
		}
		agree := func(stage string) owedCount {
			t.Helper()
			page, api, reminders := fromDashboard(), fromAPI(), fromReminders()
			if page != api {
				t.Errorf("%s: the dashboard says %+v, the API %+v", stage, page, api)
			}
			if reminders != api.missing {
				t.Errorf("%s: %d report reminders, the API counts %d missing", stage, reminders, api.missing)
			}
			if api.expected != api.in+api.missing {
				t.Errorf("%s: %+v does not add up", stage, api)
			}
			return api
		}

		before := agree("demo as loaded")

		lead := func(side, unit string) domain.Party {
			return domain.Party{Side: side, OrganizationID: st.orgID(t, unit), Role: domain.LeadUnit}
		}
		ended := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "上半年已结束的事项", Status: domain.Advancing,
			EndOn:   domain.Date{Time: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)},
			Parties: []domain.Party{lead("chengdu", "温江区人民政府"), lead("chongqing", "巴南区人民政府")}}
		running := &domain.Item{MechanismID: m.ID, BatchID: batch.ID, Title: "本期在办的事项", Status: domain.Advancing,
			Parties: []domain.Party{lead("chengdu", "温江区人民政府"), lead("chongqing", "巴南区人民政府"),
				{Side: "chongqing", OrganizationID: st.orgID(t, "渝中区人民政府"), Role: domain.CooperatingUnit}}}
		for _, it := range []*domain.Item{ended, running} {
			if err := s.Items.Create(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
		}
		m.Rules.CooperatingUnitsReport = true
		if err := s.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
		report := &domain.Report{ItemID: running.ID, OrganizationID: running.Parties[0].OrganizationID, Period: "2024-11",
			Text: "已完成选址。", Percent: 20, Status: domain.Submitted}
		if err := s.Reports.Create(ctx, domain.Actor{}, report); err != nil {
			t.Fatal(err)
		}

		after := agree("an ended item, cooperating units reporting, one report in")
		// The running item owes three reports (two leads, one cooperating
		// unit), one of them in; the ended item owes none.
		if after.expected < before.expected+3 || after.in != before.in+1 {
			t.Errorf("expected %d → %d and in %d → %d; want at least +3 expected and +1 in", before.expected, after.expected, before.in, after.in)
		}
	})
}

// TestEscalationFromThePageIsTheStoresEscalation: escalating a problem on
// its page takes the same step as the API — the escalation kept with its
// note, the due date of the new tier, the problem on the agenda of the next
// meeting at that tier — not just a changed tier. The working group sits at
// the coordination tier, so its problems go up to the provinces' joint
// meeting, whose tenth session follows the fixed clock.
func TestEscalationFromThePageIsTheStoresEscalation(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		st := mustStartSiteOn(t, s)
		ctx := context.Background()
		m, _ := st.workingGroup(t)
		raise := func(title string) *domain.Problem {
			p := &domain.Problem{MechanismID: m.ID, Title: title, Tier: domain.Coordination, Status: domain.ProblemOpen}
			if err := s.Problems.Create(ctx, domain.Actor{}, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		byPage, byAPI := raise("跨省审批材料互认"), raise("跨省数据接口标准不一")

		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		_, page := c.get(fmt.Sprintf("/problems/%d", byPage.ID))
		res, _ := c.post(fmt.Sprintf("/problems/%d/escalate", byPage.ID), url.Values{"csrf": {c.csrf(page)},
			"version": {strconv.FormatInt(byPage.Version, 10)}, "note": {"需决策层研究"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate from the page: %d", res.StatusCode)
		}
		result, err := s.Escalate(ctx, domain.Actor{User: st.User, UserID: st.User.ID}, byAPI.ID, byAPI.Version, "需决策层研究")
		if err != nil {
			t.Fatal(err)
		}

		got, err := s.Problems.Get(ctx, byPage.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := result.Problem
		if len(got.Escalations) != 1 || got.Escalations[0].Note != "需决策层研究" || got.Escalations[0].ToTier != domain.Decision {
			t.Errorf("escalations kept from the page: %+v, want one to the decision tier with its note", got.Escalations)
		}
		if got.Tier != want.Tier || got.DueOn != want.DueOn || got.DueOn.IsZero() {
			t.Errorf("from the page: tier %s due %s; through the store: tier %s due %s", got.Tier, got.DueOn, want.Tier, want.DueOn)
		}
		if result.Meeting == nil {
			t.Fatal("the demo has no meeting to put an escalated problem on; the test needs one")
		}
		mt, err := s.Meetings.Get(ctx, result.Meeting.ID)
		if err != nil {
			t.Fatal(err)
		}
		onAgenda := map[int64]bool{}
		for _, a := range mt.Agenda {
			onAgenda[a.ProblemID] = true
		}
		if !onAgenda[byPage.ID] || !onAgenda[byAPI.ID] {
			t.Errorf("agenda of %s holds problems %v; want both %d (page) and %d (API)", mt.Title, onAgenda, byPage.ID, byAPI.ID)
		}
	})
}
