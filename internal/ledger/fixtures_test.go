package ledger_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The ledgers under testdata/layouts are made by this file, as units lay
// them out: regenerate them with
//
//	go test ./internal/ledger -run TestFixturesUpToDate -update-fixtures
var updateFixtures = flag.Bool("update-fixtures", false, "rewrite the ledger fixtures under testdata/layouts")

// fixtureSheet is one sheet of a fixture: its rows from A1 and its merged
// ranges.
type fixtureSheet struct {
	name   string
	rows   [][]string
	merges [][2]string
}

// The units the fixtures name, as the demo data holds them.
const (
	cdDRC       = "成都市发展和改革委员会"
	cqDRC       = "重庆市发展和改革委员会"
	cdTransport = "成都市交通运输局"
	cqTransport = "重庆市交通运输主管部门"
	cdCommerce  = "成都市商务局"
	cqCommerce  = "重庆市商务委员会"
	cdScience   = "成都市科学技术局"
	cqScience   = "重庆市科学技术局"
	cdSport     = "成都市体育局"
	cqSport     = "重庆市体育局"
)

// fixtureSheets are the layouts:
//   - title-row.xlsx: a title row over one header row; lead and
//     cooperating units of both sides in one cell each, separated by 、
//     and line breaks.
//   - two-headers.xlsx: a title row, headers over two rows (进度安排
//     merged over 一季度…四季度, the others merged down both rows), and a
//     notes row under the data.
//   - group-merged.xlsx: a category and the lead units merged down the
//     rows of their group, a lead column per side, a unit written by its
//     alias (成都市发改委), one no unit answers to (成都市数据局), and a
//     row without Chongqing's lead unit.
//   - gbk.csv: what Excel or WPS on a Chinese Windows saves as CSV
//     (GB18030), units separated by ，and ；.
var fixtureSheets = map[string]fixtureSheet{
	"title-row.xlsx": {name: "重点任务", rows: [][]string{
		{"2025年成渝双核联动重点任务台账"},
		{"序号", "任务名称", "主要内容", "牵头单位", "配合单位", "一季度", "二季度", "三季度", "四季度"},
		{"T1", "成渝地区双城经济圈交通一卡通", "公交地铁互联互通", cdTransport + "、" + cqTransport, cdDRC + "\n" + cqDRC, "方案编制", "系统联调", "试运行", "全面推广"},
		{"T2", "川渝自贸试验区协同开放", "制度创新成果共享", cdCommerce + "、" + cqCommerce, cdDRC + "、" + cdScience + "\n" + cqDRC, "梳理清单", "发布首批成果", "", "总结评估"},
		{"T3", "成渝科技创新券互认", "", cdScience + "\n" + cqScience, "", "出台办法", "开通平台", "兑付", "评估"},
	}, merges: [][2]string{{"A1", "I1"}}},
	"two-headers.xlsx": {name: "Sheet1", rows: [][]string{
		{"成渝双核联动2025年度合作事项推进表"},
		{"序号", "项目名称", "牵头单位", "配合单位", "进度安排", "", "", "", "备注"},
		{"", "", "", "", "一季度", "二季度", "三季度", "四季度", ""},
		{"1", "体育赛事联合举办", cdSport + "、" + cqSport, cdCommerce + "、" + cqCommerce, "确定赛事", "联合招商", "举办赛事", "总结", ""},
		{"2", "科技资源共享平台", cdScience + "、" + cqScience, cdDRC, "平台上线", "接入设备", "", "", "按季报送"},
		{"3", "跨境电商协同", cdCommerce + "，" + cqCommerce, "", "", "出台政策", "", "评估", ""},
		{"注：1. 牵头单位第一个为成都方，第二个为重庆方；2. 本表每季度更新。"},
	}, merges: [][2]string{{"A1", "I1"}, {"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "D3"}, {"E2", "H2"}, {"I2", "I3"}, {"A7", "I7"}}},
	"group-merged.xlsx": {name: "台账", rows: [][]string{
		{"类别", "编号", "事项", "成都牵头单位", "重庆牵头单位", "配合单位", "二季度"},
		{"交通", "G1", "成渝城际公交化", "成都市发改委", cqTransport, cdTransport, "开行"},
		{"", "G2", "枢纽共建", "", "", "", "选址"},
		{"产业", "G3", "数据要素流通", "成都市数据局", cqDRC, "", "建平台"},
		{"", "G4", "会展联动", cdCommerce, "", cqCommerce, "办展"},
	}, merges: [][2]string{{"A2", "A3"}, {"D2", "D3"}, {"E2", "E3"}, {"F2", "F3"}, {"A4", "A5"}}},
	"gbk.csv": {rows: [][]string{
		{"编号", "项目名称", "牵头单位", "配合单位", "二季度", "状态"},
		{"C1", "川渝电子证照互认", cdDRC + "；" + cqDRC, cdScience + "，" + cqScience, "互认50项", "推进中"},
		{"C2", "双城文旅年卡", cdCommerce + "；" + cqCommerce, "", "发行", ""},
	}},
}

// fixture builds one fixture file.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	fs := fixtureSheets[name]
	if filepath.Ext(name) == ".csv" {
		var b bytes.Buffer
		for _, r := range fs.rows {
			for i, c := range r {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(c)
			}
			b.WriteString("\r\n")
		}
		out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", fs.name); err != nil {
		t.Fatal(err)
	}
	for i, r := range fs.rows {
		for j, v := range r {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(fs.name, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range fs.merges {
		if err := f.MergeCell(fs.name, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readFixture reads a checked-in fixture.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "layouts", name))
	if err != nil {
		t.Fatalf("%v: run go test ./internal/ledger -run TestFixturesUpToDate -update-fixtures", err)
	}
	return b
}

// TestFixturesUpToDate: the checked-in fixtures hold what this file makes.
func TestFixturesUpToDate(t *testing.T) {
	names := make([]string, 0, len(fixtureSheets))
	for n := range fixtureSheets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		made := fixture(t, name)
		if *updateFixtures {
			if err := os.MkdirAll(filepath.Join("testdata", "layouts"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata", "layouts", name), made, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got := readFixture(t, name); !sameCells(t, got, made, filepath.Ext(name) == ".csv") {
			t.Errorf("testdata/layouts/%s is not what fixtures_test.go makes; run with -update-fixtures", name)
		}
	}
}

// sameCells compares two fixtures by what they hold: the bytes of a CSV,
// the cells and merged ranges of a workbook's sheets.
func sameCells(t *testing.T, a, b []byte, csv bool) bool {
	t.Helper()
	if csv {
		return bytes.Equal(a, b)
	}
	dump := func(file []byte) []string {
		f, err := excelize.OpenReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var out []string
		for _, sh := range f.GetSheetList() {
			rows, _ := f.GetRows(sh)
			out = append(out, sh)
			for _, r := range rows {
				out = append(out, r...)
				out = append(out, "\n")
			}
			ms, _ := f.GetMergeCells(sh)
			for _, m := range ms {
				out = append(out, m.GetStartAxis()+":"+m.GetEndAxis())
			}
		}
		return out
	}
	return slices.Equal(dump(a), dump(b))
}
