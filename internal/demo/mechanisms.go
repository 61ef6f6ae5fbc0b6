package demo

import (
	"slices"

	"github.com/liandong/liandong/internal/domain"
)

// The track groups [seed].
const (
	groupInterconnect = "五个互联互通"
	groupCoBuild      = "五个共建"
)

// tracks are the ten tracks of the twin-core linkage: the five
// interconnections and the five co-builds [seed].
var tracks = []domain.Term{
	{Key: "interconnect-transport", Name: "交通基础设施", NameEN: "Transport infrastructure", Group: groupInterconnect},
	{Key: "interconnect-industry", Name: "现代产业体系", NameEN: "Modern industrial system", Group: groupInterconnect},
	{Key: "interconnect-innovation", Name: "科技创新资源", NameEN: "Sci-tech innovation resources", Group: groupInterconnect},
	{Key: "interconnect-services", Name: "城市服务功能", NameEN: "Urban service functions", Group: groupInterconnect},
	{Key: "interconnect-policy", Name: "社会公共政策", NameEN: "Social public policy", Group: groupInterconnect},
	{Key: "hub-transport", Name: "国际性综合交通枢纽", NameEN: "International comprehensive transport hub", Group: groupCoBuild},
	{Key: "cluster-manufacturing", Name: "世界级先进制造业集群", NameEN: "World-class advanced-manufacturing clusters", Group: groupCoBuild},
	{Key: "science-city", Name: "西部科学城", NameEN: "Western China Science City", Group: groupCoBuild},
	{Key: "finance-center", Name: "西部金融中心", NameEN: "Western Financial Center", Group: groupCoBuild},
	{Key: "metropolis", Name: "现代化国际都市", NameEN: "Modern international metropolis", Group: groupCoBuild},
}

// modes are the three cooperation modes of the first batch [seed].
var modes = []domain.Term{
	{Key: "gongtou-gongjian", Name: "共投共建", NameEN: "Co-investment and co-construction"},
	{Key: "xiangxiang-xiezuo", Name: "相向协作", NameEN: "Collaboration toward each other"},
	{Key: "gongtong-zhengqu", Name: "共同争取", NameEN: "Jointly seeking support"},
}

// The mechanisms' names; the tiers are from the seed and the forum article,
// the joint meeting's name from its second session's report.
const (
	coordinationMechanism = "重庆成都双核联动联建会议"
	workingGroupMechanism = "成渝双核联动工作组"
)

// loadMechanisms writes the three tiers: the joint meeting of the two
// provinces' Party and government leaders (decision), the twin-core joint
// meeting of Chongqing and Chengdu (coordination) and the twin-core linkage
// working group with its member units (execution).
func (l *loader) loadMechanisms() error {
	sichuan, err := l.jurisdiction("四川省")
	if err != nil {
		return err
	}
	chongqing, err := l.jurisdiction("重庆市")
	if err != nil {
		return err
	}
	chengdu, err := l.jurisdiction("成都市")
	if err != nil {
		return err
	}
	twoCities := []domain.Side{
		{Key: sideChengdu, Name: "成都", NameEN: "Chengdu", JurisdictionID: chengdu},
		{Key: sideChongqing, Name: "重庆", NameEN: "Chongqing", JurisdictionID: chongqing},
	}

	decision := domain.Mechanism{
		Name: decisionMechanism, NameEN: "Chongqing–Sichuan Joint Meeting of Party and Government Leaders",
		Tier: domain.Decision, TimeZone: "Asia/Shanghai", Cadence: domain.Quarterly,
		Sides: []domain.Side{
			{Key: sideSichuan, Name: "四川", NameEN: "Sichuan", JurisdictionID: sichuan},
			{Key: sideChongqing, Name: "重庆", NameEN: "Chongqing", JurisdictionID: chongqing},
		},
	}
	decision.Source = srcJointMeetings
	if err := l.createMechanism(&decision); err != nil {
		return err
	}
	l.decision = decision.ID

	coordination := domain.Mechanism{
		ParentID: l.decision,
		Name:     coordinationMechanism, NameEN: "Chongqing–Chengdu Twin-Core Joint Meeting",
		Tier: domain.Coordination, TimeZone: "Asia/Shanghai", Cadence: domain.Quarterly,
		Sides: twoCities, Tracks: tracks, Modes: modes,
	}
	coordination.Source = srcSeed + "; " + srcJointMeeting2
	if err := l.createMechanism(&coordination); err != nil {
		return err
	}
	l.coordination = coordination.ID

	group := domain.Mechanism{
		ParentID: l.coordination,
		Name:     workingGroupMechanism, NameEN: "Chengdu–Chongqing Twin-Core Linkage Working Group",
		Tier: domain.Coordination, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides: twoCities, Tracks: tracks, Modes: modes,
	}
	group.Source = srcSeed
	for _, m := range memberUnits {
		for _, mb := range []struct{ name, side string }{{m.chengdu, sideChengdu}, {m.chongqing, sideChongqing}} {
			id, err := l.organization(mb.name)
			if err != nil {
				return err
			}
			group.Members = append(group.Members, domain.Member{OrganizationID: id, Side: mb.side, Role: m.role})
		}
	}
	// The districts and zones that lead the pairings' items carry out the
	// working group's work with its departments ("all 23 districts of
	// Chengdu work with Chongqing's", the seed says): they are member units
	// too, so their liaisons may name each other on the group's items.
	for _, p := range pairings {
		if p.item == nil {
			continue
		}
		for _, mb := range []struct{ name, side string }{{p.item.chengduLead, sideChengdu}, {p.item.chongqingLead, sideChongqing}} {
			id, err := l.organization(mb.name)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(group.Members, func(x domain.Member) bool { return x.OrganizationID == id }) {
				group.Members = append(group.Members, domain.Member{OrganizationID: id, Side: mb.side, Role: domain.MemberUnit})
			}
		}
	}
	if err := l.createMechanism(&group); err != nil {
		return err
	}
	l.workingGroup = group.ID
	return nil
}

func (l *loader) createMechanism(m *domain.Mechanism) error {
	if err := l.s.Mechanisms.CreateTx(l.ctx, l.tx, m); err != nil {
		return refused("mechanism", m.Name, err)
	}
	return nil
}
