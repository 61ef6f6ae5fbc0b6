package demo

import (
	"context"

	"github.com/liandong/liandong/internal/domain"
)

// batches are the lists of cooperation items fixed at the twin-core joint
// meetings. They belong to the working group, which tracks their items; the
// meeting that fixed them belongs to the joint meeting.
var batches = []struct {
	key     string
	meeting string
	batch   domain.Batch
}{
	// The first batch: 34 items declared, six named [seed].
	{"first", jointMeeting1, domain.Batch{
		Name: "第一批合作项目", NameEN: "First batch of cooperation items", Year: 2022, DeclaredCount: 34,
		Record: domain.Record{Source: srcSeed},
	}},
	// The annual list reviewed at joint meeting no. 3 [web]; the source
	// gives neither its count nor one year, so both stay zero.
	{"annual-2024-2025", jointMeeting3, domain.Batch{
		Name: "2024—2025年度合作项目清单", NameEN: "Annual list of cooperation items 2024—2025",
		Record: domain.Record{Source: srcJointMeeting3 + " (the source gives no count of items: declared_count 0 means not stated)"},
	}},
}

// firstBatchItems are the six named items of the first batch, landmark and
// leading (标志性、引领性) [seed]. The source numbers none of them and names
// no lead units, so number and parties stay empty; the track is set only
// where FACTS.md makes it plain.
var firstBatchItems = []domain.Item{
	{Title: "成渝中线高铁", Track: "hub-transport", Content: "截至2023年5月全面开工建设。"},
	{Title: "跨境公路运输联盟"},
	{Title: "国际班列海外仓"},
	{Title: "重点实验室"},
	{Title: "算力资源"},
	{Title: "生物医药产业"},
}

// seedReported is the day of working-group meeting no. 2, 12 May 2023, on
// which the seed reports: what it says was under way or in place is so as
// of that day, and no earlier day is claimed for it; its progress figures
// were reported there.
var seedReported = domain.MustDate("2023-05-12")

// loadItems writes the batches, the six named first-batch items and the
// items the pairings carry out, each with the day it happened: a batch and
// its items on the day of the meeting that fixed them (September 2022 for
// the first), advancing from the day the seed reports them advancing (有序
// 推进; 成渝中线高铁 fully under construction). Until then a first-batch item
// stands as decided and not yet started, the state every item begins in.
func (l *loader) loadItems() error {
	for _, row := range batches {
		b := row.batch
		b.MechanismID = l.workingGroup
		fixedAt := l.meetings[row.meeting]
		b.MeetingID = fixedAt.ID
		if err := l.s.Batches.CreateTx(l.at(fixedAt.HeldOn, fixedAt.HeldOnPrecision), l.tx, &b); err != nil {
			return refused("batch", b.Name, err)
		}
		if row.key == "first" {
			l.firstBatch = b.ID
		}
	}
	meeting := l.meetings[jointMeeting1]
	fixedBy := meeting.Decisions[0].ID
	for _, it := range firstBatchItems {
		it.MechanismID, it.BatchID, it.DecisionID = l.workingGroup, l.firstBatch, fixedBy
		it.Landmark, it.Status = true, domain.NotStarted
		it.Source = srcSeed
		if err := l.createItem(l.at(meeting.HeldOn, meeting.HeldOnPrecision), &it); err != nil {
			return err
		}
		it.Status = domain.Advancing
		if err := l.s.Items.UpdateTx(l.at(seedReported, domain.DayPrecision), l.tx, &it); err != nil {
			return refused("item", it.Title, err)
		}
	}
	for _, p := range pairings {
		if p.item == nil {
			continue
		}
		chengduLead, err := l.organization(p.item.chengduLead)
		if err != nil {
			return err
		}
		chongqingLead, err := l.organization(p.item.chongqingLead)
		if err != nil {
			return err
		}
		it := domain.Item{
			MechanismID: l.workingGroup, AgreementID: l.agreements[p.key],
			Title: p.item.title, Status: domain.Advancing,
			Parties: []domain.Party{
				{Side: sideChengdu, OrganizationID: chengduLead, Role: domain.LeadUnit},
				{Side: sideChongqing, OrganizationID: chongqingLead, Role: domain.LeadUnit},
			},
		}
		it.Source = p.source
		on, precision := p.dated()
		if err := l.createItem(l.at(on, precision), &it); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) createItem(ctx context.Context, it *domain.Item) error {
	if err := l.s.Items.CreateTx(ctx, l.tx, it); err != nil {
		return refused("item", it.Title, err)
	}
	return nil
}
