package web

import (
	"fmt"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// zoneOf returns a mechanism's time zone; periods and deadlines are its
// calendar's, not the server's.
func zoneOf(m *domain.Mechanism) *time.Location {
	if m != nil && m.TimeZone != "" {
		if l, err := time.LoadLocation(m.TimeZone); err == nil {
			return l
		}
	}
	return shanghai
}

// currentPeriod names the reporting period that contains now in the
// mechanism's zone: 2026-11 for a monthly cadence, 2026-Q4 for quarterly.
func currentPeriod(m *domain.Mechanism, now time.Time) string {
	n := now.In(zoneOf(m))
	if m != nil && m.Cadence == domain.Quarterly {
		return fmt.Sprintf("%d-Q%d", n.Year(), (int(n.Month())-1)/3+1)
	}
	return n.Format("2006-01")
}

// today is the civil date of now in the mechanism's zone.
func today(m *domain.Mechanism, now time.Time) domain.Date {
	n := now.In(zoneOf(m))
	return domain.NewDate(n.Year(), n.Month(), n.Day())
}
