package ledger

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liandong/liandong/internal/domain"
)

// sheet is a grid of cells read from a file, with the ranges of its merged
// cells (an XLSX keeps a merged cell's value in its top-left cell only).
type sheet struct {
	name   string
	rows   [][]string
	merges []merge
}

// merge is a merged range, 0-based and inclusive.
type merge struct{ r1, c1, r2, c2 int }

// maxReadRows is how many rows a reader takes before it stops and the file
// is refused as too large: the data rows allowed plus room for titles,
// headers and notes.
const maxReadRows = MaxRows + 100

// xlsSignature opens every OLE2 compound file, which is what an Excel
// 97–2003 .xls workbook is.
var xlsSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func readFile(file []byte, format Format, sheetName string) (sheet, error) {
	if len(file) > MaxFileBytes {
		return sheet{}, tooLarge("the file is %d bytes; a ledger may be at most %d bytes (10 MB)", len(file), MaxFileBytes)
	}
	if bytes.HasPrefix(file, xlsSignature) {
		return sheet{}, invalid("file", "is an Excel 97–2003 workbook (.xls), which cannot be read: open it in Excel or WPS and save it as .xlsx")
	}
	switch format {
	case XLSX:
		return readXLSX(file, sheetName)
	case CSV:
		return readCSV(file)
	}
	return sheet{}, invalid("format", "must be xlsx or csv")
}

func tooLarge(format string, args ...any) error {
	return domain.Errorf(domain.TooLarge, "the ledger is too large").With(domain.FieldErrorf("file", format, args...))
}

func invalid(field, format string, args ...any) error {
	return domain.Errorf(domain.Invalid, "the ledger cannot be read").With(domain.FieldErrorf(field, format, args...))
}

func tooManyRows() error {
	return tooLarge("the ledger has more than %d rows", MaxRows)
}

// readXLSX checks the sizes the zip directory declares before excelize
// inflates anything (Go's zip reader refuses a part that inflates beyond
// its declared size), and passes the same limit to excelize. It reads the
// sheet named, else 台账, else the active one, row by row, and stops at
// maxReadRows.
func readXLSX(file []byte, want string) (sheet, error) {
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return sheet{}, invalid("file", "is not an XLSX workbook (not a zip archive)")
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > MaxUnzippedBytes || total > MaxUnzippedBytes {
			return sheet{}, tooLarge("the workbook inflates to more than %d bytes (64 MB) (part %s); it may be a zip bomb", MaxUnzippedBytes, f.Name)
		}
	}
	if len(zr.File) > 1000 {
		return sheet{}, invalid("file", "holds more than 1000 parts")
	}
	x, err := excelize.OpenReader(bytes.NewReader(file), excelize.Options{UnzipSizeLimit: MaxUnzippedBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return sheet{}, tooLarge("the workbook inflates to more than %d bytes (64 MB)", MaxUnzippedBytes)
		}
		return sheet{}, invalid("file", "is not a readable XLSX workbook")
	}
	defer x.Close()
	list := x.GetSheetList()
	if len(list) == 0 {
		return sheet{}, invalid("file", "holds no sheet")
	}
	name := ""
	for _, n := range list {
		if n == want || (want == "" && n == SheetName) {
			name = n
		}
	}
	switch {
	case name == "" && want != "":
		return sheet{}, invalid("sheet", "the workbook has no sheet %q; its sheets are %s", want, strings.Join(list, "、"))
	case name == "":
		if name = x.GetSheetName(x.GetActiveSheetIndex()); name == "" {
			name = list[0]
		}
	}
	it, err := x.Rows(name)
	if err != nil {
		return sheet{}, invalid("file", "sheet %s cannot be read", name)
	}
	defer it.Close()
	sh := sheet{name: name}
	for it.Next() {
		if len(sh.rows) >= maxReadRows {
			return sheet{}, tooManyRows()
		}
		row, err := it.Columns()
		if err != nil {
			return sheet{}, invalid("file", "sheet %s row %d cannot be read", name, len(sh.rows)+1)
		}
		sh.rows = append(sh.rows, row)
	}
	if it.Error() != nil {
		return sheet{}, invalid("file", "sheet %s cannot be read", name)
	}
	merged, err := x.GetMergeCells(name)
	if err != nil {
		return sheet{}, invalid("file", "the merged cells of sheet %s cannot be read", name)
	}
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r1 > r2 || c1 > c2 || r1 > maxReadRows {
			continue
		}
		sh.merges = append(sh.merges, merge{r1 - 1, c1 - 1, min(r2, maxReadRows) - 1, min(c2, 16384) - 1})
	}
	return sh, nil
}

// readCSV reads UTF-8, with or without a byte-order mark, and otherwise
// GB18030 (a superset of GBK), which Excel and WPS write on a Chinese
// Windows when told to save "CSV".
func readCSV(file []byte) (sheet, error) {
	file = bytes.TrimPrefix(file, []byte("\ufeff"))
	if !utf8.Valid(file) {
		text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(file)
		if err != nil {
			return sheet{}, invalid("file", "is neither UTF-8 nor GBK/GB18030 text; save the sheet as \"CSV UTF-8\"")
		}
		file = text
	}
	r := csv.NewReader(bytes.NewReader(file))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	sh := sheet{name: "CSV"}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return sheet{}, invalid("file", "CSV row %d column %d: %v", pe.Line, pe.Column, pe.Err)
			}
			return sheet{}, invalid("file", "is not readable CSV")
		}
		if len(sh.rows) >= maxReadRows {
			return sheet{}, tooManyRows()
		}
		sh.rows = append(sh.rows, rec)
	}
	return sh, nil
}

// cell is the text at row r, column c ("" outside the grid).
func (sh *sheet) cell(r, c int) string {
	if r < 0 || r >= len(sh.rows) || c < 0 || c >= len(sh.rows[r]) {
		return ""
	}
	return sh.rows[r][c]
}

func (sh *sheet) set(r, c int, v string) {
	for len(sh.rows[r]) <= c {
		sh.rows[r] = append(sh.rows[r], "")
	}
	sh.rows[r][c] = v
}

// spread copies each merged range's value into the cells it covers, for
// the cells where fill says so: header cells across the columns a merged
// header covers, data cells down the rows of a fill-down column.
func (sh *sheet) spread(fill func(r, c int) bool) {
	for _, m := range sh.merges {
		v := sh.cell(m.r1, m.c1)
		for r := m.r1; r <= m.r2 && r < len(sh.rows); r++ {
			for c := m.c1; c <= m.c2; c++ {
				if (r != m.r1 || c != m.c1) && fill(r, c) {
					sh.set(r, c, v)
				}
			}
		}
	}
}

// headerPart is a header text as compared: without blanks or line breaks,
// which headers hold to fit their column.
func headerPart(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// pathSep joins the texts of several header rows into a column's path.
const pathSep = " › "

// headerPath normalises a header or header path: its parts without blanks,
// empty parts and a part repeating the one above dropped (a header merged
// down the header rows), joined by " › ". A path may be written with › or >.
func headerPath(parts ...string) string {
	var out []string
	for _, p := range parts {
		for _, q := range strings.FieldsFunc(p, func(r rune) bool { return r == '›' || r == '>' }) {
			q = headerPart(q)
			if q != "" && (len(out) == 0 || out[len(out)-1] != q) {
				out = append(out, q)
			}
		}
	}
	return strings.Join(out, pathSep)
}

// notesRow matches the text of a notes row under the data:
// 注：…, 注1…, 备注…, 说明…
var notesRow = regexp.MustCompile(`^\s*(注\s*[:：0-9０-９一二三四五六七八九十、.]|注\s*$|备\s*注|说\s*明)`)

// isNotes reports whether row is a notes row: its only filled cell (notes
// are merged across the table) starts as notes do. A data row whose title
// starts with 说明 has other cells filled, and is read.
func isNotes(row []string) bool {
	note := ""
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			if note != "" {
				return false
			}
			note = c
		}
	}
	return note != "" && notesRow.MatchString(note)
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// grid is a sheet with its headers understood: which column holds which
// field, and where the data lies.
type grid struct {
	*sheet
	paths      []string // each column's header path
	fields     []string // each column's field, "" for one import does not know
	first      int      // the first data row, 0-based
	last       int      // the last data row the layout allows, 0-based
	headerLast int      // the last header row, 0-based
}

// readHeaders finds the header rows — the layout's, else the one among the
// first ten that names a key column and one more ledger column — and maps
// each column to a field: by the mapping, else by the standard headers
// (the last part of a path counts, so 进度安排 › 二季度 is schedule.q2).
func readHeaders(sh *sheet, lay domain.LedgerLayout, mapping map[string]string) (*grid, error) {
	m := make(map[string]string, len(mapping))
	for h, f := range mapping {
		m[headerPath(h)] = f
	}
	std := map[string]string{}
	for _, c := range layout {
		std[c.header] = c.field
		std[c.field] = c.field
	}
	fieldOf := func(path string) string {
		leaf := path
		if i := strings.LastIndex(path, pathSep); i >= 0 {
			leaf = path[i+len(pathSep):]
		}
		for _, k := range []string{path, leaf} {
			if f, ok := m[k]; ok {
				return f
			}
		}
		for _, k := range []string{path, leaf} {
			if f, ok := std[k]; ok {
				return f
			}
		}
		return ""
	}
	width := 0
	for _, r := range sh.rows {
		width = max(width, len(r))
	}
	columnsOf := func(from, to int) *grid {
		g := &grid{sheet: sh, paths: make([]string, width), fields: make([]string, width), headerLast: to, first: to + 1, last: len(sh.rows) - 1}
		for c := 0; c < width; c++ {
			parts := make([]string, 0, to-from+1)
			for r := from; r <= to; r++ {
				parts = append(parts, sh.cell(r, c))
			}
			g.paths[c] = headerPath(parts...)
			if g.paths[c] != "" {
				g.fields[c] = fieldOf(g.paths[c])
			}
		}
		return g
	}
	var g *grid
	if n := len(lay.HeaderRows); n > 0 {
		from, to := lay.HeaderRows[0]-1, lay.HeaderRows[n-1]-1
		if to >= len(sh.rows) {
			return nil, invalid("header_rows", "sheet %s has %d rows; the header rows %v are not in it", sh.name, len(sh.rows), lay.HeaderRows)
		}
		sh.spread(func(r, _ int) bool { return r >= from && r <= to })
		g = columnsOf(from, to)
		known := 0
		for _, f := range g.fields {
			if f != "" {
				known++
			}
		}
		if known == 0 {
			return nil, invalid("header_rows", "rows %v of sheet %s name no ledger column; map their headers in columns", lay.HeaderRows, sh.name)
		}
	} else {
		for r := 0; r < len(sh.rows) && r < 10 && g == nil; r++ {
			c := columnsOf(r, r)
			keys, known := 0, 0
			for _, f := range c.fields {
				if f != "" {
					known++
				}
				if f == "id" || f == "number" || f == "title" {
					keys++
				}
			}
			if known >= 2 && keys > 0 {
				g = c
			}
		}
		if g == nil {
			return nil, invalid("file", "no header row found in the first ten rows: it must name the column 编号, 项目名称 or 系统编号 and one more ledger column; for other headers save a column mapping")
		}
	}
	if lay.DataFirstRow > 0 {
		g.first = lay.DataFirstRow - 1
	}
	if lay.DataLastRow > 0 {
		g.last = min(g.last, lay.DataLastRow-1)
	}
	return g, nil
}
