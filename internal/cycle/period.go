// Package cycle keeps the rhythm of a mechanism: its reporting periods
// (calendar months or quarters in its time zone), which reports each item
// expects in a period and which are in or late, the recomputation of the
// items' traffic lights and the problems past their tier's time limit.
//
// Who must report: for every item of the mechanism that is not archived and
// is not started or advancing, the lead unit of each side; cooperating units
// too when the mechanism's rules set cooperating_units_report. Items whose
// start date is after the period or whose end date is before it expect no
// report. A report is in when a submitted report for the item, unit and
// period exists; a missing one is late once the period's end plus the
// mechanism's grace days has passed, and pending before.
package cycle

import (
	"fmt"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// Period is a reporting period: a month (2023-05) or a quarter (2023-Q2).
type Period struct {
	Key   string      `json:"key"`
	Start domain.Date `json:"start"` // first day
	End   domain.Date `json:"end"`   // last day
}

// ParsePeriod reads a period key. Errors: Invalid.
func ParsePeriod(key string) (Period, error) {
	if !domain.ValidPeriod(key) {
		return Period{}, domain.Errorf(domain.Invalid, "%q is not a period such as 2023-05 or 2023-Q2", key)
	}
	y, _ := strconv.Atoi(key[:4])
	if key[5] == 'Q' {
		q := int(key[6] - '0')
		start := domain.NewDate(y, time.Month(3*q-2), 1)
		return Period{Key: key, Start: start, End: domain.Date{Time: start.AddDate(0, 3, -1)}}, nil
	}
	m, _ := strconv.Atoi(key[5:])
	start := domain.NewDate(y, time.Month(m), 1)
	return Period{Key: key, Start: start, End: domain.Date{Time: start.AddDate(0, 1, -1)}}, nil
}

// Of returns the period of cadence c that holds day d.
func Of(c domain.Cadence, d domain.Date) Period {
	key := fmt.Sprintf("%04d-%02d", d.Year(), int(d.Month()))
	if c == domain.Quarterly {
		key = fmt.Sprintf("%04d-Q%d", d.Year(), (int(d.Month())+2)/3)
	}
	p, _ := ParsePeriod(key)
	return p
}

// Today is the civil date of now in the mechanism's time zone.
func Today(m *domain.Mechanism, now time.Time) domain.Date { return m.Today(now) }

// Current returns the mechanism's period that holds now, in its time zone.
func Current(m *domain.Mechanism, now time.Time) Period { return Of(m.Cadence, Today(m, now)) }

// Previous returns the period before p.
func (p Period) Previous() Period {
	c := domain.Monthly
	if p.Key[5] == 'Q' {
		c = domain.Quarterly
	}
	return Of(c, domain.Date{Time: p.Start.AddDate(0, 0, -1)})
}

// Next returns the period after p.
func (p Period) Next() Period {
	c := domain.Monthly
	if p.Key[5] == 'Q' {
		c = domain.Quarterly
	}
	return Of(c, domain.Date{Time: p.End.AddDate(0, 0, 1)})
}

// Due is the last day a report for p is on time: its end plus grace days.
func (p Period) Due(rules domain.Rules) domain.Date {
	return domain.Date{Time: p.End.AddDate(0, 0, rules.Effective().GraceDays)}
}

// Between lists the periods of cadence c whose last day falls in the civil
// days from..to, both included, oldest first.
func Between(c domain.Cadence, from, to domain.Date) []Period {
	var out []Period
	for p := Of(c, from); !to.Before(p.Start); p = p.Next() {
		if !p.End.Before(from) && !to.Before(p.End) {
			out = append(out, p)
		}
	}
	return out
}
