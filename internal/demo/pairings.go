package demo

import "github.com/liandong/liandong/internal/domain"

// pairing is a row of FACTS.md's pairing table: a Chengdu party and a
// Chongqing party (jurisdictions, or organizations when byOrganization),
// what they agreed and, where the row describes a joint undertaking, the
// cooperation item it is tracked as, with each party's government as lead.
type pairing struct {
	key                string
	chengdu, chongqing string
	byOrganization     bool
	title              string
	kind               domain.AgreementKind
	signedOn           string // only where the source gives the date
	// since is the first day the source shows the pairing in place when it
	// gives no signing date: "2022" for a 2022 event; empty for the seed's
	// pairings, in place by the day of its report.
	since  string
	terms  string
	source string
	item   *pairingItem
}

// pairingItem is the cooperation item a pairing carries out.
type pairingItem struct {
	title                      string
	chengduLead, chongqingLead string
}

// The pairing keys the lists refer to.
const (
	pairingXinduJiulongpo = "xindu-jiulongpo"
	pairingWuhouShapingba = "wuhou-shapingba"
)

// pairings are the ten district and zone pairings of FACTS.md. The seed
// calls the pairings' documents "strategic cooperation agreements or
// memoranda"; rows that name a joint undertaking rather than a signed
// document are recorded as programs, and signed_on stays empty where no date
// is given.
var pairings = []pairing{
	{key: "tianfu-liangjiang", chengdu: "四川天府新区成都直管区", chongqing: "两江新区",
		title: "四川天府新区与两江新区产业联盟合作", kind: domain.CooperationProgram,
		terms:  "深化汽车制造、电子信息、文创会展、总部经济等八大产业联盟。",
		source: srcSeed,
		item:   &pairingItem{"八大产业联盟", "四川天府新区成都直管区管委会", "两江新区管委会"}},
	{key: "wenjiang-banan", chengdu: "温江区", chongqing: "巴南区",
		title: "温江区与巴南区共建生物医药产业高地", kind: domain.CooperationProgram,
		terms:  "携手共建“成渝双城”生物医药产业高地。",
		source: srcSeed,
		item:   &pairingItem{"成渝双城生物医药产业高地", "温江区人民政府", "巴南区人民政府"}},
	{key: "gaoxin-gaoxin", chengdu: "成都高新区", chongqing: "重庆高新区",
		title: "“双区联动”推动成渝地区双城经济圈建设行动方案(2022—2025)", kind: domain.ActionPlan,
		terms: "共同编制出台“双区联动”推动成渝地区双城经济圈建设行动方案(2022—2025)。",
		since: "2022", source: srcSeed},
	{key: "qingyang-yuzhong", chengdu: "青羊区", chongqing: "渝中区",
		title: "青羊区与渝中区联合主办消费节", kind: domain.CooperationProgram,
		terms: "联合主办2022“成渝双城消费节”暨2023迎新消费季。",
		since: "2022", source: srcSeed,
		item: &pairingItem{"2022成渝双城消费节暨2023迎新消费季", "青羊区人民政府", "渝中区人民政府"}},
	{key: pairingXinduJiulongpo, chengdu: "新都区", chongqing: "九龙坡区",
		title: "新都区与九龙坡区“新龙通办”合作", kind: domain.CooperationProgram,
		terms:  "联合梳理发布71项“新龙通办”事项清单和152项企业经营通办清单。",
		source: srcSeed},
	{key: "science-cities", chengdu: "西部(成都)科学城管委会", chongqing: "西部(重庆)科学城管委会", byOrganization: true,
		title: "西部(成都)科学城与西部(重庆)科学城战略合作协议", kind: domain.StrategicAgreement,
		signedOn: "2021-12-17", terms: "在10个领域开展合作。",
		source: srcScienceCities},
	{key: pairingWuhouShapingba, chengdu: "武侯区", chongqing: "沙坪坝区",
		title: "武侯区与沙坪坝区“1+7+10”合作协议", kind: domain.StrategicAgreement,
		signedOn: "2023-08-31", terms: "签署“1+7+10”协议；150项城市机会清单。",
		source: srcWuhouShapingba},
	{key: "shuangliu-yubei", chengdu: "双流区", chongqing: "渝北区",
		title: "双流区与渝北区友好合作协议", kind: domain.StrategicAgreement,
		signedOn: "2020-05-28", terms: "签署友好合作协议。",
		source: srcShuangliuYubei},
	{key: "tianfu-beibei", chengdu: "四川天府新区成都直管区", chongqing: "北碚区",
		title: "四川天府新区与北碚区合作协议(三项)", kind: domain.StrategicAgreement,
		signedOn: "2023-04-13", terms: "签署三项协议。",
		source: srcTianfuBeibei},
	{key: "pengzhou-changshou", chengdu: "彭州市", chongqing: "长寿区",
		title: "彭州市与长寿区战略合作协议", kind: domain.StrategicAgreement,
		signedOn: "2023-04-04", terms: "在七个领域开展合作。",
		source: srcPengzhouChangshou},
}

// dated is the day a pairing came to be, and how much of it the source
// gives: its signing day, the year it names, or the day of the seed's
// report, which shows it in place.
func (p pairing) dated() (domain.Date, domain.DatePrecision) {
	switch {
	case p.signedOn != "":
		return domain.MustDate(p.signedOn), domain.DayPrecision
	case p.since != "":
		on, precision, err := domain.ParseOccurred(p.since)
		if err != nil {
			panic(err)
		}
		return on, precision
	}
	return seedReported, domain.DayPrecision
}

// loadAgreements writes the pairings as agreements of the working group,
// each on the day it came to be.
func (l *loader) loadAgreements() error {
	for _, p := range pairings {
		a := domain.Agreement{MechanismID: l.workingGroup, Title: p.title, Kind: p.kind, Terms: p.terms}
		a.Source = p.source
		if p.signedOn != "" {
			a.SignedOn = domain.MustDate(p.signedOn)
		}
		for _, name := range []string{p.chengdu, p.chongqing} {
			var party domain.AgreementParty
			var err error
			if p.byOrganization {
				party.OrganizationID, err = l.organization(name)
			} else {
				party.JurisdictionID, err = l.jurisdiction(name)
			}
			if err != nil {
				return err
			}
			a.Parties = append(a.Parties, party)
		}
		on, precision := p.dated()
		if err := l.s.Agreements.CreateTx(l.at(on, precision), l.tx, &a); err != nil {
			return refused("agreement", a.Title, err)
		}
		l.agreements[p.key] = a.ID
	}
	return nil
}
