package ledger

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// Options say how to read an uploaded ledger.
type Options struct {
	Format Format
	// Mapping maps headers as written in the file to ledger fields
	// (domain.LedgerFields), for ledgers laid out differently; headers it
	// does not name are read by the standard layout.
	Mapping map[string]string
}

// Preview is what an import will change, row by row, or why it cannot.
type Preview struct {
	Sheet     string      `json:"sheet"`
	Rows      int         `json:"rows"`      // data rows read
	Changed   int         `json:"changed"`   // rows that change an item
	Unchanged int         `json:"unchanged"` // rows equal to what is stored
	Changes   []RowChange `json:"changes"`
	// Ignored names the columns import does not write: read-only ones
	// (lead and cooperating units, light, progress, problems) and headers
	// it does not know.
	Ignored []string    `json:"ignored"`
	Errors  []CellError `json:"errors"`
	Applied bool        `json:"applied"`
}

// RowChange is one row that changes an item.
type RowChange struct {
	Row     int           `json:"row"`
	ItemID  int64         `json:"item_id"`
	Number  string        `json:"number"`
	Title   string        `json:"title"`
	Version int64         `json:"version"` // the stored version the change is based on
	Fields  []FieldChange `json:"fields"`
}

// FieldChange is one cell that differs from what is stored.
type FieldChange struct {
	Field  string `json:"field"`
	Column string `json:"column"`
	From   string `json:"from"`
	To     string `json:"to"`
	Note   string `json:"note,omitempty"` // how the change will be applied, when not at once
}

// CellError says why a cell (or a row, when Column is empty) is refused.
type CellError struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (e CellError) String() string {
	at := fmt.Sprintf("%s row %d", e.Sheet, e.Row)
	if e.Column != "" {
		at += " column " + e.Column
	}
	return at + ": " + e.Reason
}

// plan is a preview with the items as they will be stored.
type plan struct {
	Preview
	updates []*domain.Item
	stored  []*domain.Item // each update's item as read for the preview
}

// PreviewImport reads a ledger for a batch and reports, row by row, what
// importing it as actor would change; it writes nothing. Problems with rows and cells
// are in Preview.Errors. Errors: TooLarge (the file, or an XLSX that
// inflates beyond MaxUnzippedBytes), Invalid (a file that cannot be read),
// NotFound (the batch).
func PreviewImport(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, file []byte, opts Options) (*Preview, error) {
	p, err := makePlan(ctx, s, actor, batchID, file, opts)
	if err != nil {
		return nil, err
	}
	return &p.Preview, nil
}

// Import applies a ledger to a batch: every changed row or, when any row is
// refused, none, in one transaction as actor. Importing the same file again
// changes nothing. Errors: those of PreviewImport, Invalid naming each
// refused row and cell (the preview is returned too), Conflict when an item
// changed between the preview and the write.
func Import(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, file []byte, opts Options) (*Preview, error) {
	p, err := makePlan(ctx, s, actor, batchID, file, opts)
	if err != nil {
		return nil, err
	}
	if len(p.Errors) > 0 {
		e := &domain.Error{Code: domain.Invalid, Message: fmt.Sprintf("the ledger has %d errors; nothing was imported", len(p.Errors))}
		for _, ce := range p.Errors {
			f := fmt.Sprintf("%s!%d", ce.Sheet, ce.Row)
			if ce.Column != "" {
				f += " " + ce.Column
			}
			e.Fields = append(e.Fields, domain.FieldError{Field: f, Reason: ce.Reason})
		}
		return &p.Preview, e
	}
	if len(p.updates) == 0 {
		return &p.Preview, nil
	}
	err = s.Write(ctx, actor, func(tx *store.Tx) error {
		for i, it := range p.updates {
			if err := s.Items.UpdateTxFrom(ctx, tx, p.stored[i], it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return &p.Preview, err
	}
	p.Applied = true
	return &p.Preview, nil
}

// sheet is a grid of cells read from a file.
type sheet struct {
	name string
	rows [][]string
}

func readFile(file []byte, format Format) (sheet, error) {
	if len(file) > MaxFileBytes {
		return sheet{}, tooLarge(fmt.Sprintf("the file is %d bytes; a ledger may be at most %d bytes (10 MB)", len(file), MaxFileBytes))
	}
	switch format {
	case XLSX:
		return readXLSX(file)
	case CSV:
		return readCSV(file)
	}
	return sheet{}, invalid("format", "must be xlsx or csv")
}

func tooLarge(reason string) error {
	return &domain.Error{Code: domain.TooLarge, Message: "the ledger is too large", Fields: []domain.FieldError{{Field: "file", Reason: reason}}}
}

func invalid(field, reason string) error {
	return &domain.Error{Code: domain.Invalid, Message: "the ledger cannot be read", Fields: []domain.FieldError{{Field: field, Reason: reason}}}
}

// readXLSX checks the sizes the zip directory declares before excelize
// inflates anything (Go's zip reader refuses a part that inflates beyond
// its declared size), and passes the same limit to excelize.
func readXLSX(file []byte) (sheet, error) {
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return sheet{}, invalid("file", "is not an XLSX workbook (not a zip archive)")
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > MaxUnzippedBytes || total > MaxUnzippedBytes {
			return sheet{}, tooLarge(fmt.Sprintf("the workbook inflates to more than %d bytes (64 MB) (part %s); it may be a zip bomb", MaxUnzippedBytes, f.Name))
		}
	}
	if len(zr.File) > 1000 {
		return sheet{}, invalid("file", "holds more than 1000 parts")
	}
	x, err := excelize.OpenReader(bytes.NewReader(file), excelize.Options{UnzipSizeLimit: MaxUnzippedBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return sheet{}, tooLarge(fmt.Sprintf("the workbook inflates to more than %d bytes (64 MB)", MaxUnzippedBytes))
		}
		return sheet{}, invalid("file", "is not a readable XLSX workbook")
	}
	defer x.Close()
	name := ""
	for _, n := range x.GetSheetList() {
		if n == SheetName {
			name = n
		}
	}
	if name == "" {
		if name = x.GetSheetName(x.GetActiveSheetIndex()); name == "" {
			name = x.GetSheetList()[0]
		}
	}
	// Row by row, stopping once the sheet holds more rows than a ledger
	// may (after the header, which may sit in any of the first ten): a
	// sheet of a million rows is refused after twenty thousand and some,
	// not parsed whole first.
	it, err := x.Rows(name)
	if err != nil {
		return sheet{}, invalid("file", "sheet "+name+" cannot be read")
	}
	defer it.Close()
	var rows [][]string
	for len(rows) <= maxRowsRead && it.Next() {
		row, err := it.Columns()
		if err != nil {
			return sheet{}, invalid("file", "sheet "+name+" cannot be read")
		}
		rows = append(rows, row)
	}
	if err := it.Error(); err != nil {
		return sheet{}, invalid("file", "sheet "+name+" cannot be read")
	}
	return sheet{name: name, rows: trimEmptyRows(rows)}, nil
}

// maxRowsRead is where reading a file stops: enough rows for the header
// to sit in any of the first ten and MaxRows data rows after it, plus one
// to tell that there are more.
const maxRowsRead = MaxRows + 10

// trimEmptyRows drops the empty rows at the end, as GetRows does: a sheet
// formatted further down than it is filled has them.
func trimEmptyRows(rows [][]string) [][]string {
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows
}

func readCSV(file []byte) (sheet, error) {
	file = bytes.TrimPrefix(file, []byte("\ufeff"))
	if !utf8.Valid(file) {
		return sheet{}, invalid("file", "is not UTF-8 text; save the sheet as \"CSV UTF-8\"")
	}
	r := csv.NewReader(bytes.NewReader(file))
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return sheet{}, invalid("file", fmt.Sprintf("CSV row %d column %d: %v", pe.Line, pe.Column, pe.Err))
			}
			return sheet{}, invalid("file", "is not readable CSV")
		}
		rows = append(rows, rec)
		if len(rows) > maxRowsRead {
			break
		}
	}
	return sheet{name: "CSV", rows: rows}, nil
}

// headerFields finds the header row among the first ten and maps each of
// its columns to a field ("" for a column import does not know).
func headerFields(sh sheet, mapping map[string]string) (int, []string, error) {
	std := map[string]string{}
	for _, c := range layout {
		std[c.header] = c.field
		std[c.field] = c.field
	}
	for r := 0; r < len(sh.rows) && r < 10; r++ {
		fields := make([]string, len(sh.rows[r]))
		keys, known := 0, 0
		for i, h := range sh.rows[r] {
			h = strings.TrimSpace(h)
			f, ok := mapping[h]
			if !ok {
				f = std[h]
			}
			fields[i] = f
			if f != "" {
				known++
			}
			if f == "id" || f == "number" || f == "title" {
				keys++
			}
		}
		if known >= 2 && keys > 0 {
			return r, fields, nil
		}
	}
	return 0, nil, invalid("file", "no header row found in the first ten rows: it must name the column 编号, 项目名称 or 系统编号 and one more ledger column; for other headers save a column mapping")
}

// makePlan reads the file and compares each row with the item it names,
// among those actor may read; a row actor may not change is refused.
func makePlan(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, file []byte, opts Options) (*plan, error) {
	sh, err := readFile(file, opts.Format)
	if err != nil {
		return nil, err
	}
	b, err := s.Batches.Get(ctx, batchID)
	if err != nil {
		return nil, err
	}
	items, err := batchItems(ctx, s, actor, batchID, 0)
	if err != nil {
		return nil, err
	}
	hr, fields, err := headerFields(sh, opts.Mapping)
	if err != nil {
		return nil, err
	}
	p := &plan{Preview: Preview{Sheet: sh.name, Changes: []RowChange{}, Ignored: []string{}, Errors: []CellError{}}}
	colName := func(i int) string {
		name := strconv.Itoa(i + 1)
		if opts.Format == XLSX {
			name, _ = excelize.ColumnNumberToName(i + 1)
		}
		h := ""
		if i < len(sh.rows[hr]) {
			h = strings.TrimSpace(sh.rows[hr][i])
		}
		return name + " (" + h + ")"
	}
	col := map[string]int{}
	for i, f := range fields {
		switch {
		case f == "":
			if strings.TrimSpace(sh.rows[hr][i]) != "" {
				p.Ignored = append(p.Ignored, colName(i))
			}
		case col[f] != 0:
			p.fail(sh.name, hr+1, colName(i), fmt.Sprintf("repeats the column of %s", f))
		default:
			col[f] = i + 1
			if !columnOf(f).editable && f != "id" && f != "version" && f != "digest" {
				p.Ignored = append(p.Ignored, colName(i))
			}
		}
	}
	byID, byNumber, byTitle := map[int64]*domain.Item{}, map[string][]*domain.Item{}, map[string][]*domain.Item{}
	for _, it := range items {
		byID[it.ID] = it
		if it.Number != "" {
			byNumber[it.Number] = append(byNumber[it.Number], it)
		}
		byTitle[it.Title] = append(byTitle[it.Title], it)
	}
	seen := map[int64]int{}
	if len(sh.rows)-hr-1 > MaxRows {
		return nil, tooLarge(fmt.Sprintf("the ledger has more than %d rows", MaxRows))
	}
	for r := hr + 1; r < len(sh.rows); r++ {
		row, rowNo := sh.rows[r], r+1
		cell := func(f string) (string, bool) {
			i := col[f]
			if i == 0 {
				return "", false
			}
			if i > len(row) {
				return "", true
			}
			return normalise(row[i-1]), true
		}
		if blank(row) {
			continue
		}
		p.Rows++
		it, why, at := match(cell, byID, byNumber, byTitle, b.Name)
		if it == nil {
			c := ""
			if at != "" {
				c = colName(col[at] - 1)
			}
			p.fail(sh.name, rowNo, c, why)
			continue
		}
		if first, dup := seen[it.ID]; dup {
			p.fail(sh.name, rowNo, "", fmt.Sprintf("names the same item as row %d", first))
			continue
		}
		seen[it.ID] = rowNo
		if d, ok := cell("digest"); ok && d != "" && d == digest(func(f string) string { v, _ := cell(f); return v }) {
			p.Unchanged++ // not edited since the export
			continue
		}
		next := *it
		next.Parties, next.Milestones, next.Custom = it.Parties, it.Milestones, it.Custom
		change := RowChange{Row: rowNo, ItemID: it.ID, Number: it.Number, Title: it.Title, Version: it.Version, Fields: []FieldChange{}}
		bad := false
		for _, c := range layout {
			if !c.editable {
				continue
			}
			v, ok := cell(c.field)
			if !ok {
				continue
			}
			old := normalise(cellOf(c.field, it, nil, store.LedgerContext{}))
			if v == old {
				continue
			}
			if err := set(&next, c.field, v); err != "" {
				p.fail(sh.name, rowNo, colName(col[c.field]-1), err)
				bad = true
				continue
			}
			if normalise(cellOf(c.field, &next, nil, store.LedgerContext{})) == old {
				continue // another spelling of the same value, such as a status code
			}
			if c.field == "status" && pendingStatus(it, next.Status) {
				next.Status = it.Status // already proposed, awaiting confirmation
				continue
			}
			v = normalise(cellOf(c.field, &next, nil, store.LedgerContext{}))
			fc := FieldChange{Field: c.field, Column: colName(col[c.field] - 1), From: old, To: v}
			if c.field == "status" && next.Status == domain.Completed && len(it.LeadSides()) > 1 {
				fc.Note = "completing an item with lead units on two sides waits for each side's confirmation"
			}
			change.Fields = append(change.Fields, fc)
		}
		if bad {
			continue
		}
		if len(change.Fields) == 0 {
			p.Unchanged++
			continue
		}
		if v, ok := cell("version"); ok && v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err != nil:
				p.fail(sh.name, rowNo, colName(col["version"]-1), "must be the version number the export wrote")
				continue
			case n != it.Version:
				p.fail(sh.name, rowNo, "", fmt.Sprintf("item %d was changed by someone else since this ledger was exported (version %d, now %d); export the ledger again and redo this row", it.ID, n, it.Version))
				continue
			}
		}
		if err := s.Items.Allowed(ctx, actor, policy.Write, it); err != nil {
			p.fail(sh.name, rowNo, "", domain.ErrorMessage(err))
			continue
		}
		if err := next.Validate(); err != nil {
			for _, fe := range domain.ErrorFields(err) {
				c := ""
				if i := col[fe.Field]; i != 0 {
					c = colName(i - 1)
				}
				p.fail(sh.name, rowNo, c, fe.Field+" "+fe.Reason)
			}
			continue
		}
		p.Changes = append(p.Changes, change)
		p.updates, p.stored = append(p.updates, &next), append(p.stored, it)
	}
	p.Changed = len(p.Changes)
	return p, nil
}

func (p *plan) fail(sheet string, row int, column, reason string) {
	if len(p.Errors) < maxErrors {
		p.Errors = append(p.Errors, CellError{Sheet: sheet, Row: row, Column: column, Reason: reason})
	}
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// match finds the item a row is about: by the hidden id, else by number,
// else by title. On failure it says why and which field's column to name.
func match(cell func(string) (string, bool), byID map[int64]*domain.Item, byNumber, byTitle map[string][]*domain.Item, batch string) (*domain.Item, string, string) {
	if v, ok := cell("id"); ok && v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "must be the item id the export wrote", "id"
		}
		if it := byID[id]; it != nil {
			return it, "", ""
		}
		return nil, fmt.Sprintf("item %d is not an item of the batch %s that you may see", id, batch), "id"
	}
	for _, f := range []string{"number", "title"} {
		v, ok := cell(f)
		if !ok || v == "" {
			continue
		}
		idx := byNumber
		if f == "title" {
			idx = byTitle
		}
		switch found := idx[v]; len(found) {
		case 1:
			return found[0], "", ""
		case 0:
			return nil, fmt.Sprintf("no item of the batch %s has the %s %q; import updates items, it does not create them", batch, f, v), f
		default:
			return nil, fmt.Sprintf("%d items of the batch %s have the %s %q; add the 系统编号 column to tell them apart", len(found), batch, f, v), f
		}
	}
	return nil, "names no item: fill in 系统编号, 编号 or 项目名称", ""
}

// set writes one editable field; it returns why the value is refused.
func set(it *domain.Item, field, v string) string {
	switch field {
	case "number":
		it.Number = v
	case "title":
		it.Title = v
	case "content":
		it.Content = v
	case "schedule.q1":
		it.Schedule.Q1 = v
	case "schedule.q2":
		it.Schedule.Q2 = v
	case "schedule.q3":
		it.Schedule.Q3 = v
	case "schedule.q4":
		it.Schedule.Q4 = v
	case "status":
		st, ok := parseStatus(v)
		if !ok {
			return fmt.Sprintf("%q is not a status; choose one of %s", v, strings.Join(StatusLabels(), "、"))
		}
		it.Status = st
	}
	return ""
}

// pendingStatus reports whether a change to status is already proposed and
// waiting for the sides' confirmation, so importing it again adds nothing.
func pendingStatus(it *domain.Item, status domain.ItemStatus) bool {
	for _, ch := range it.Pending {
		if ch.Status == status {
			return true
		}
	}
	return false
}
