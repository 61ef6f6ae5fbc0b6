package cycle

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// ReportState says where an expected report stands.
type ReportState string

// The report states.
const (
	In      ReportState = "in"      // submitted
	Late    ReportState = "late"    // missing after the period's end plus grace days
	Pending ReportState = "pending" // missing, still in time
)

// Counted reports whether r counts as in for its period: submitted or
// accepted (domain.Report.In). A returned report (退回) is not in — its unit
// still owes the period's report until it corrects it — and the period's
// status says it was returned beside the report still owed.
func Counted(r *domain.Report) bool { return r.In() }

// InFilter is the reports list's status filter selecting the reports that
// may count as in (Counted), for readers that fetch only those.
func InFilter() string {
	var in []string
	for _, st := range domain.ReportStatuses {
		if (&domain.Report{Status: st}).In() {
			in = append(in, string(st))
		}
	}
	return strings.Join(in, ",")
}

// Expectation is one report an item expects from one unit in a period.
type Expectation struct {
	ItemID         int64            `json:"item_id"`
	ItemNumber     string           `json:"item_number"`
	ItemTitle      string           `json:"item_title"`
	OrganizationID int64            `json:"organization_id"`
	Side           string           `json:"side"`
	Role           domain.PartyRole `json:"role"`
	State          ReportState      `json:"state"`
	ReportID       int64            `json:"report_id,omitempty"`
	Percent        int              `json:"percent,omitempty"`
	// SubmittedLate is set for a report that came in after the due day.
	SubmittedLate bool `json:"submitted_late,omitempty"`
	// Review is the secretariat's review of the report: accepted, or
	// returned with ReviewNote as the reason (a returned report is not in).
	Review     domain.ReportStatus `json:"review,omitempty"`
	ReviewNote string              `json:"review_note,omitempty"`
	// Corrections is how many times the report was corrected after
	// submission.
	Corrections int `json:"corrections,omitempty"`
}

// PeriodStatus is the state of reporting in one period of a mechanism.
type PeriodStatus struct {
	MechanismID  int64         `json:"mechanism_id"`
	Period       Period        `json:"period"`
	Due          domain.Date   `json:"due"`
	Expected     int           `json:"expected"`
	In           int           `json:"in"`
	Late         int           `json:"late"`
	Pending      int           `json:"pending"`
	Expectations []Expectation `json:"expectations"`
}

// Expect computes which reports items expect in period p and which are in,
// late or pending on day today. items and reports are the mechanism's; the
// reports may be of any period.
func Expect(m *domain.Mechanism, items []*domain.Item, reports []*domain.Report, p Period, today domain.Date) PeriodStatus {
	due := p.Due(m.Rules)
	st := PeriodStatus{MechanismID: m.ID, Period: p, Due: due, Expectations: []Expectation{}}
	type key struct{ item, org int64 }
	got, returned := map[key]*domain.Report{}, map[key]*domain.Report{}
	for _, r := range reports {
		// On day today, a report submitted later is not in yet: a pack or a
		// dashboard of a past day counts what had come in by then.
		if r.SubmittedAt != nil {
			sub := r.SubmittedAt.In(m.Location())
			if today.Before(domain.NewDate(sub.Year(), sub.Month(), sub.Day())) {
				continue
			}
		}
		switch {
		case r.Period != p.Key || r.ArchivedAt != nil:
			// another period's, or archived: neither in nor returned
		case Counted(r):
			got[key{r.ItemID, r.OrganizationID}] = r
		case r.Status == domain.Returned:
			returned[key{r.ItemID, r.OrganizationID}] = r
		}
	}
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(a, b *domain.Item) int { return int(a.ID - b.ID) })
	for _, it := range sorted {
		if !Reporting(it, p) {
			continue
		}
		for _, pt := range it.Parties {
			if pt.Role != domain.LeadUnit && !m.Rules.CooperatingUnitsReport {
				continue
			}
			e := Expectation{ItemID: it.ID, ItemNumber: it.Number, ItemTitle: it.Title, OrganizationID: pt.OrganizationID, Side: pt.Side, Role: pt.Role}
			if r, ok := got[key{it.ID, pt.OrganizationID}]; ok {
				e.State, e.ReportID, e.Percent, e.Corrections = In, r.ID, r.Percent, len(r.Corrections)
				if r.Status == domain.Accepted {
					e.Review = r.Status
				}
				if r.SubmittedAt != nil {
					sub := r.SubmittedAt.In(m.Location())
					e.SubmittedLate = due.Before(domain.NewDate(sub.Year(), sub.Month(), sub.Day()))
				}
				st.In++
			} else {
				if r, ok := returned[key{it.ID, pt.OrganizationID}]; ok {
					e.ReportID, e.Review, e.ReviewNote, e.Corrections = r.ID, r.Status, r.ReviewNote, len(r.Corrections)
				}
				if due.Before(today) {
					e.State = Late
					st.Late++
				} else {
					e.State = Pending
					st.Pending++
				}
			}
			st.Expected++
			st.Expectations = append(st.Expectations, e)
		}
	}
	return st
}

// Reporting reports whether it owes reports for period p: it is not
// archived, not started or advancing, its dates (when set) overlap p, and
// it was recorded before p was over. An item entered with its past (decided
// in 2022, recorded in 2026) owed the reports of 2022 to whoever kept them
// then, not to Liandong: a period that ended before the record existed is
// not counted as missing, whatever day the item is said to have begun.
func Reporting(it *domain.Item, p Period) bool {
	if it.ArchivedAt != nil || (it.Status != domain.NotStarted && it.Status != domain.Advancing) {
		return false
	}
	if !it.CreatedAt.IsZero() && !it.CreatedAt.Before(p.End.AddDate(0, 0, 1)) {
		return false
	}
	if !it.StartOn.IsZero() && p.End.Before(it.StartOn) {
		return false
	}
	return it.EndOn.IsZero() || !it.EndOn.Before(p.Start)
}

// CurrentStatus reads the mechanism's items and reports and returns the
// reporting state of its current period at now; period, when not empty,
// picks another period. Errors: NotFound, Invalid (a malformed period).
func CurrentStatus(ctx context.Context, s *store.Store, mechanismID int64, period string, now time.Time) (PeriodStatus, error) {
	m, err := s.Mechanisms.Get(ctx, mechanismID)
	if err != nil {
		return PeriodStatus{}, err
	}
	p := Current(m, now)
	if period != "" {
		if p, err = ParsePeriod(period); err != nil {
			return PeriodStatus{}, &domain.Error{Code: domain.Invalid, Message: "the period is malformed",
				Fields: []domain.FieldError{{Field: "period", Reason: "must be a month such as 2023-05 or a quarter such as 2023-Q2"}}}
		}
	}
	return Status(ctx, s, nil, m, p, Today(m, now))
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// Status is the one reading of what is owed in a period that every surface
// shares — the dashboard, the API's current period, the reminders and the
// packs' tables — so they cannot count differently. It reads, as viewer sees
// them (nil: the system, everything), the mechanism's items that may owe
// reports and the reports submitted for period p, and returns which reports
// are in, late or pending on today; a returned report is read too, to say
// so beside the report still owed.
func Status(ctx context.Context, s *store.Store, viewer *domain.User, m *domain.Mechanism, p Period, today domain.Date) (PeriodStatus, error) {
	var items []*domain.Item
	for _, status := range []domain.ItemStatus{domain.NotStarted, domain.Advancing} {
		some, err := store.AllAs(ctx, s.Items, domain.ListQuery{Viewer: viewer,
			Filters: map[string]string{"mechanism": id(m.ID), "status": string(status)}})
		if err != nil {
			return PeriodStatus{}, err
		}
		items = append(items, some...)
	}
	reports, err := store.AllAs(ctx, s.Reports, domain.ListQuery{Viewer: viewer,
		Filters: map[string]string{"mechanism": id(m.ID), "period": p.Key, "status": InFilter() + "," + string(domain.Returned)}})
	if err != nil {
		return PeriodStatus{}, err
	}
	return Expect(m, items, reports, p, today), nil
}
