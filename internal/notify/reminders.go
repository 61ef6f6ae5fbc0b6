package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
	"github.com/liandong/liandong/internal/store"
)

// Reminder is one thing due that someone should hear about. Key names it
// for the uniqueness of its delivery jobs: the same thing due in the same
// period has the same key.
type Reminder struct {
	Key         string `json:"key"`
	MechanismID int64  `json:"mechanism_id"`
	Kind        string `json:"kind"` // report_due, report_returned, milestone_near, problem_overdue, confirmation_waiting
	Subject     string `json:"subject"`
	Text        string `json:"text"`
	// Link is where the reminded unit does what is due: its inbox
	// (我的待办), which lists it with a one-tap link to the form. The
	// delivery makes it absolute when the notifier knows the site's
	// address (Config.SiteURL) and writes it under the text.
	Link string `json:"link,omitempty"`
}

// Body is the text a channel delivers: Text, then the link to the inbox,
// absolute under site when site is known.
func (r Reminder) Body(site string) string {
	if r.Link == "" {
		return r.Text
	}
	return r.Text + "\n请在“我的待办”中办理：" + strings.TrimSuffix(site, "/") + r.Link
}

// Reminders finds what is due in a mechanism at now, in its time zone:
//   - the reports of the current period (a month or a quarter, by the
//     mechanism's cadence) that a lead unit has not submitted, during the
//     period's last reportDays days;
//   - reports the secretariat returned (退回), which their unit is to
//     correct: the unit is told why, until it corrects the report;
//   - milestones not done that fall due within milestoneDays;
//   - open problems past the time limit of their tier;
//   - changes that need both sides (completing an item, changing its parties
//     or milestones) still waiting for a side's confirmation.
func Reminders(ctx context.Context, s *store.Store, clock store.MechanismClock, now time.Time, reportDays, milestoneDays int) ([]Reminder, error) {
	m, err := s.Mechanisms.Get(ctx, clock.ID)
	if err != nil {
		return nil, err
	}
	today := cycle.Today(m, now)
	var out []Reminder

	// What is owed is the cycle's rule, the one the dashboard and the API
	// count by.
	period := cycle.Current(m, now)
	if daysLeft := int(period.End.Sub(today.Time).Hours()/24) + 1; daysLeft < reportDays {
		owed, err := cycle.Status(ctx, s, nil, m, period, today)
		if err != nil {
			return nil, err
		}
		for _, e := range owed.Expectations {
			if e.State == cycle.In {
				continue
			}
			unit, err := s.Organizations.Get(ctx, e.OrganizationID)
			if err != nil {
				return nil, err
			}
			out = append(out, Reminder{
				Key:         fmt.Sprintf("report_due/%s/item-%d/org-%d", period.Key, e.ItemID, e.OrganizationID),
				MechanismID: m.ID, Kind: "report_due",
				Subject: fmt.Sprintf("【%s】请报送%s进展：%s", m.Name, period.Key, e.ItemTitle),
				Text: fmt.Sprintf("%s：事项「%s」%s的%s进展报告尚未报送，本期截止 %s。", unit.Name, e.ItemTitle, numbered(e.ItemNumber),
					period.Key, period.End),
			})
		}
	}

	returned, err := reportsReturned(ctx, s, m)
	if err != nil {
		return nil, err
	}
	out = append(out, returned...)

	ms, err := s.MilestonesDue(ctx, m.ID, today, domain.Date{Time: today.AddDate(0, 0, milestoneDays)})
	if err != nil {
		return nil, err
	}
	for _, d := range ms {
		out = append(out, Reminder{
			Key:         fmt.Sprintf("milestone_near/milestone-%d/%s", d.MilestoneID, d.DueOn),
			MechanismID: m.ID, Kind: "milestone_near",
			Subject: fmt.Sprintf("【%s】节点将到期：%s", m.Name, d.Title),
			Text:    fmt.Sprintf("事项「%s」的节点「%s」将于 %s 到期，尚未完成。", d.ItemTitle, d.Title, d.DueOn),
		})
	}

	overdue, err := cycle.Overdue(ctx, s, m.ID, now)
	if err != nil {
		return nil, err
	}
	for _, o := range overdue {
		p := o.Problem
		out = append(out, Reminder{
			Key:         fmt.Sprintf("problem_overdue/problem-%d/%s/%s", p.ID, p.Tier, p.DueOn),
			MechanismID: m.ID, Kind: "problem_overdue",
			Subject: fmt.Sprintf("【%s】问题已超期：%s", m.Name, p.Title),
			Text:    fmt.Sprintf("问题「%s」在%s层级的办理时限 %s 已过，仍未解决。", p.Title, p.Tier, p.DueOn),
		})
	}

	cs, err := confirmationsWaiting(ctx, s, clock, now)
	if err != nil {
		return nil, err
	}
	out = append(out, cs...)
	// Each reminded unit finds what is due, this and the rest, in one
	// place: its inbox.
	for i := range out {
		out[i].Link = inbox.Path
	}
	return out, nil
}

// confirmationsWaiting reminds the units asked to confirm, for each side
// that has not yet, a change (completing an item, changing its parties or
// milestones) that needs both sides: the side's lead unit, or for a side
// without one the unit the mechanism names (domain.SideConfirmers).
func confirmationsWaiting(ctx context.Context, s *store.Store, m store.MechanismClock, now time.Time) ([]Reminder, error) {
	ids, err := s.ItemsAwaitingConfirmation(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	var mech *domain.Mechanism // read when a side without a lead is awaited
	for _, id := range ids {
		it, err := s.Items.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ch := range it.Pending {
			var units []string
			for _, side := range ch.Awaiting {
				for _, u := range ch.Confirmers[side] {
					if o, err := s.Organizations.Get(ctx, u); err == nil {
						units = append(units, o.Name)
					}
				}
				if len(ch.Confirmers[side]) == 0 {
					// The mechanism names no unit for a side without a
					// lead: its secretariat confirms for that side.
					if mech == nil {
						if mech, err = s.Mechanisms.Get(ctx, m.ID); err != nil {
							return nil, err
						}
					}
					name := side
					if sd := mech.Side(side); sd != nil {
						name = sd.Name
					}
					units = append(units, "秘书处（代"+name+"方）")
				}
			}
			if len(units) == 0 {
				continue
			}
			out = append(out, Reminder{
				Key:         fmt.Sprintf("confirmation_waiting/change-%d", ch.ID),
				MechanismID: m.ID, Kind: "confirmation_waiting",
				Subject: fmt.Sprintf("【%s】待确认：%s", m.Name, it.Title),
				Text: fmt.Sprintf("事项「%s」的变更（%s）于 %s 提出，尚待%s确认。", it.Title, strings.Join(ch.Fields, "、"),
					ch.ProposedAt.Format("2006-01-02"), strings.Join(units, "、")),
			})
		}
	}
	return out, nil
}

// reportsReturned tells the units of the mechanism's returned reports
// that the secretariat sent them back, and why. The key carries the
// report's version, so a report returned again after a correction is told
// again.
func reportsReturned(ctx context.Context, s *store.Store, m *domain.Mechanism) ([]Reminder, error) {
	reps, err := store.All(ctx, s.Reports, map[string]string{"mechanism": strconv.FormatInt(m.ID, 10), "status": string(domain.Returned)}, false)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, r := range reps {
		unit, err := s.Organizations.Get(ctx, r.OrganizationID)
		if err != nil {
			return nil, err
		}
		it, err := s.Items.Get(ctx, r.ItemID)
		if err != nil {
			return nil, err
		}
		out = append(out, Reminder{
			Key:         fmt.Sprintf("report_returned/report-%d/v%d", r.ID, r.Version),
			MechanismID: m.ID, Kind: "report_returned",
			Subject: fmt.Sprintf("【%s】进度报告被退回：%s", m.Name, it.Title),
			Text: fmt.Sprintf("%s：事项「%s」%s的%s进度报告已被工作组办公室退回，原因：%s。请更正后重新报送。", unit.Name, it.Title, numbered(it.Number),
				r.Period, r.ReviewNote),
		})
	}
	return out, nil
}

func numbered(number string) string {
	if number == "" {
		return ""
	}
	return "（" + number + "）"
}
