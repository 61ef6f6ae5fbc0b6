package demo

import "github.com/liandong/liandong/internal/domain"

// indicators are the figures FACTS.md gives with a date: the progress
// figures of the seed, reported at the working group's second meeting, and
// the count of the provinces' joint meetings [web:
// https://difang.gmw.cn/cq/2024-12/31/content_37770353.htm]. None has a
// target: no source sets one.
var indicators = []struct {
	mechanism string
	indicator domain.Indicator
}{
	{inWorkingGroup, domain.Indicator{
		Name: "中欧班列(成渝)累计开行量全国排名", NameEN: "China–Europe Railway Express (Chengdu–Chongqing): national rank by cumulative runs",
		Unit: "名", Scope: "成渝",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 1, Note: "累计开行量位列全国第一", Source: srcSeed},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{inWorkingGroup, domain.Indicator{
		Name: "两市先进制造业产值", NameEN: "Advanced-manufacturing output of the two cities",
		Unit: "万亿元", Scope: "成都、重庆两市",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 2, Note: "超过", Source: srcSeed},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{inWorkingGroup, domain.Indicator{
		Name: "互认检验项目", NameEN: "Clinical laboratory tests mutually recognised",
		Unit: "项", Scope: "两地市属三甲医院",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 45, Source: srcSeed},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{inWorkingGroup, domain.Indicator{
		Name: "互认检查项目", NameEN: "Medical imaging exams mutually recognised",
		Unit: "项", Scope: "两地市属三甲医院",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 67, Source: srcSeed},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{inDecision, domain.Indicator{
		Name: "党政联席会议召开次数", NameEN: "Joint meetings of Party and government leaders held",
		Unit: "次", Scope: "重庆、四川",
		Values: []domain.IndicatorValue{
			{ObservedOn: domain.MustDate("2020-03-17"), Value: 1, Note: "第一次会议", Source: srcJointMeetings},
			{ObservedOn: domain.MustDate("2024-12-30"), Value: 10, Note: "第十次会议", Source: srcJointMeetings},
		},
		Record: domain.Record{Source: srcJointMeetings},
	}},
}

// loadIndicators writes the indicators with their dated values.
func (l *loader) loadIndicators() error {
	for _, row := range indicators {
		mid, err := l.mechanismID(row.mechanism)
		if err != nil {
			return err
		}
		in := row.indicator
		in.MechanismID = mid
		in.Values = append([]domain.IndicatorValue(nil), in.Values...)
		if err := l.s.Indicators.CreateTx(l.ctx, l.tx, &in); err != nil {
			return refused("indicator", in.Name, err)
		}
	}
	return nil
}
