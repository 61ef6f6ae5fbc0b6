package demo

import (
	"fmt"

	"github.com/liandong/liandong/internal/domain"
)

// Which mechanism a record of the tables belongs to.
const (
	inDecision     = "decision"
	inCoordination = "coordination"
	inWorkingGroup = "working-group"
)

// mechanismID returns the id of the mechanism a table names.
func (l *loader) mechanismID(which string) (int64, error) {
	switch which {
	case inDecision:
		return l.decision, nil
	case inCoordination:
		return l.coordination, nil
	case inWorkingGroup:
		return l.workingGroup, nil
	}
	return 0, fmt.Errorf("demo: no mechanism %q", which)
}

// The meetings' keys, by which batches and items refer to them.
const (
	jointMeeting1 = "joint-1"
	jointMeeting3 = "joint-3"
	groupMeeting2 = "group-2"
)

// meetings are the sessions FACTS.md dates: the first and tenth joint
// meetings of the provinces' leaders [web:
// https://difang.gmw.cn/cq/2024-12/31/content_37770353.htm], the working
// group's first two meetings [seed], and the three twin-core joint meetings
// [seed; web: cqspb.gov.cn 2023-09-28; web: difang.gmw.cn 2024-11-26].
var meetings = []struct {
	key       string
	mechanism string
	meeting   domain.Meeting
}{
	{"decision-1", inDecision, domain.Meeting{
		Number: 1, Title: "重庆四川党政联席会议第一次会议",
		HeldOn: domain.MustDate("2020-03-17"), HeldOnPrecision: domain.DayPrecision, Format: domain.FormatNotRecorded,
		Record: domain.Record{Source: srcJointMeetings},
	}},
	{"decision-10", inDecision, domain.Meeting{
		Number: 10, Title: "重庆四川党政联席会议第十次会议",
		HeldOn: domain.MustDate("2024-12-30"), HeldOnPrecision: domain.DayPrecision, Format: domain.FormatNotRecorded,
		Record: domain.Record{Source: srcJointMeetings},
	}},
	{"group-1", inWorkingGroup, domain.Meeting{
		Number: 1, Title: "成渝双核联动工作组第一次会议",
		HeldOn: domain.MustDate("2022-04-28"), HeldOnPrecision: domain.DayPrecision, Format: domain.Video,
		Record: domain.Record{Source: srcSeed},
	}},
	{jointMeeting1, inCoordination, domain.Meeting{
		Number: 1, Title: "重庆成都第一次双核联动联席会议",
		// The source gives the month only: September 2022.
		HeldOn: domain.MustDate("2022-09-01"), HeldOnPrecision: domain.MonthPrecision, Format: domain.FormatNotRecorded,
		Decisions: []domain.MeetingDecision{
			{Text: "确定第一批34个合作项目，围绕共投共建、相向协作、共同争取三个方面落地推进。"},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{groupMeeting2, inWorkingGroup, domain.Meeting{
		Number: 2, Title: "成渝双核联动工作组第二次会议",
		HeldOn: domain.MustDate("2023-05-12"), HeldOnPrecision: domain.DayPrecision,
		Place: "成都", Format: domain.InPerson,
		Minutes: "各成员单位汇报第一次会议以来的工作推进情况。",
		Record:  domain.Record{Source: srcSeed},
	}},
	{"joint-2", inCoordination, domain.Meeting{
		Number: 2, Title: "重庆成都双核联动联建会议第二次会议",
		HeldOn: domain.MustDate("2023-09-27"), HeldOnPrecision: domain.DayPrecision,
		Place: "成都", Format: domain.InPerson,
		Minutes: "会上举行签约仪式。",
		Record:  domain.Record{Source: srcJointMeeting2},
	}},
	{jointMeeting3, inCoordination, domain.Meeting{
		Number: 3, Title: "重庆成都双核联动联建会议第三次会议",
		HeldOn: domain.MustDate("2024-11-25"), HeldOnPrecision: domain.DayPrecision,
		Place: "合川", Format: domain.InPerson,
		Agenda: []domain.AgendaItem{
			{Kind: domain.AgendaTopicKind, Topic: "听取“五个共建”专项工作推进情况汇报"},
			{Kind: domain.AgendaTopicKind, Topic: "听取“五个互联互通”专项工作推进情况汇报"},
			{Kind: domain.AgendaTopicKind, Topic: "听取年度完成情况汇报"},
			{Kind: domain.AgendaTopicKind, Topic: "审议2024—2025年度合作项目清单"},
		},
		Record: domain.Record{Source: srcJointMeeting3},
	}},
}

// loadMeetings writes the meetings in the order they were held.
func (l *loader) loadMeetings() error {
	for _, row := range meetings {
		mid, err := l.mechanismID(row.mechanism)
		if err != nil {
			return err
		}
		m := row.meeting
		m.MechanismID = mid
		m.Status = domain.MeetingHeld // the demo's meetings all took place
		// The table is shared; give the store copies of its lists.
		m.Agenda = append([]domain.AgendaItem(nil), m.Agenda...)
		m.Decisions = append([]domain.MeetingDecision(nil), m.Decisions...)
		if row.key == groupMeeting2 {
			// "川渝蓉发改、交通、经信、科技、金融等专项工作组成员单位相关负责人，
			// 共同就…第一次会议召开以来的工作推进情况予以汇总" [seed]: the member
			// departments, each side in turn. What each said is not in the
			// source, so no report text is recorded.
			for _, side := range []func(memberUnit) string{
				func(u memberUnit) string { return u.chengdu }, func(u memberUnit) string { return u.chongqing },
			} {
				for _, u := range memberUnits {
					id, err := l.organization(side(u))
					if err != nil {
						return err
					}
					m.Attendees = append(m.Attendees, domain.Attendee{OrganizationID: id, Reported: true})
				}
			}
		}
		if err := l.s.Meetings.CreateTx(l.ctx, l.tx, &m); err != nil {
			return refused("meeting", m.Title, err)
		}
		l.meetings[row.key] = &m
	}
	return nil
}
