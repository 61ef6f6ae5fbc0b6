package light

import (
	"strings"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// FuzzAssess drives the light rules with arbitrary dates, progress and
// thresholds: every assessment is one of the lights and states its reason
// in both languages, and a red light never comes without a cause a
// secretariat can read (a date or a number of points).
func FuzzAssess(f *testing.F) {
	f.Add(int16(-40), int16(200), int16(100), uint8(30), uint8(50), int16(10), int16(30), int16(15), "advancing")
	f.Add(int16(5), int16(0), int16(-3), uint8(0), uint8(100), int16(0), int16(0), int16(0), "not_started")
	f.Add(int16(0), int16(0), int16(0), uint8(255), uint8(0), int16(-5), int16(-5), int16(-5), "completed")
	f.Fuzz(func(t *testing.T, startOff, endOff, dueOff int16, done, percent uint8, yellow, red, blue int16, status string) {
		today := domain.NewDate(2024, time.June, 30)
		day := func(off int16) domain.Date { return domain.Date{Time: today.AddDate(0, 0, int(off))} }
		it := &domain.Item{Record: domain.Record{ID: 1}, Status: domain.ItemStatus(status), StartOn: day(startOff), EndOn: day(endOff),
			Milestones: []domain.Milestone{{ID: 1, Title: "节点", DueOn: day(dueOff)}}}
		if done%2 == 1 {
			it.Milestones[0].DoneOn = day(dueOff - int16(done))
		}
		reports := []*domain.Report{{ItemID: 1, OrganizationID: 1, Period: "2024-06", Percent: int(percent) % 101, Status: domain.Submitted}}
		rules := domain.Rules{YellowBehind: int(yellow), RedBehind: int(red), BlueWithinDays: int(blue)}
		a := Assess(it, reports, today, rules)
		known := false
		for _, l := range domain.Lights {
			known = known || a.Light == l
		}
		if !known {
			t.Fatalf("unknown light %q", a.Light)
		}
		if a.Reason == "" || a.ReasonEN == "" {
			t.Fatalf("light %q without its reason in both languages: %+v", a.Light, a)
		}
		if a.Light == domain.Red && !strings.ContainsAny(a.ReasonEN, "0123456789") {
			t.Fatalf("a red light with no date or figure in its reason: %q", a.ReasonEN)
		}
	})
}
