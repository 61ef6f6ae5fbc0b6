package ledger

import (
	"bytes"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Grid is the top of a ledger's sheet as import reads it, for a page where
// a person points the columns of a layout never seen before to fields:
// the first rows as written, and each column with its header path and the
// field import would read it as under the options given.
type Grid struct {
	Sheet  string
	Sheets []string   // the workbook's sheets, in order; one for a CSV
	Rows   [][]string // the first rows as written, each Width cells wide
	Width  int
	Total  int // rows in the sheet
	// Columns are every column, A first.
	Columns []GridColumn
	// FirstData and LastData are the 1-based data rows the layout gives
	// (LastData: the last row of the sheet when the layout names none);
	// HeaderFirst and HeaderLast the header rows; all 0 when the headers
	// were not found.
	FirstData, LastData, HeaderFirst, HeaderLast int
	// Missing lists the mapping's headers no column has.
	Missing []string
}

// GridColumn is one column of a Grid.
type GridColumn struct {
	Letter string // as Excel names it: A, B, … AA
	Path   string // its header path, such as 进度安排 › 二季度; "" without a header
	Field  string // the field import reads it as; "" for none
}

// ReadGrid reads the first rows of a ledger's sheet and its headers as
// PreviewImport will read them under opts. When the file is read but its
// headers are not found, it returns the grid without paths and fields, and
// the error saying why; when the layout's header rows name no field, the
// grid with their paths, and the error.
func ReadGrid(file []byte, opts Options, rows int) (*Grid, error) {
	sh, err := readFile(file, opts.Format, opts.Layout.Sheet)
	if err != nil {
		return nil, err
	}
	g := &Grid{Sheet: sh.name, Sheets: sh.names, Total: len(sh.rows), Missing: []string{}}
	if len(g.Sheets) == 0 {
		g.Sheets = []string{sh.name}
	}
	for _, r := range sh.rows {
		g.Width = max(g.Width, len(r))
	}
	for i := 0; i < len(sh.rows) && i < rows; i++ {
		row := make([]string, g.Width)
		copy(row, sh.rows[i])
		g.Rows = append(g.Rows, row)
	}
	g.Columns = make([]GridColumn, g.Width)
	for c := range g.Columns {
		g.Columns[c].Letter, _ = excelize.ColumnNumberToName(c + 1)
	}
	hd, err := readHeaders(&sh, opts.Layout, opts.Mapping)
	if hd == nil {
		return g, err
	}
	for c := range g.Columns {
		g.Columns[c].Path, g.Columns[c].Field = hd.paths[c], hd.fields[c]
	}
	if err != nil {
		return g, err // headers that name no field yet
	}
	g.HeaderFirst, g.HeaderLast, g.FirstData, g.LastData = hd.headerFirst+1, hd.headerLast+1, hd.first+1, hd.last+1
	g.Missing = missingHeaders(hd, opts.Mapping)
	return g, nil
}

// Fits reports whether a mapping's headers are all found in the grid's
// columns, so that a saved mapping can be offered for a file.
func (g *Grid) Fits() bool {
	return len(g.Missing) == 0 && slices.ContainsFunc(g.Columns, func(c GridColumn) bool { return c.Field != "" })
}

// FormatOf decides the format of an uploaded file: by its media type or
// its name, else by its content (an XLSX is a zip archive), else CSV.
func FormatOf(name, mediaType string, file []byte) Format {
	name = strings.ToLower(name)
	switch {
	case mediaType == MediaTypeXLSX || strings.HasSuffix(name, ".xlsx"):
		return XLSX
	case mediaType == MediaTypeCSV || strings.HasSuffix(name, ".csv"):
		return CSV
	case bytes.HasPrefix(file, []byte("PK\x03\x04")):
		return XLSX
	}
	return CSV
}

// The media types of the formats.
const (
	MediaTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	MediaTypeCSV  = "text/csv"
)
