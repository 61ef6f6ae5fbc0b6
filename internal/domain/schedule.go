package domain

import "time"

// Quarters returns the schedule's four texts, Q1 first.
func (s Schedule) Quarters() [4]string { return [4]string{s.Q1, s.Q2, s.Q3, s.Q4} }

// QuarterEnd is the last day of quarter q (1 to 4) of year.
func QuarterEnd(year, q int) Date {
	return Date{time.Date(year, time.Month(3*q+1), 0, 0, 0, 0, 0, time.UTC)}
}

// QuarterOf returns the quarter (1 to 4) day falls in.
func QuarterOf(day Date) int { return (int(day.Month())-1)/3 + 1 }

// ScheduleYear is the year an item's quarterly schedule is for on today:
// this year while the item runs, else the year of its start (not begun) or
// of its end (over). A ledger's schedule is the plan of its year.
func (it *Item) ScheduleYear(today Date) int {
	y := today.Year()
	if !it.EndOn.IsZero() && it.EndOn.Year() < y {
		y = it.EndOn.Year()
	}
	if !it.StartOn.IsZero() && it.StartOn.Year() > y {
		y = it.StartOn.Year()
	}
	return y
}

// ScheduledQuarter returns the quarter (1 to 4) of the item's schedule that
// m was derived from — its title is the quarter's text and it is due on the
// quarter's last day — or 0.
func (it *Item) ScheduledQuarter(m Milestone) int {
	for i, text := range it.Schedule.Quarters() {
		if text != "" && m.Title == text && m.DueOn.Equal(QuarterEnd(m.DueOn.Year(), i+1).Time) {
			return i + 1
		}
	}
	return 0
}

// DeriveMilestones returns the milestones the item's schedule adds for its
// year (ScheduleYear on today): one per quarter with a text, titled with
// it and due on the quarter's last day, leaving out those already among its
// milestones. Adding them is a change of the item's milestones, so it
// follows the two-side rule like any.
func (it *Item) DeriveMilestones(today Date) []Milestone {
	year := it.ScheduleYear(today)
	var out []Milestone
	for i, text := range it.Schedule.Quarters() {
		if text == "" {
			continue
		}
		m := Milestone{Title: text, DueOn: QuarterEnd(year, i+1)}
		derived := false
		for _, have := range it.Milestones {
			derived = derived || (have.Title == m.Title && have.DueOn.Equal(m.DueOn.Time))
		}
		if !derived {
			out = append(out, m)
		}
	}
	return out
}
