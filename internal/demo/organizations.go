package demo

import "github.com/liandong/liandong/internal/domain"

// memberUnit is one of the member units FACTS.md names, on both sides.
type memberUnit struct {
	chengdu, chengduEN     string
	chongqing, chongqingEN string
	role                   domain.MemberRole
}

// memberUnits are the departments of each side that are member units of
// the working group: development & reform, transport, economy & IT,
// science & technology, finance, culture & tourism, commerce, sport
// [seed]. They are named by function; where the body changed over the
// years (finance on both sides, transport in Chongqing) a neutral name is
// used. All are plain members: FACTS.md names no secretariat.
var memberUnits = []memberUnit{
	{"成都市发展和改革委员会", "Chengdu Development and Reform Commission",
		"重庆市发展和改革委员会", "Chongqing Development and Reform Commission", domain.MemberUnit},
	{"成都市交通运输局", "Chengdu Transport Bureau",
		"重庆市交通运输主管部门", "Chongqing transport authority", domain.MemberUnit},
	{"成都市经济和信息化局", "Chengdu Economy and Information Technology Bureau",
		"重庆市经济和信息化委员会", "Chongqing Economy and Information Technology Commission", domain.MemberUnit},
	{"成都市科学技术局", "Chengdu Science and Technology Bureau",
		"重庆市科学技术局", "Chongqing Science and Technology Bureau", domain.MemberUnit},
	{"成都市金融工作部门", "Chengdu finance authority",
		"重庆市金融工作部门", "Chongqing finance authority", domain.MemberUnit},
	{"成都市文化广电旅游局", "Chengdu Culture, Radio, Television and Tourism Bureau",
		"重庆市文化和旅游发展委员会", "Chongqing Culture and Tourism Development Commission", domain.MemberUnit},
	{"成都市商务局", "Chengdu Commerce Bureau",
		"重庆市商务委员会", "Chongqing Commerce Commission", domain.MemberUnit},
	{"成都市体育局", "Chengdu Sport Bureau",
		"重庆市体育局", "Chongqing Sport Bureau", domain.MemberUnit},
}

// scienceCityCommittees are the two bodies that signed the 西部科学城
// strategic agreement [web: http://cqcb.com/hot/2021-12-19/4680485_pc.html];
// they sit under their city because FACTS.md gives them no jurisdiction of
// their own.
var scienceCityCommittees = []struct {
	name, nameEN, jurisdiction string
}{
	{"西部(成都)科学城管委会", "Western (Chengdu) Science City Administrative Committee", "成都市"},
	{"西部(重庆)科学城管委会", "Western (Chongqing) Science City Administrative Committee", "重庆市"},
}

// loadOrganizations writes the member departments of both sides, one
// government (a committee for zones) per district, county and zone, and
// the two science-city committees.
func (l *loader) loadOrganizations() error {
	for _, m := range memberUnits {
		for _, o := range []struct{ name, nameEN, city string }{
			{m.chengdu, m.chengduEN, "成都市"},
			{m.chongqing, m.chongqingEN, "重庆市"},
		} {
			if err := l.createOrganization(o.name, o.nameEN, o.city, domain.Department, srcSeed); err != nil {
				return err
			}
		}
	}
	groups := []struct {
		units  []unit
		source string
	}{
		{chengduUnits, srcChengduUnits},
		{chongqingDistricts, srcChongqingDists},
		{chongqingZones, srcChongqingZones},
	}
	for _, g := range groups {
		for _, u := range g.units {
			name, nameEN, kind := governmentOf(u)
			if err := l.createOrganization(name, nameEN, u.name, kind, g.source); err != nil {
				return err
			}
		}
	}
	for _, c := range scienceCityCommittees {
		if err := l.createOrganization(c.name, c.nameEN, c.jurisdiction, domain.ZoneCommittee, srcScienceCities); err != nil {
			return err
		}
	}
	return nil
}

// governmentOf names the government of a district, county or county-level
// city (温江区人民政府), or the administrative committee of a zone
// (两江新区管委会).
func governmentOf(u unit) (name, nameEN string, kind domain.OrganizationKind) {
	if u.kind == domain.Zone {
		return u.name + "管委会", u.nameEN + " Administrative Committee", domain.ZoneCommittee
	}
	return u.name + "人民政府", u.nameEN + " People's Government", domain.Government
}

func (l *loader) createOrganization(name, nameEN, jurisdiction string, kind domain.OrganizationKind, source string) error {
	jid, err := l.jurisdiction(jurisdiction)
	if err != nil {
		return err
	}
	o := domain.Organization{JurisdictionID: jid, Name: name, NameEN: nameEN, Kind: kind}
	o.Source = source
	if err := l.s.Organizations.CreateTx(l.ctx, l.tx, &o); err != nil {
		return refused("organization", name, err)
	}
	l.organizations[name] = o.ID
	return nil
}
