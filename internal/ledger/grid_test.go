package ledger_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
)

// TestReadGridShowsHeadersAsImportReadsThem: the two-header fixture read
// with its header rows gives each column the path import maps (a merged
// group header over its quarters), the standard headers' fields, the
// fields a mapping adds, and the data rows; without the header rows no
// header is found among the first rows and the grid comes back with the
// reason; a mapping naming a header the file lacks does not fit.
func TestReadGridShowsHeadersAsImportReadsThem(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("testdata", "layouts", "two-headers.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	opts := ledger.Options{Format: ledger.XLSX, Mapping: map[string]string{"序号": "number", "配合单位": "cooperating"},
		Layout: domain.LedgerLayout{HeaderRows: []int{2, 3}}}
	g, err := ledger.ReadGrid(file, opts, 5)
	if err != nil {
		t.Fatal(err)
	}
	if g.Sheet != "Sheet1" || !reflect.DeepEqual(g.Sheets, []string{"Sheet1"}) || len(g.Rows) != 5 || g.Width != 9 || g.Total != 7 {
		t.Fatalf("grid %s %v: %d rows of %d, width %d", g.Sheet, g.Sheets, len(g.Rows), g.Total, g.Width)
	}
	if g.Rows[2][5] != "二季度" || g.Rows[1][5] != "" {
		t.Errorf("rows are not shown as written: %q", g.Rows[1:3])
	}
	want := map[string][2]string{"A": {"序号", "number"}, "B": {"项目名称", "title"}, "D": {"配合单位", "cooperating"},
		"F": {"进度安排 › 二季度", "schedule.q2"}, "I": {"备注", ""}}
	for _, c := range g.Columns {
		if w, ok := want[c.Letter]; ok && (c.Path != w[0] || c.Field != w[1]) {
			t.Errorf("column %s: %q → %q, want %q → %q", c.Letter, c.Path, c.Field, w[0], w[1])
		}
	}
	if g.HeaderFirst != 2 || g.HeaderLast != 3 || g.FirstData != 4 || g.LastData != 7 || !g.Fits() {
		t.Errorf("header %d, data %d–%d, fits %v", g.HeaderLast, g.FirstData, g.LastData, g.Fits())
	}
	opts.Mapping["责任处室"] = "lead"
	if g, _ := ledger.ReadGrid(file, opts, 5); g.Fits() || !reflect.DeepEqual(g.Missing, []string{"责任处室"}) {
		t.Errorf("a mapping naming a header the file lacks fits: missing %v", g.Missing)
	}
	g, err = ledger.ReadGrid(file, ledger.Options{Format: ledger.XLSX, Layout: domain.LedgerLayout{HeaderRows: []int{1}}}, 3)
	if domain.ErrorCode(err) != domain.Invalid || g == nil || len(g.Rows) != 3 || g.Columns[0].Letter != "A" {
		t.Fatalf("headers not found: grid %v, error %v", g, err)
	}
	// Headers that name no field are still shown, to be mapped.
	csv := []byte("序号,任务,责任单位\n1,数据共享,成都市发展和改革委员会\n")
	g, err = ledger.ReadGrid(csv, ledger.Options{Format: ledger.CSV, Layout: domain.LedgerLayout{HeaderRows: []int{1}}}, 3)
	if domain.ErrorCode(err) != domain.Invalid || g == nil || g.Columns[2].Path != "责任单位" || g.Columns[2].Field != "" {
		t.Fatalf("unknown headers: %+v, %v", g, err)
	}
	g, err = ledger.ReadGrid(csv, ledger.Options{Format: ledger.CSV, Layout: domain.LedgerLayout{HeaderRows: []int{1}}, Mapping: map[string]string{"任务": "title"}}, 3)
	if err != nil || g.Columns[1].Field != "title" {
		t.Fatalf("mapped: %+v, %v", g, err)
	}
	if _, err := ledger.ReadGrid([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, ledger.Options{Format: ledger.XLSX}, 3); domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("an .xls: %v", err)
	}
}

func TestFormatOf(t *testing.T) {
	for _, c := range []struct {
		name, mt string
		file     string
		want     ledger.Format
	}{
		{"台账.XLSX", "", "", ledger.XLSX},
		{"a.csv", "", "PK\x03\x04", ledger.CSV},
		{"", ledger.MediaTypeXLSX, "", ledger.XLSX},
		{"upload", "application/octet-stream", "PK\x03\x04rest", ledger.XLSX},
		{"upload", "", "编号,项目名称", ledger.CSV},
	} {
		if got := ledger.FormatOf(c.name, c.mt, []byte(c.file)); got != c.want {
			t.Errorf("FormatOf(%q, %q) = %s, want %s", c.name, c.mt, got, c.want)
		}
	}
}
