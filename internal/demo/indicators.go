package demo

import "github.com/liandong/liandong/internal/domain"

// indicators are the figures FACTS.md gives with a date: the progress and
// engagement figures of the seed, reported at the working group's second
// meeting, and
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
	// The district engagement the seed reports: "成都市23个区(市)县与重庆市主城
	// 都市区的21个区县和3个主要开发区全面开展交流合作。其中，成都市的16个区
	// (市)县与重庆市的19个行政主体还签署了战略合作协议(备忘录)".
	{inWorkingGroup, domain.Indicator{
		Name: "与重庆开展交流合作的成都区(市)县", NameEN: "Chengdu districts and counties cooperating with Chongqing",
		Unit: "个", Scope: "成都市23个区(市)县；重庆主城都市区21个区县和3个主要开发区",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 23, Note: "全面开展交流合作", Source: srcSeed},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{inWorkingGroup, domain.Indicator{
		Name: "签署战略合作协议(备忘录)的成都区(市)县", NameEN: "Chengdu districts and counties with a strategic agreement or memorandum",
		Unit: "个", Scope: "成都市",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 16, Source: srcSeed},
		},
		Record: domain.Record{Source: srcSeed},
	}},
	{inWorkingGroup, domain.Indicator{
		Name: "签署战略合作协议(备忘录)的重庆行政主体", NameEN: "Chongqing administrative entities with a strategic agreement or memorandum",
		Unit: "个", Scope: "重庆市",
		Values: []domain.IndicatorValue{
			{ObservedOn: seedReported, Value: 19, Source: srcSeed},
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
