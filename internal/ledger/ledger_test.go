package ledger_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// firstBatch loads the demo data and returns the first batch's id and items.
func firstBatch(t *testing.T, s *store.Store) (int64, []*domain.Item) {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	bs, err := s.Batches.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "第一批"}})
	if err != nil || len(bs.Items) != 1 {
		t.Fatalf("first batch: %v, %d found", err, len(bs.Items))
	}
	b := bs.Items[0]
	items, err := s.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": itoa(b.ID)}, Sort: "number"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items.Items) != 6 {
		t.Fatalf("%d items in the first batch, want 6", len(items.Items))
	}
	return b.ID, items.Items
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// edit opens an exported workbook, sets cells as a user would and saves it.
func edit(t *testing.T, file []byte, cells map[string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, v := range cells {
		if err := f.SetCellStr(ledger.SheetName, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func versions(t *testing.T, s *store.Store, items []*domain.Item) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	for _, it := range items {
		got, err := s.Items.Get(context.Background(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[it.ID] = got.Version
	}
	return out
}

func TestXLSXRoundTrip(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		// A formula-looking content must come back unchanged, not evaluated.
		items[5].Content = "=HYPERLINK(\"http://evil\")"
		if err := s.Items.Update(ctx, domain.Actor{}, items[5]); err != nil {
			t.Fatal(err)
		}
		file, err := ledger.Export(ctx, s, domain.Actor{}, batch, 0, ledger.XLSX)
		if err != nil {
			t.Fatal(err)
		}
		before := versions(t, s, items)
		f, err := excelize.OpenReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(ledger.SheetName)
		f.Close()
		if got := rows[0][9]; got != "状态" {
			t.Fatalf("column J header %q, want 状态", got)
		}
		if got := rows[6][2]; got != "'=HYPERLINK(\"http://evil\")" {
			t.Fatalf("formula-looking content exported as %q, want it neutralised", got)
		}
		// Row 2 is items[0], row 4 is items[2] (sorted by number, then id).
		edited := edit(t, file, map[string]string{"J2": "已完成", "E4": "完成可行性研究"})
		p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, edited, ledger.Options{Format: ledger.XLSX})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 0 || p.Changed != 2 || p.Unchanged != 4 {
			t.Fatalf("preview: %d changed, %d unchanged, errors %v; want 2, 4, none", p.Changed, p.Unchanged, p.Errors)
		}
		if c := p.Changes[0]; c.Row != 2 || c.ItemID != items[0].ID || len(c.Fields) != 1 || c.Fields[0].Field != "status" || c.Fields[0].From != "推进中" || c.Fields[0].To != "已完成" {
			t.Fatalf("first change %+v", c)
		}
		if c := p.Changes[1]; c.Row != 4 || c.ItemID != items[2].ID || c.Fields[0].Field != "schedule.q2" {
			t.Fatalf("second change %+v", c)
		}
		if got := versions(t, s, items); got[items[0].ID] != before[items[0].ID] {
			t.Fatal("the preview changed an item")
		}
		if _, err := ledger.Import(ctx, s, domain.Actor{}, batch, edited, ledger.Options{Format: ledger.XLSX}); err != nil {
			t.Fatal(err)
		}
		after := versions(t, s, items)
		for _, it := range items {
			want := before[it.ID]
			if it.ID == items[0].ID || it.ID == items[2].ID {
				want++
			}
			if after[it.ID] != want {
				t.Errorf("item %d version %d, want %d", it.ID, after[it.ID], want)
			}
		}
		got0, _ := s.Items.Get(ctx, items[0].ID)
		got2, _ := s.Items.Get(ctx, items[2].ID)
		if got0.Status != domain.Completed || got2.Schedule.Q2 != "完成可行性研究" {
			t.Fatalf("stored status %s, schedule %+v", got0.Status, got2.Schedule)
		}
		again, err := ledger.Import(ctx, s, domain.Actor{}, batch, edited, ledger.Options{Format: ledger.XLSX})
		if err != nil {
			t.Fatal(err)
		}
		if again.Changed != 0 || again.Applied {
			t.Fatalf("second import changed %d rows", again.Changed)
		}
		if got := versions(t, s, items); got[items[0].ID] != after[items[0].ID] {
			t.Fatal("the second import changed a version")
		}
	})
}

func TestStaleRowRefused(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		file, err := ledger.Export(ctx, s, domain.Actor{}, batch, 0, ledger.XLSX)
		if err != nil {
			t.Fatal(err)
		}
		// Someone changes item 2 after the export.
		items[1].Content = "新的内容"
		if err := s.Items.Update(ctx, domain.Actor{}, items[1]); err != nil {
			t.Fatal(err)
		}
		// A row left as exported changes nothing; an edited one is refused.
		p, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, edit(t, file, map[string]string{"J2": "已暂停"}), ledger.Options{Format: ledger.XLSX})
		if err != nil || len(p.Errors) != 0 || p.Changed != 1 {
			t.Fatalf("untouched stale row: %v %+v", err, p)
		}
		_, err = ledger.Import(ctx, s, domain.Actor{}, batch, edit(t, file, map[string]string{"J3": "已暂停"}), ledger.Options{Format: ledger.XLSX})
		fields := domain.ErrorFields(err)
		if domain.ErrorCode(err) != domain.Invalid || len(fields) != 1 || fields[0].Field != "台账!3" || !strings.Contains(fields[0].Reason, "changed by someone else") {
			t.Fatalf("stale row: %v", err)
		}
	})
}

func TestOneBadRowImportsNothing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		file, err := ledger.Export(ctx, s, domain.Actor{}, batch, 0, ledger.XLSX)
		if err != nil {
			t.Fatal(err)
		}
		before := versions(t, s, items)
		bad := edit(t, file, map[string]string{"J2": "已完成", "J5": "完成了吧"})
		p, err := ledger.Import(ctx, s, domain.Actor{}, batch, bad, ledger.Options{Format: ledger.XLSX})
		if domain.ErrorCode(err) != domain.Invalid {
			t.Fatalf("error %v, want invalid", err)
		}
		if len(p.Errors) != 1 {
			t.Fatalf("errors %v, want one", p.Errors)
		}
		e := p.Errors[0]
		if e.Sheet != "台账" || e.Row != 5 || e.Column != "J (状态)" || !strings.Contains(e.Reason, "完成了吧") {
			t.Fatalf("error %+v, want sheet 台账 row 5 column J (状态)", e)
		}
		if f := domain.ErrorFields(err); len(f) != 1 || f[0].Field != "台账!5 J (状态)" {
			t.Fatalf("fields %v", f)
		}
		if got := versions(t, s, items); got[items[0].ID] != before[items[0].ID] {
			t.Fatal("a row was imported although another was refused")
		}
	})
}

func TestOversizedFilesRefused(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	batch, _ := firstBatch(t, s)
	t.Run("FiftyMegabytes", func(t *testing.T) {
		big := make([]byte, 50<<20)
		rand.Read(big)
		_, err := ledger.PreviewImport(ctx, s, domain.Actor{}, batch, big, ledger.Options{Format: ledger.XLSX})
		if domain.ErrorCode(err) != domain.TooLarge || !strings.Contains(err.Error(), "10 MB") {
			t.Fatalf("error %v, want too_large naming 10 MB", err)
		}
	})
	t.Run("ZipBomb", func(t *testing.T) {
		file, err := ledger.Export(ctx, s, domain.Actor{}, batch, 0, ledger.XLSX)
		if err != nil {
			t.Fatal(err)
		}
		bomb := inflate(t, file, "xl/worksheets/sheet1.xml", 80<<20)
		if len(bomb) > 1<<20 {
			t.Fatalf("the bomb is %d bytes; it should be small", len(bomb))
		}
		_, err = ledger.PreviewImport(ctx, s, domain.Actor{}, batch, bomb, ledger.Options{Format: ledger.XLSX})
		if domain.ErrorCode(err) != domain.TooLarge || !strings.Contains(err.Error(), "zip bomb") {
			t.Fatalf("error %v, want too_large naming a zip bomb", err)
		}
	})
}

// inflate rewrites part of a workbook so that it inflates to n bytes of
// XML whitespace while compressing to almost nothing.
func inflate(t *testing.T, file []byte, part string, n int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == part {
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for i := 0; i < n>>20; i++ {
				w.Write(chunk)
			}
			continue
		}
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		w.Write(b.Bytes())
	}
	zw.Close()
	return out.Bytes()
}

func TestCSVRoundTrip(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		file, err := ledger.Export(ctx, s, domain.Actor{}, batch, 0, ledger.CSV)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(file, []byte("\ufeff")) {
			t.Fatal("the CSV has no byte-order mark")
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		rows[3][2] = "与成都日报所述一致的新内容"
		var buf bytes.Buffer
		csv.NewWriter(&buf).WriteAll(rows)
		p, err := ledger.Import(ctx, s, domain.Actor{}, batch, buf.Bytes(), ledger.Options{Format: ledger.CSV})
		if err != nil || p.Changed != 1 || p.Changes[0].ItemID != items[2].ID || p.Changes[0].Fields[0].Field != "content" {
			t.Fatalf("import: %v %+v", err, p)
		}
		p, err = ledger.Import(ctx, s, domain.Actor{}, batch, buf.Bytes(), ledger.Options{Format: ledger.CSV})
		if err != nil || p.Changed != 0 {
			t.Fatalf("second import: %v, %d changed", err, p.Changed)
		}
	})
}

func TestImportThroughMapping(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch, items := firstBatch(t, s)
		m := &domain.ColumnMapping{MechanismID: items[0].MechanismID, Name: "成德眉资台账", Columns: map[string]string{
			"事项名称": "title", "当前状态": "status", "第一季度目标": "schedule.q1"}}
		if err := s.ColumnMappings().Create(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
		f := excelize.NewFile()
		rows := [][]any{
			{"成渝双核联动重点合作事项推进台账"},
			{"序号", "事项名称", "当前状态", "第一季度目标", "备注"},
			{1, items[1].Title, "推进中", "完成方案编制", ""},
			{2, items[3].Title, "已完成", "", "提前完成"},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			f.SetSheetRow("Sheet1", cell, &r)
		}
		buf, _ := f.WriteToBuffer()
		stored, err := s.ColumnMappings().Get(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ledger.Import(ctx, s, domain.Actor{}, batch, buf.Bytes(), ledger.Options{Format: ledger.XLSX, Mapping: stored.Columns})
		if err != nil {
			t.Fatal(err)
		}
		if p.Changed != 2 || p.Changes[0].Fields[0].Field != "schedule.q1" || p.Changes[1].Fields[0].Field != "status" {
			t.Fatalf("preview %+v", p)
		}
		if strings.Join(p.Ignored, ",") != "A (序号),E (备注)" {
			t.Fatalf("ignored %v", p.Ignored)
		}
		got, _ := s.Items.Get(ctx, items[3].ID)
		if got.Status != domain.Completed {
			t.Fatalf("status %s", got.Status)
		}
	})
}
