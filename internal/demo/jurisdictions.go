package demo

import "github.com/liandong/liandong/internal/domain"

// unit is a jurisdiction of a table below, with the English name in pinyin.
type unit struct {
	name   string
	nameEN string
	kind   domain.JurisdictionKind
}

// The three parties, "two places, three parties" [seed]; their division
// codes are the only ones FACTS.md gives.
var parties = []struct {
	unit
	code   string
	parent string
}{
	{unit{"四川省", "Sichuan Province", domain.Province}, "510000", ""},
	{unit{"重庆市", "Chongqing Municipality", domain.Municipality}, "500000", ""},
	{unit{"成都市", "Chengdu City", domain.City}, "510100", "四川省"},
}

// chengduUnits are Chengdu's 23 区(市)县: 12 districts, 5 county-level
// cities, 3 counties and 3 functional zones [check:
// https://juke.outofmemory.cn/read/3639122.html].
var chengduUnits = []unit{
	{"锦江区", "Jinjiang District", domain.District},
	{"青羊区", "Qingyang District", domain.District},
	{"金牛区", "Jinniu District", domain.District},
	{"武侯区", "Wuhou District", domain.District},
	{"成华区", "Chenghua District", domain.District},
	{"龙泉驿区", "Longquanyi District", domain.District},
	{"青白江区", "Qingbaijiang District", domain.District},
	{"新都区", "Xindu District", domain.District},
	{"温江区", "Wenjiang District", domain.District},
	{"双流区", "Shuangliu District", domain.District},
	{"郫都区", "Pidu District", domain.District},
	{"新津区", "Xinjin District", domain.District},
	{"简阳市", "Jianyang City", domain.CountyCity},
	{"都江堰市", "Dujiangyan City", domain.CountyCity},
	{"彭州市", "Pengzhou City", domain.CountyCity},
	{"邛崃市", "Qionglai City", domain.CountyCity},
	{"崇州市", "Chongzhou City", domain.CountyCity},
	{"金堂县", "Jintang County", domain.County},
	{"大邑县", "Dayi County", domain.County},
	{"蒲江县", "Pujiang County", domain.County},
	{"四川天府新区成都直管区", "Sichuan Tianfu New Area (Chengdu Directly Administered Area)", domain.Zone},
	{"成都高新区", "Chengdu Gaoxin Zone", domain.Zone},
	{"成都东部新区", "Chengdu Dongbu New Area", domain.Zone},
}

// chengduOverlaps lists the units that lie inside another besides their
// parent: 东部新区 lies inside 简阳 [check].
var chengduOverlaps = map[string][]string{
	"成都东部新区": {"简阳市"},
}

// chongqingDistricts are the 21 districts of Chongqing's metropolitan area,
// the 9 central ones first, then the 12 new ones [seed for the count, check
// for the names].
var chongqingDistricts = []unit{
	{"渝中区", "Yuzhong District", domain.District},
	{"大渡口区", "Dadukou District", domain.District},
	{"江北区", "Jiangbei District", domain.District},
	{"沙坪坝区", "Shapingba District", domain.District},
	{"九龙坡区", "Jiulongpo District", domain.District},
	{"南岸区", "Nan'an District", domain.District},
	{"北碚区", "Beibei District", domain.District},
	{"渝北区", "Yubei District", domain.District},
	{"巴南区", "Banan District", domain.District},
	{"涪陵区", "Fuling District", domain.District},
	{"长寿区", "Changshou District", domain.District},
	{"江津区", "Jiangjin District", domain.District},
	{"合川区", "Hechuan District", domain.District},
	{"永川区", "Yongchuan District", domain.District},
	{"南川区", "Nanchuan District", domain.District},
	{"綦江区", "Qijiang District", domain.District},
	{"大足区", "Dazu District", domain.District},
	{"璧山区", "Bishan District", domain.District},
	{"铜梁区", "Tongliang District", domain.District},
	{"潼南区", "Tongnan District", domain.District},
	{"荣昌区", "Rongchang District", domain.District},
}

// chongqingZones are the development zones administered beside the
// districts [web: https://cqrd.gov.cn/site/article/1217487279544619008/web/content_1217487279544619008.html].
var chongqingZones = []unit{
	{"两江新区", "Liangjiang New Area", domain.Zone},
	{"重庆高新区", "Chongqing Gaoxin Zone", domain.Zone},
	{"万盛经开区", "Wansheng Jingkai Zone", domain.Zone},
}

// loadJurisdictions writes the three parties, then Chengdu's 23 units and
// Chongqing's 21 districts and 3 zones under their city. Codes below the
// city level are left empty: FACTS.md does not give them.
func (l *loader) loadJurisdictions() error {
	for _, p := range parties {
		j := domain.Jurisdiction{Code: p.code, Name: p.name, NameEN: p.nameEN, Kind: p.kind}
		j.Source = srcSeed
		if p.parent != "" {
			id, err := l.jurisdiction(p.parent)
			if err != nil {
				return err
			}
			j.ParentID = id
		}
		if err := l.createJurisdiction(&j); err != nil {
			return err
		}
	}
	groups := []struct {
		parent string
		units  []unit
		source string
	}{
		{"成都市", chengduUnits, srcChengduUnits},
		{"重庆市", chongqingDistricts, srcChongqingDists},
		{"重庆市", chongqingZones, srcChongqingZones},
	}
	for _, g := range groups {
		parent, err := l.jurisdiction(g.parent)
		if err != nil {
			return err
		}
		for _, u := range g.units {
			j := domain.Jurisdiction{ParentID: parent, Name: u.name, NameEN: u.nameEN, Kind: u.kind}
			j.Source = g.source
			for _, other := range chengduOverlaps[u.name] {
				id, err := l.jurisdiction(other)
				if err != nil {
					return err
				}
				j.Overlaps = append(j.Overlaps, id)
			}
			if err := l.createJurisdiction(&j); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loader) createJurisdiction(j *domain.Jurisdiction) error {
	if err := l.s.Jurisdictions.CreateTx(l.ctx, l.tx, j); err != nil {
		return refused("jurisdiction", j.Name, err)
	}
	l.jurisdictions[j.Name] = j.ID
	return nil
}
