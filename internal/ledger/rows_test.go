package ledger

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store/storetest"
)

// writeTallXLSX writes a workbook whose ledger sheet has the standard
// header and then n rows, through excelize's StreamWriter, into dir.
func writeTallXLSX(tb testing.TB, dir string, n int) []byte {
	tb.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetName); err != nil {
		tb.Fatal(err)
	}
	sw, err := x.NewStreamWriter(SheetName)
	if err != nil {
		tb.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"编号", "项目名称"}); err != nil {
		tb.Fatal(err)
	}
	for i := 2; i <= n+1; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, []any{i}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "tall.xlsx")
	if err := x.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestTallXLSXStopsAtTheRowLimit: a workbook with three times the rows a
// ledger may have is refused as too large, and reading stops a few rows
// past the limit instead of parsing the whole sheet first.
func TestTallXLSXStopsAtTheRowLimit(t *testing.T) {
	file := writeTallXLSX(t, t.TempDir(), 3*MaxRows)
	if _, err := readXLSX(file, ""); domain.ErrorCode(err) != domain.TooLarge {
		t.Errorf("reading %d rows: %v, want too_large", 3*MaxRows, err)
	}
	s := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	_, err := PreviewImport(ctx, s, domain.Actor{}, 1, file, Options{Format: XLSX})
	if domain.ErrorCode(err) != domain.TooLarge {
		t.Errorf("preview of %d rows: %v, want too_large", 3*MaxRows, err)
	}
}

// BenchmarkReadMillionRowXLSX reads the workbook of a million rows
// (docs/PERFORMANCE.md has the command and the figures).
func BenchmarkReadMillionRowXLSX(b *testing.B) {
	file := writeTallXLSX(b, b.TempDir(), 1_000_000)
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		if _, err := readXLSX(file, ""); domain.ErrorCode(err) != domain.TooLarge {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(file)), "file-bytes")
}
