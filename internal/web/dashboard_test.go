package web

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
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
