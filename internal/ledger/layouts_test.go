package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// party is a unit of an item as a test expects it: side, unit name, role.
type party struct{ side, unit, role string }

// layoutCase is one fixture under testdata/layouts and what importing it
// through its mapping must do.
type layoutCase struct {
	file    string
	mapping domain.ColumnMapping
	// prepare runs before the import, as the secretariat would (aliases,
	// new units); fix corrects the fixture's own bad row, if it has one.
	prepare     func(t *testing.T, s *store.Store)
	fix         func(t *testing.T, file []byte) []byte
	added       int
	parties     map[string][]party // item number → its parties in order
	schedule    map[string][2]string
	status      map[string]domain.ItemStatus
	bad         func(t *testing.T, file []byte) []byte // makes one row bad
	badRow      int
	badColumn   string
	badContains string
}

var layoutCases = []layoutCase{
	{
		file: "title-row.xlsx",
		mapping: domain.ColumnMapping{Name: "重点任务台账", Columns: map[string]string{"序号": "number", "任务名称": "title", "牵头单位": "lead", "配合单位": "cooperating"},
			LedgerLayout: domain.LedgerLayout{Sheet: "重点任务", HeaderRows: []int{2}}},
		added: 3,
		parties: map[string][]party{
			"T1": {{"chengdu", cdTransport, "lead"}, {"chongqing", cqTransport, "lead"}, {"chengdu", cdDRC, "cooperating"}, {"chongqing", cqDRC, "cooperating"}},
			"T2": {{"chengdu", cdCommerce, "lead"}, {"chongqing", cqCommerce, "lead"}, {"chengdu", cdDRC, "cooperating"}, {"chengdu", cdScience, "cooperating"}, {"chongqing", cqDRC, "cooperating"}},
		},
		schedule: map[string][2]string{"T1": {"系统联调", "全面推广"}, "T2": {"发布首批成果", "总结评估"}},
		status:   map[string]domain.ItemStatus{"T3": domain.NotStarted},
		bad: func(t *testing.T, f []byte) []byte {
			return setXLSX(t, f, "重点任务", map[string]string{"D4": "成都市未名局"})
		},
		badRow: 4, badColumn: "D (牵头单位)", badContains: "找不到单位“成都市未名局”",
	},
	{
		file: "two-headers.xlsx",
		mapping: domain.ColumnMapping{Name: "合作事项推进表", Columns: map[string]string{"序号": "number", "项目名称": "title", "牵头单位": "lead", "配合单位": "cooperating",
			"进度安排 › 一季度": "schedule.q1", "进度安排›二季度": "schedule.q2", "进度安排 > 三季度": "schedule.q3", "进度安排 › 四季度": "schedule.q4"},
			LedgerLayout: domain.LedgerLayout{HeaderRows: []int{2, 3}}},
		added: 3,
		parties: map[string][]party{
			"1": {{"chengdu", cdSport, "lead"}, {"chongqing", cqSport, "lead"}, {"chengdu", cdCommerce, "cooperating"}, {"chongqing", cqCommerce, "cooperating"}},
			"2": {{"chengdu", cdScience, "lead"}, {"chongqing", cqScience, "lead"}, {"chengdu", cdDRC, "cooperating"}},
		},
		schedule: map[string][2]string{"1": {"联合招商", "总结"}, "3": {"出台政策", "评估"}},
		bad: func(t *testing.T, f []byte) []byte {
			return setXLSX(t, f, "Sheet1", map[string]string{"C5": cdScience + "、重庆市未名局"})
		},
		badRow: 5, badColumn: "C (牵头单位)", badContains: "找不到单位“重庆市未名局”",
	},
	{
		file: "group-merged.xlsx",
		mapping: domain.ColumnMapping{Name: "分组台账", Columns: map[string]string{"编号": "number", "事项": "title", "成都牵头单位": "lead", "重庆牵头单位": "lead", "配合单位": "cooperating"},
			LedgerLayout: domain.LedgerLayout{HeaderRows: []int{1}, FillDown: []string{"lead", "cooperating"}}},
		prepare: func(t *testing.T, s *store.Store) {
			ctx := context.Background()
			drc := unitNamed(t, s, cdDRC)
			drc.Aliases = append(drc.Aliases, "成都市发改委")
			if err := s.Organizations.Update(ctx, domain.Actor{}, drc); err != nil {
				t.Fatal(err)
			}
			if err := s.Organizations.Create(ctx, domain.Actor{}, &domain.Organization{JurisdictionID: drc.JurisdictionID, Name: "成都市数据局", Kind: domain.Department}); err != nil {
				t.Fatal(err)
			}
		},
		added: 4,
		parties: map[string][]party{
			"G1": {{"chengdu", cdDRC, "lead"}, {"chongqing", cqTransport, "lead"}, {"chengdu", cdTransport, "cooperating"}},
			"G2": {{"chengdu", cdDRC, "lead"}, {"chongqing", cqTransport, "lead"}, {"chengdu", cdTransport, "cooperating"}},
			// One lead for the row: Chongqing takes part with a cooperating
			// unit and no lead, and none is invented for it.
			"G4": {{"chengdu", cdCommerce, "lead"}, {"chongqing", cqCommerce, "cooperating"}},
		},
		schedule: map[string][2]string{"G2": {"选址", ""}},
		bad: func(t *testing.T, f []byte) []byte {
			return setXLSX(t, f, "台账", map[string]string{"E5": "重庆市未名局"})
		},
		badRow: 5, badColumn: "E (重庆牵头单位)", badContains: "找不到单位“重庆市未名局”",
	},
	{
		file: "gbk.csv",
		mapping: domain.ColumnMapping{Name: "WPS 导出", Columns: map[string]string{"牵头单位": "lead", "配合单位": "cooperating"},
			LedgerLayout: domain.LedgerLayout{UnitSeparators: "；，"}},
		added: 2,
		parties: map[string][]party{
			"C1": {{"chengdu", cdDRC, "lead"}, {"chongqing", cqDRC, "lead"}, {"chengdu", cdScience, "cooperating"}, {"chongqing", cqScience, "cooperating"}},
		},
		schedule: map[string][2]string{"C1": {"互认50项", ""}},
		status:   map[string]domain.ItemStatus{"C1": domain.Advancing, "C2": domain.NotStarted},
		bad: func(t *testing.T, f []byte) []byte {
			text, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(f)
			out, _ := simplifiedchinese.GB18030.NewEncoder().Bytes(bytes.Replace(text, []byte("推进中"), []byte("完成了吧"), 1))
			return out
		},
		badRow: 2, badColumn: "6 (状态)", badContains: "完成了吧",
	},
}

// TestImportLayouts imports each fixture through its saved mapping on the
// demo's first batch: the preview's counts, a bad row refused by its sheet
// row and column with nothing written, the items added with their parties
// in the file's order and their schedule, and a second import that
// changes nothing.
func TestImportLayouts(t *testing.T) {
	for _, tc := range layoutCases {
		t.Run(strings.TrimSuffix(tc.file, ".xlsx"), func(t *testing.T) {
			storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				batch, items := firstBatch(t, s)
				format := ledger.XLSX
				if strings.HasSuffix(tc.file, ".csv") {
					format = ledger.CSV
				}
				m := tc.mapping
				m.MechanismID = items[0].MechanismID
				if err := s.ColumnMappings().Create(ctx, domain.Actor{}, &m); err != nil {
					t.Fatal(err)
				}
				stored, err := s.ColumnMappings().Get(ctx, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				opts := ledger.OptionsOf(format, stored)
				file := readFixture(t, tc.file)

				if tc.prepare != nil {
					tc.prepare(t, s)
				}
				bad := tc.bad(t, file)
				if tc.fix != nil {
					file = tc.fix(t, file)
				}
				_, err = ledger.Import(ctx, s, domain.Actor{}, batch, bad, opts)
				p, _ := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, bad, opts)
				if domain.ErrorCode(err) != domain.Invalid || p.Refused != 1 || len(p.Errors) != 1 {
					t.Fatalf("bad row: %v; preview %+v", err, p)
				}
				if e := p.Errors[0]; e.Row != tc.badRow || e.Column != tc.badColumn || !strings.Contains(e.Reason, tc.badContains) {
					t.Fatalf("bad row refused as %+v, want row %d column %s naming %s", e, tc.badRow, tc.badColumn, tc.badContains)
				}
				if n := countBatch(t, s, batch); n != len(items) {
					t.Fatalf("a refused ledger added items: %d in the batch", n)
				}

				p, err = ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, opts)
				if err != nil {
					t.Fatal(err)
				}
				if p.Added != tc.added || p.Changed != 0 || p.Refused != 0 || len(p.Errors) != 0 || len(p.Outcomes) != tc.added {
					t.Fatalf("preview: %d added, %d changed, %d refused, errors %v; want %d added", p.Added, p.Changed, p.Refused, p.Errors, tc.added)
				}
				if len(p.Missing) != 0 {
					t.Errorf("the mapping's headers %v not found", p.Missing)
				}
				if tc.file == "two-headers.xlsx" && p.NotesRow != 7 {
					t.Errorf("reading stopped at row %d, want the notes row 7", p.NotesRow)
				}
				if p, err = ledger.Import(ctx, s, domain.Actor{}, batch, file, opts); err != nil || !p.Applied {
					t.Fatalf("import: %v", err)
				}
				if n := countBatch(t, s, batch); n != len(items)+tc.added {
					t.Fatalf("%d items in the batch after the import, want %d", n, len(items)+tc.added)
				}
				for number, want := range tc.parties {
					if got := partiesOf(t, s, itemNumbered(t, s, batch, number)); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("item %s parties\n got %v\nwant %v", number, got, want)
					}
				}
				for number, want := range tc.schedule {
					it := itemNumbered(t, s, batch, number)
					if it.Schedule.Q2 != want[0] || it.Schedule.Q4 != want[1] {
						t.Errorf("item %s schedule %+v, want Q2 %q Q4 %q", number, it.Schedule, want[0], want[1])
					}
				}
				for number, want := range tc.status {
					if it := itemNumbered(t, s, batch, number); it.Status != want {
						t.Errorf("item %s status %s, want %s", number, it.Status, want)
					}
				}

				again, err := ledger.Import(ctx, s, domain.Actor{}, batch, file, opts)
				if err != nil || again.Added != 0 || again.Changed != 0 || again.Unchanged != tc.added || again.Applied {
					t.Fatalf("second import: %v; %d added, %d changed, %d unchanged", err, again.Added, again.Changed, again.Unchanged)
				}
				if n := countBatch(t, s, batch); n != len(items)+tc.added {
					t.Fatalf("the second import left %d items", n)
				}
			})
		})
	}
}

// setXLSX sets cells of a sheet of a workbook, as a user would.
func setXLSX(t *testing.T, file []byte, sheet string, cells map[string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, v := range cells {
		if err := f.SetCellStr(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func unitNamed(t *testing.T, s *store.Store, name string) *domain.Organization {
	t.Helper()
	page, err := s.Organizations.List(context.Background(), domain.ListQuery{Filters: map[string]string{"name": name}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("unit %s: %v, %d found", name, err, len(page.Items))
	}
	return page.Items[0]
}

func countBatch(t *testing.T, s *store.Store, batch int64) int {
	t.Helper()
	page, err := s.Items.List(context.Background(), domain.ListQuery{Filters: map[string]string{"batch": itoa(batch)}, Limit: domain.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func itemNumbered(t *testing.T, s *store.Store, batch int64, number string) *domain.Item {
	t.Helper()
	page, err := s.Items.List(context.Background(), domain.ListQuery{Filters: map[string]string{"batch": itoa(batch)}, Limit: domain.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range page.Items {
		if it.Number == number {
			return it
		}
	}
	t.Fatalf("no item numbered %s in the batch", number)
	return nil
}

func partiesOf(t *testing.T, s *store.Store, it *domain.Item) []party {
	t.Helper()
	var out []party
	for _, p := range it.Parties {
		o, err := s.Organizations.Get(context.Background(), p.OrganizationID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, party{p.Side, o.Name, string(p.Role)})
	}
	return out
}

// TestNewRowsAreAdded: a ledger of new tasks in the standard layout adds
// them (it was refused: "import updates items, it does not create them"),
// and importing it again changes nothing.
func TestNewRowsAreAdded(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		var b strings.Builder
		b.WriteString("编号,项目名称,二季度,状态\r\n")
		for i := 1; i <= 8; i++ {
			fmt.Fprintf(&b, "N%d,新任务%d,完成第%d项,推进中\r\n", i, i, i)
		}
		file := []byte(b.String())
		if _, err := ledger.Import(ctx, s, domain.Actor{}, batch, file, ledger.Options{Format: ledger.CSV}); err != nil {
			t.Fatalf("import of 8 new tasks: %v", err)
		}
		if n := countBatch(t, s, batch); n != len(items)+8 {
			t.Fatalf("%d items after importing 8 new tasks, want %d", n, len(items)+8)
		}
		if it := itemNumbered(t, s, batch, "N3"); it.Title != "新任务3" || it.Schedule.Q2 != "完成第3项" || it.Status != domain.Advancing {
			t.Fatalf("item N3 %+v", it)
		}
		if _, err := ledger.Import(ctx, s, domain.Actor{}, batch, file, ledger.Options{Format: ledger.CSV}); err != nil {
			t.Fatal(err)
		}
		if n := countBatch(t, s, batch); n != len(items)+8 {
			t.Fatalf("the second import left %d items", n)
		}
	})
}

// TestCSVEncodings: UTF-8 with and without a byte-order mark and GBK read
// alike; an .xls workbook is refused with the advice to save it as .xlsx.
func TestCSVEncodings(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	batch, items := firstBatch(t, s)
	text := "项目名称,状态\r\n" + items[1].Title + ",已暂停\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string]string{"utf-8": text, "utf-8 with BOM": "\ufeff" + text, "gbk": gbk} {
		p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, []byte(file), ledger.Options{Format: ledger.CSV})
		if err != nil || len(p.Changes) != 1 || p.Changes[0].Fields[0].To != "已暂停" {
			t.Errorf("%s: %v %+v", name, err, p)
		}
	}
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
	for _, format := range []ledger.Format{ledger.XLSX, ledger.CSV} {
		_, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, xls, ledger.Options{Format: format})
		if domain.ErrorCode(err) != domain.Invalid || !strings.Contains(err.Error(), "save it as .xlsx") {
			t.Errorf("an .xls file read as %s: %v", format, err)
		}
	}
}

// TestUnresolvedUnits: the preview lists each unit name it cannot resolve
// once, with the closest units, and the import is refused until the
// secretariat gives a unit the name as an alias; nothing is guessed.
func TestUnresolvedUnits(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		opts := ledger.Options{Format: ledger.XLSX, Mapping: layoutCases[2].mapping.Columns, Layout: layoutCases[2].mapping.LedgerLayout}
		file := setXLSX(t, readFixture(t, "group-merged.xlsx"), "台账", map[string]string{"E5": cqDRC})
		p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Unresolved) != 2 {
			t.Fatalf("unresolved %+v, want 成都市发改委 and 成都市数据局", p.Unresolved)
		}
		drc := p.Unresolved[0]
		if drc.Name != "成都市发改委" || drc.Row != 2 || drc.Column != "D (成都牵头单位)" || fmt.Sprint(drc.Rows) != "[2 3]" {
			t.Fatalf("first unresolved %+v, want 成都市发改委 at D2, rows 2 and 3", drc)
		}
		if len(drc.Suggestions) == 0 || drc.Suggestions[0].Name != cdDRC || drc.Suggestions[0].Side != "chengdu" {
			t.Fatalf("suggestions for 成都市发改委: %+v, want %s first", drc.Suggestions, cdDRC)
		}
		if len(p.Missing) != 0 {
			t.Fatalf("missing %v", p.Missing)
		}
		misspelt := map[string]string{"编号": "number", "事项": "title", "成都牵头单位": "lead", "重庆牵头单位": "lead", "配合单位": "cooperating", "进度 › 三季度": "schedule.q3"}
		if q, _ := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, ledger.Options{Format: ledger.XLSX, Mapping: misspelt, Layout: opts.Layout}); q == nil || fmt.Sprint(q.Missing) != "[进度 › 三季度]" {
			t.Fatalf("a header the file lacks: %+v", q)
		}
		if data := p.Unresolved[1]; data.Name != "成都市数据局" || data.Row != 4 || len(data.Suggestions) > 3 {
			t.Fatalf("second unresolved %+v", data)
		}
		if p.Added != 1 || p.Refused != 3 {
			t.Fatalf("%d added, %d refused; want the rows naming unknown units refused", p.Added, p.Refused)
		}
		if _, err := ledger.Import(ctx, s, domain.Actor{}, batch, file, opts); domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("import with unresolved names: %v", err)
		}
		if n := countBatch(t, s, batch); n != len(items) {
			t.Fatalf("%d items after a refused import", n)
		}
		// The secretariat maps the name; the alias is kept for later imports.
		unit := unitNamed(t, s, cdDRC)
		unit.Aliases = []string{"成都市发改委"}
		if err := s.Organizations.Update(ctx, domain.Actor{}, unit); err != nil {
			t.Fatal(err)
		}
		if got := unitNamed(t, s, "成都市发改委"); got.ID != unit.ID || fmt.Sprint(got.Aliases) != "[成都市发改委]" {
			t.Fatalf("unit by alias: %+v", got)
		}
		p, _ = ledger.PreviewImport(ctx, s, domain.Actor{}, batch, file, opts)
		if len(p.Unresolved) != 1 || p.Unresolved[0].Name != "成都市数据局" || p.Added != 3 {
			t.Fatalf("after the alias: unresolved %+v, %d added", p.Unresolved, p.Added)
		}
		// A unit outside every side's jurisdiction is refused by name.
		outside := setXLSX(t, file, "台账", map[string]string{"D4": "温州市人民政府"})
		far := &domain.Jurisdiction{Name: "温州市", Kind: domain.City}
		if err := s.Jurisdictions.Create(ctx, domain.Actor{}, far); err != nil {
			t.Fatal(err)
		}
		if err := s.Organizations.Create(ctx, domain.Actor{}, &domain.Organization{JurisdictionID: far.ID, Name: "温州市人民政府", Kind: domain.Government}); err != nil {
			t.Fatal(err)
		}
		p, _ = ledger.PreviewImport(ctx, s, domain.Actor{}, batch, outside, opts)
		if len(p.Errors) != 1 || p.Errors[0].Row != 4 || p.Errors[0].Column != "D (成都牵头单位)" || !strings.Contains(p.Errors[0].Reason, "不在本机制任何一方") {
			t.Fatalf("a unit outside the sides: %+v", p.Errors)
		}
	})
}
