package cycle

import (
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

func TestPeriods(t *testing.T) {
	shanghai := &domain.Mechanism{TimeZone: "Asia/Shanghai", Cadence: domain.Monthly}
	quarterly := &domain.Mechanism{TimeZone: "Asia/Shanghai", Cadence: domain.Quarterly}
	cases := []struct {
		name       string
		m          *domain.Mechanism
		now        time.Time
		key        string
		start, end string
	}{
		{"MonthInUTC", shanghai, time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC), "2024-05", "2024-05-01", "2024-05-31"},
		{"MonthTurnsFirstInShanghai", shanghai, time.Date(2024, 5, 31, 16, 30, 0, 0, time.UTC), "2024-06", "2024-06-01", "2024-06-30"},
		{"LeapFebruary", shanghai, time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC), "2024-02", "2024-02-01", "2024-02-29"},
		{"Quarter", quarterly, time.Date(2023, 5, 12, 0, 0, 0, 0, time.UTC), "2023-Q2", "2023-04-01", "2023-06-30"},
		{"NewYearInShanghai", quarterly, time.Date(2023, 12, 31, 17, 0, 0, 0, time.UTC), "2024-Q1", "2024-01-01", "2024-03-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Current(c.m, c.now)
			if p.Key != c.key || p.Start.String() != c.start || p.End.String() != c.end {
				t.Errorf("got %s %s..%s, want %s %s..%s", p.Key, p.Start, p.End, c.key, c.start, c.end)
			}
		})
	}
}

func TestPeriodArithmetic(t *testing.T) {
	p, err := ParsePeriod("2024-01")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Previous().Key; got != "2023-12" {
		t.Errorf("previous %s", got)
	}
	q, _ := ParsePeriod("2024-Q4")
	if got := q.Next().Key; got != "2025-Q1" {
		t.Errorf("next %s", got)
	}
	if got := q.Due(domain.Rules{}).String(); got != "2025-01-10" {
		t.Errorf("due with the default 10 grace days: %s", got)
	}
	if got := q.Due(domain.Rules{GraceDays: 3}).String(); got != "2025-01-03" {
		t.Errorf("due with 3 grace days: %s", got)
	}
	var keys []string
	for _, p := range Between(domain.Monthly, domain.MustDate("2024-01-11"), domain.MustDate("2024-04-30")) {
		keys = append(keys, p.Key)
	}
	if got := len(keys); got != 4 || keys[0] != "2024-01" || keys[3] != "2024-04" {
		t.Errorf("between: %v", keys)
	}
	if _, err := ParsePeriod("2024-13"); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("2024-13: %v", err)
	}
}

func TestExpect(t *testing.T) {
	m := &domain.Mechanism{Cadence: domain.Monthly, TimeZone: "Asia/Shanghai"}
	parties := []domain.Party{{Side: "a", OrganizationID: 1, Role: domain.LeadUnit}, {Side: "a", OrganizationID: 2, Role: domain.CooperatingUnit},
		{Side: "b", OrganizationID: 3, Role: domain.LeadUnit}}
	items := []*domain.Item{
		{Record: domain.Record{ID: 1}, Title: "推进中", Status: domain.Advancing, Parties: parties},
		{Record: domain.Record{ID: 2}, Title: "已完成", Status: domain.Completed, Parties: parties},
		{Record: domain.Record{ID: 3}, Title: "尚未开始", Status: domain.NotStarted, StartOn: domain.MustDate("2024-06-01"), Parties: parties},
		{Record: domain.Record{ID: 4}, Title: "已结束", Status: domain.Advancing, EndOn: domain.MustDate("2024-04-30"), Parties: parties},
	}
	early, late := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 20, 0, 0, 0, 0, time.UTC)
	withSubmitted := func(at *time.Time) []*domain.Report {
		return []*domain.Report{
			{Record: domain.Record{ID: 7}, ItemID: 1, OrganizationID: 1, Period: "2024-05", Percent: 40, Status: domain.Submitted, SubmittedAt: at},
			{Record: domain.Record{ID: 8}, ItemID: 1, OrganizationID: 3, Period: "2024-05", Status: domain.Draft},
			{Record: domain.Record{ID: 9}, ItemID: 1, OrganizationID: 3, Period: "2024-04", Status: domain.Submitted},
		}
	}
	reports := withSubmitted(&early)
	p, _ := ParsePeriod("2024-05")
	t.Run("LeadsOnlyByDefault", func(t *testing.T) {
		st := Expect(m, items, reports, p, domain.MustDate("2024-06-05"))
		if st.Expected != 2 || st.In != 1 || st.Pending != 1 || st.Late != 0 {
			t.Fatalf("%+v", st)
		}
		if e := st.Expectations[0]; e.ReportID != 7 || e.SubmittedLate || e.Percent != 40 {
			t.Errorf("the report in, submitted before the due day: %+v", e)
		}
	})
	t.Run("SubmittedLate", func(t *testing.T) {
		st := Expect(m, items, withSubmitted(&late), p, domain.MustDate("2024-06-25"))
		if e := st.Expectations[0]; st.In != 1 || e.ReportID != 7 || !e.SubmittedLate {
			t.Errorf("the report in, submitted after the due day: %+v", st)
		}
	})
	// On a day before a report was submitted it is not in yet: a pack or a
	// dashboard of a past day counts what had come in by then.
	t.Run("NotInBeforeItIsSubmitted", func(t *testing.T) {
		st := Expect(m, items, withSubmitted(&late), p, domain.MustDate("2024-06-15"))
		if st.In != 0 || st.Late != 2 {
			t.Errorf("on 15 June, a report submitted on the 20th: %+v", st)
		}
	})
	t.Run("LateAfterGrace", func(t *testing.T) {
		st := Expect(m, items, reports, p, domain.MustDate("2024-06-11"))
		if st.Late != 1 || st.Expectations[1].State != Late || st.Expectations[1].OrganizationID != 3 {
			t.Fatalf("%+v", st)
		}
	})
	t.Run("CooperatingUnitsWhenConfigured", func(t *testing.T) {
		mc := *m
		mc.Rules.CooperatingUnitsReport = true
		if st := Expect(&mc, items, reports, p, domain.MustDate("2024-06-11")); st.Expected != 3 || st.Late != 2 {
			t.Fatalf("%+v", st)
		}
	})
}

// TestReturnedReportIsNotIn: a report the secretariat returned (退回) is
// still owed, and the period's status says it was returned and why; an
// accepted one is in.
func TestReturnedReportIsNotIn(t *testing.T) {
	m := &domain.Mechanism{Cadence: domain.Monthly, TimeZone: "Asia/Shanghai"}
	items := []*domain.Item{{Record: domain.Record{ID: 1}, Title: "推进中", Status: domain.Advancing,
		Parties: []domain.Party{{Side: "a", OrganizationID: 1, Role: domain.LeadUnit}, {Side: "b", OrganizationID: 3, Role: domain.LeadUnit}}}}
	reports := []*domain.Report{
		{Record: domain.Record{ID: 7}, ItemID: 1, OrganizationID: 1, Period: "2024-05", Status: domain.Returned, ReviewNote: "缺少投资数据"},
		{Record: domain.Record{ID: 8}, ItemID: 1, OrganizationID: 3, Period: "2024-05", Status: domain.Accepted,
			Corrections: []domain.ReportCorrection{{Version: 2, Reason: "更正口径"}}},
	}
	p, _ := ParsePeriod("2024-05")
	st := Expect(m, items, reports, p, domain.MustDate("2024-06-20"))
	if st.In != 1 || st.Late != 1 {
		t.Fatalf("in %d late %d, want the accepted report in and the returned one late", st.In, st.Late)
	}
	ret, acc := st.Expectations[0], st.Expectations[1]
	if ret.State != Late || ret.ReportID != 7 || ret.Review != domain.Returned || ret.ReviewNote != "缺少投资数据" {
		t.Errorf("the returned report: %+v", ret)
	}
	if acc.State != In || acc.Review != domain.Accepted || acc.Corrections != 1 {
		t.Errorf("the accepted report: %+v", acc)
	}
	if got := InFilter(); got != "submitted,accepted" {
		t.Errorf("InFilter = %q", got)
	}
}
