package ledger

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Table is a ledger as rows of cells in the standard layout: the header,
// then one row per item.
type Table struct {
	Batch     *domain.Batch
	Mechanism *domain.Mechanism
	Header    []string
	Rows      [][]string
	Items     []*domain.Item
}

// Build reads the items of a batch that actor may read — those where unit
// is a party, when unit is not 0 — into the standard layout. Errors:
// NotFound, Internal.
func Build(ctx context.Context, s *store.Store, actor domain.Actor, batchID, unit int64) (*Table, error) {
	b, err := s.Batches.Get(ctx, batchID)
	if err != nil {
		return nil, err
	}
	m, err := s.Mechanisms.Get(ctx, b.MechanismID)
	if err != nil {
		return nil, err
	}
	items, err := batchItems(ctx, s, actor, batchID, unit)
	if err != nil {
		return nil, err
	}
	lc, err := s.LedgerContext(ctx, actor.User, items, unit)
	if err != nil {
		return nil, err
	}
	t := &Table{Batch: b, Mechanism: m, Items: items}
	for _, c := range layout {
		t.Header = append(t.Header, c.header)
	}
	for _, it := range items {
		row := make([]string, len(layout))
		for i, c := range layout {
			row[i] = cellOf(c.field, it, m, lc)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// batchItems lists every item of a batch that is not archived and that
// actor may read, by number.
func batchItems(ctx context.Context, s *store.Store, actor domain.Actor, batchID, unit int64) ([]*domain.Item, error) {
	q := domain.ListQuery{Filters: map[string]string{"batch": strconv.FormatInt(batchID, 10)}, Sort: "number", Limit: domain.MaxPageSize, Viewer: actor.User}
	if unit != 0 {
		q.Filters["unit"] = strconv.FormatInt(unit, 10)
	}
	var out []*domain.Item
	for {
		page, err := s.Items.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" || len(out) > MaxRows {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}

// cellOf is the text a ledger shows for field of an item.
func cellOf(field string, it *domain.Item, m *domain.Mechanism, lc store.LedgerContext) string {
	switch field {
	case "id":
		return strconv.FormatInt(it.ID, 10)
	case "version":
		return strconv.FormatInt(it.Version, 10)
	case "digest":
		return digest(func(f string) string { return cellOf(f, it, m, lc) })
	case "number":
		return it.Number
	case "title":
		return it.Title
	case "content":
		return it.Content
	case "schedule.q1":
		return it.Schedule.Q1
	case "schedule.q2":
		return it.Schedule.Q2
	case "schedule.q3":
		return it.Schedule.Q3
	case "schedule.q4":
		return it.Schedule.Q4
	case "status":
		return statusLabels[it.Status]
	case "light":
		return lightLabels[it.Light]
	case "lead", "cooperating":
		return parties(it, m, lc, field == "lead")
	case "progress":
		rep, ok := lc.Progress[it.ID]
		if !ok {
			return ""
		}
		return fmt.Sprintf("%d%%（%s）%s", rep.Percent, rep.Period, rep.Text)
	case "problems":
		return strings.Join(lc.Problems[it.ID], "；")
	}
	return ""
}

// parties lists the lead (or cooperating) units in the item's order (the
// source's), each run of one side's units under the side's name when the
// mechanism has more than one: "成都：温江区人民政府".
func parties(it *domain.Item, m *domain.Mechanism, lc store.LedgerContext, lead bool) string {
	var named []domain.Party
	for _, p := range it.Parties {
		if (p.Role == domain.LeadUnit) == lead {
			named = append(named, p)
		}
	}
	return strings.Join(sideRuns(named, m, func(p domain.Party) string { return lc.Units[p.OrganizationID] }), "\n")
}

// sideRuns writes parties in their order as runs of consecutive units of
// one side, "成都：A、B", without regrouping them: the side's name leads a
// run when the mechanism has more than one side.
func sideRuns(parties []domain.Party, m *domain.Mechanism, name func(domain.Party) string) []string {
	var runs []string
	for i := 0; i < len(parties); {
		j := i
		var names []string
		for ; j < len(parties) && parties[j].Side == parties[i].Side; j++ {
			names = append(names, name(parties[j]))
		}
		run := strings.Join(names, "、")
		if sd := m.Side(parties[i].Side); sd != nil && len(m.Sides) > 1 {
			run = sd.Name + "：" + run
		}
		runs = append(runs, run)
		i = j
	}
	return runs
}

// Export writes the ledger of a batch (or of one unit's share of it) as
// XLSX or CSV, with the items actor may read. Errors: NotFound, Invalid
// (format), Internal.
func Export(ctx context.Context, s *store.Store, actor domain.Actor, batchID, unit int64, format Format) ([]byte, error) {
	t, err := Build(ctx, s, actor, batchID, unit)
	if err != nil {
		return nil, err
	}
	switch format {
	case XLSX:
		return t.XLSX()
	case CSV:
		return t.CSV()
	}
	return nil, domain.Errorf(domain.Invalid, "the format must be xlsx or csv")
}

// CSV writes the table as UTF-8 CSV with a byte-order mark, which Excel
// needs to read Chinese correctly.
func (t *Table) CSV() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write(t.Header)
	for _, row := range t.Rows {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = neutralise(c)
		}
		w.Write(out)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, domain.Internalf(err, "write csv")
	}
	return buf.Bytes(), nil
}

// XLSX writes the table as a workbook with one sheet: a frozen header, a
// drop-down of the statuses, read-only columns shaded grey and the item id
// and version in hidden columns.
func (t *Table) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return nil, domain.Internalf(err, "name sheet")
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, domain.Internalf(err, "style")
	}
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	grey, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}})
	last := len(t.Rows) + 1
	for i, c := range layout {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetCellStr(SheetName, col+"1", c.header)
		f.SetColWidth(SheetName, col, col, c.width)
		style := wrap
		if !c.editable {
			style = grey
		}
		if last > 1 {
			f.SetCellStyle(SheetName, col+"2", col+strconv.Itoa(last), style)
		}
		if c.hidden {
			f.SetColVisible(SheetName, col, false)
		}
		if c.field == "status" && last > 1 {
			dv := excelize.NewDataValidation(false)
			dv.Sqref = col + "2:" + col + strconv.Itoa(last)
			if err := dv.SetDropList(StatusLabels()); err != nil {
				return nil, domain.Internalf(err, "status drop-down")
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "状态", "请从下拉列表中选择："+strings.Join(StatusLabels(), "、"))
			if err := f.AddDataValidation(SheetName, dv); err != nil {
				return nil, domain.Internalf(err, "status drop-down")
			}
		}
	}
	first, _ := excelize.ColumnNumberToName(1)
	lastCol, _ := excelize.ColumnNumberToName(len(layout))
	f.SetCellStyle(SheetName, first+"1", lastCol+"1", head)
	f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	for r, row := range t.Rows {
		for i, v := range row {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			var err error
			if layout[i].field == "id" || layout[i].field == "version" {
				n, _ := strconv.ParseInt(v, 10, 64)
				err = f.SetCellInt(SheetName, cell, n)
			} else {
				err = f.SetCellStr(SheetName, cell, neutralise(v))
			}
			if err != nil {
				return nil, domain.Internalf(err, "write cell %s", cell)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, domain.Internalf(err, "write xlsx")
	}
	return buf.Bytes(), nil
}
