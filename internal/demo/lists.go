package demo

import "github.com/liandong/liandong/internal/domain"

// catalogs are the shared lists FACTS.md counts: the 新都–九龙坡 service
// lists and the hospitals' mutual recognitions [seed], the 武侯–沙坪坝
// opportunity list [web], and the two batches of 川渝通办 [web:
// http://sc.people.com.cn/BIG5/n2/2020/1104/c379470-34392962.html]. Only
// the declared counts are known; no entries are recorded.
var catalogs = []struct {
	agreement    string // pairing key, or ""
	workingGroup bool   // the list is the working group's business
	since        string // the first day the source shows the list, when it gives no publication day
	catalog      domain.Catalog
}{
	{pairingXinduJiulongpo, true, "", domain.Catalog{
		Name: "新龙通办事项清单", Edition: 1, DeclaredCount: 71,
		Description: "新都区与九龙坡区联合梳理发布的“新龙通办”事项。",
		Record:      domain.Record{Source: srcSeed},
	}},
	{pairingXinduJiulongpo, true, "", domain.Catalog{
		Name: "企业经营通办清单", Edition: 1, DeclaredCount: 152,
		Description: "新都区与九龙坡区联合梳理发布的企业经营通办事项。",
		Record:      domain.Record{Source: srcSeed},
	}},
	{"", true, "", domain.Catalog{
		Name: "临床检验结果互认项目", Edition: 1, DeclaredCount: 45,
		Description: "两地市属三甲医院之间互认的临床检验项目。",
		Record:      domain.Record{Source: srcSeed},
	}},
	{"", true, "", domain.Catalog{
		Name: "医学影像检查互认项目", Edition: 1, DeclaredCount: 67,
		Description: "两地市属三甲医院之间互认的医学影像检查项目。",
		Record:      domain.Record{Source: srcSeed},
	}},
	{pairingWuhouShapingba, true, "2023-08-31", domain.Catalog{
		Name: "城市机会清单", Edition: 1, DeclaredCount: 150,
		Description: "武侯区与沙坪坝区“1+7+10”协议(2023-08-31)所涉150项城市机会清单。",
		Record:      domain.Record{Source: srcWuhouShapingba},
	}},
	{"", false, "", domain.Catalog{
		Name: "川渝通办事项清单", Edition: 1, DeclaredCount: 95, PublishedOn: domain.MustDate("2020-11-03"),
		Description: "第一批：15个部门的95项事项。服务方式：全程网办59项、异地代收代办6项、多地联办30项。",
		Record:      domain.Record{Source: srcChuanyuTongban},
	}},
	{"", false, "2020-11-04", domain.Catalog{
		Name: "川渝通办事项清单", Edition: 2, DeclaredCount: 115,
		Description: "第二批：115项事项。",
		Record:      domain.Record{Source: srcChuanyuTongban},
	}},
}

// loadLists writes the catalogs, each with its declared count only, on the
// day it was published or, when the source gives none, the first day the
// source shows it (the seed's report, for the seed's lists).
func (l *loader) loadLists() error {
	for _, row := range catalogs {
		c := row.catalog
		if row.agreement != "" {
			c.AgreementID = l.agreements[row.agreement]
		}
		if row.workingGroup {
			c.MechanismID = l.workingGroup
		}
		on := seedReported
		switch {
		case !c.PublishedOn.IsZero():
			on = c.PublishedOn
		case row.since != "":
			on = domain.MustDate(row.since)
		}
		if err := l.s.Catalogs.CreateTx(l.at(on, domain.DayPrecision), l.tx, &c); err != nil {
			return refused("catalog", c.Name, err)
		}
	}
	return nil
}
