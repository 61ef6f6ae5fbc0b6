package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Reminder is one thing due that someone should hear about. Key names it
// for the uniqueness of its delivery jobs: the same thing due in the same
// period has the same key.
type Reminder struct {
	Key         string `json:"key"`
	MechanismID int64  `json:"mechanism_id"`
	Kind        string `json:"kind"` // report_due, milestone_near, problem_overdue, confirmation_waiting
	Subject     string `json:"subject"`
	Text        string `json:"text"`
}

// Reminders finds what is due in a mechanism at now, in its time zone:
//   - the reports of the current period (a month or a quarter, by the
//     mechanism's cadence) that a lead unit has not submitted, during the
//     period's last reportDays days;
//   - milestones not done that fall due within milestoneDays;
//   - open problems past the time limit of their tier;
//   - changes that need both sides (completing an item, changing its parties
//     or milestones) still waiting for a side's confirmation.
func Reminders(ctx context.Context, s *store.Store, m store.MechanismClock, now time.Time, reportDays, milestoneDays int) ([]Reminder, error) {
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil || m.TimeZone == "" {
		loc, _ = time.LoadLocation("Asia/Shanghai")
	}
	local := now.In(loc)
	today := domain.NewDate(local.Year(), local.Month(), local.Day())
	var out []Reminder

	period, end := currentPeriod(local, m.Cadence)
	if daysLeft := int(end.Sub(today.Time).Hours() / 24); daysLeft < reportDays {
		due, err := s.ReportsDue(ctx, m.ID, period)
		if err != nil {
			return nil, err
		}
		for _, d := range due {
			out = append(out, Reminder{
				Key:         fmt.Sprintf("report_due/%s/item-%d/org-%d", period, d.ItemID, d.OrganizationID),
				MechanismID: m.ID, Kind: "report_due",
				Subject: fmt.Sprintf("【%s】请报送%s进展：%s", m.Name, period, d.ItemTitle),
				Text: fmt.Sprintf("%s：事项「%s」%s的%s进展报告尚未报送，本期截止 %s。", d.Organization, d.ItemTitle, numbered(d.ItemNumber),
					period, end.AddDate(0, 0, -1).Format("2006-01-02")),
			})
		}
	}

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

	ps, err := s.ProblemsOverdue(ctx, m.ID, today)
	if err != nil {
		return nil, err
	}
	for _, d := range ps {
		out = append(out, Reminder{
			Key:         fmt.Sprintf("problem_overdue/problem-%d/%s/%s", d.ID, d.Tier, d.DueOn),
			MechanismID: m.ID, Kind: "problem_overdue",
			Subject: fmt.Sprintf("【%s】问题已超期：%s", m.Name, d.Title),
			Text:    fmt.Sprintf("问题「%s」在%s层级的办理时限 %s 已过，仍未解决。", d.Title, d.Tier, d.DueOn),
		})
	}

	cs, err := confirmationsWaiting(ctx, s, m)
	if err != nil {
		return nil, err
	}
	return append(out, cs...), nil
}

// confirmationsWaiting reminds the lead units of the sides that have not
// yet confirmed a change (completing an item, changing its parties or
// milestones) that needs both sides.
func confirmationsWaiting(ctx context.Context, s *store.Store, m store.MechanismClock) ([]Reminder, error) {
	ids, err := s.ItemsAwaitingConfirmation(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, id := range ids {
		it, err := s.Items.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ch := range it.Pending {
			var units []string
			for _, side := range ch.Awaiting {
				if o, err := s.Organizations.Get(ctx, it.Lead(side)); err == nil {
					units = append(units, o.Name)
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

func numbered(number string) string {
	if number == "" {
		return ""
	}
	return "（" + number + "）"
}

// currentPeriod names the month (2024-11) or quarter (2024-Q4) holding t
// and returns the first day after it.
func currentPeriod(t time.Time, c domain.Cadence) (string, time.Time) {
	y, mo := t.Year(), t.Month()
	if c == domain.Quarterly {
		q := (int(mo)-1)/3 + 1
		return fmt.Sprintf("%d-Q%d", y, q), time.Date(y, time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	}
	return fmt.Sprintf("%d-%02d", y, mo), time.Date(y, mo+1, 1, 0, 0, 0, 0, time.UTC)
}
