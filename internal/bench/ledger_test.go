package bench

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/xuri/excelize/v2"
)

const ledgerRows = 10_000

// bigBatch returns a batch of ledgerRows items in the first mechanism,
// making it on first use.
func bigBatch(b *testing.B, s *store.Store) int64 {
	b.Helper()
	ctx := context.Background()
	page, err := s.Batches.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "压测台账"}})
	if err != nil {
		b.Fatal(err)
	}
	if len(page.Items) > 0 {
		return page.Items[0].ID
	}
	mechs, _ := s.Mechanisms.List(ctx, domain.ListQuery{Limit: 1})
	batch := &domain.Batch{MechanismID: mechs.Items[0].ID, Name: "压测台账", DeclaredCount: ledgerRows}
	if err := s.Batches.Create(ctx, domain.Actor{}, batch); err != nil {
		b.Fatal(err)
	}
	for from := 0; from < ledgerRows; from += 1000 {
		err := s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
			for i := from; i < from+1000; i++ {
				it := &domain.Item{MechanismID: batch.MechanismID, BatchID: batch.ID, Number: fmt.Sprint(i + 1), Title: fmt.Sprintf("压测事项%d", i+1),
					Content: "推进跨区域合作", Status: domain.Advancing, Schedule: domain.Schedule{Q1: "前期工作"}}
				if err := s.Items.CreateTx(ctx, tx, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return batch.ID
}

// BenchmarkLedgerRoundTrip10000 exports a 10,000-row ledger as XLSX, edits
// every row's content as a user would (not timed), and imports it.
func BenchmarkLedgerRoundTrip10000(b *testing.B) {
	s := dataset(b)
	ctx := context.Background()
	id := bigBatch(b, s)
	var export, imp time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		file, err := ledger.Export(ctx, s, domain.Actor{}, id, 0, ledger.XLSX)
		if err != nil {
			b.Fatal(err)
		}
		export += time.Since(start)
		b.StopTimer()
		edited := editContent(b, file, fmt.Sprintf("第%d轮修改", time.Now().UnixNano()))
		b.StartTimer()
		start = time.Now()
		p, err := ledger.Import(ctx, s, domain.Actor{}, id, edited, ledger.Options{Format: ledger.XLSX})
		if err != nil {
			b.Fatal(err)
		}
		imp += time.Since(start)
		if p.Changed != ledgerRows {
			b.Fatalf("%d rows changed, want %d", p.Changed, ledgerRows)
		}
	}
	b.ReportMetric(export.Seconds()/float64(b.N), "export-s")
	b.ReportMetric(imp.Seconds()/float64(b.N), "import-s")
}

// editContent rewrites the 主要内容 cell of every data row.
func editContent(b *testing.B, file []byte, text string) []byte {
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(ledger.SheetName)
	if err != nil {
		b.Fatal(err)
	}
	header := -1
	for r, row := range rows {
		if len(row) > 2 && row[2] == "主要内容" {
			header = r
			break
		}
	}
	if header < 0 {
		b.Fatal("no 主要内容 header")
	}
	for r := header + 1; r < len(rows); r++ {
		cell, _ := excelize.CoordinatesToCellName(3, r+1)
		f.SetCellStr(ledger.SheetName, cell, text)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
