// Package ledger exports a batch of cooperation items as the Excel ledger
// (台账) the units know — number, content, quarterly schedule, lead and
// cooperating units, status, progress and problems — and imports it back
// after a unit has filled it in offline: first a preview of what every row
// will add or change, then all rows or none. CSV works the same way (UTF-8
// or GBK), and a ledger laid out otherwise — title rows, headers over
// several rows, merged group cells, notes under the data — imports through
// a saved column mapping (domain.ColumnMapping).
//
// Import writes the editable columns (number, title, content, the four
// quarters of the schedule, status) and adds an item for a row whose key
// (the number, by default) matches none. Lead and cooperating units are
// read when a mapping names their columns, each by its name or an alias,
// and placed on the side whose jurisdiction holds it; an unknown name
// refuses the import and is listed with the closest units. In the standard
// layout, units, the light, progress and problems are exported to be read;
// import ignores them and the preview says so.
// Each exported row carries the item's id, its version and a digest of the
// editable cells in hidden columns. A row whose cells still match the digest
// was not edited and changes nothing; an edited row whose item changed since
// the export is refused, naming the row, unless its cells already equal what
// is stored.
package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Format is a ledger file format.
type Format string

// The formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// Limits on an uploaded ledger. A file is refused by its size before it is
// parsed, and an XLSX by the sizes its zip directory declares before a byte
// is inflated (a zip bomb).
const (
	MaxFileBytes     = 10 << 20 // the upload
	MaxUnzippedBytes = 64 << 20 // all parts of an XLSX, inflated
	MaxRows          = 20000
	maxErrors        = 200
)

//go:generate go test -run TestFixturesUpToDate -update-fixtures

// SheetName is the name of the ledger's sheet.
const SheetName = "台账"

// column is one column of the standard layout.
type column struct {
	field    string
	header   string
	width    float64
	editable bool
	hidden   bool
}

var layout = []column{
	{field: "number", header: "编号", width: 10, editable: true},
	{field: "title", header: "项目名称", width: 24, editable: true},
	{field: "content", header: "主要内容", width: 40, editable: true},
	{field: "schedule.q1", header: "一季度", width: 18, editable: true},
	{field: "schedule.q2", header: "二季度", width: 18, editable: true},
	{field: "schedule.q3", header: "三季度", width: 18, editable: true},
	{field: "schedule.q4", header: "四季度", width: 18, editable: true},
	{field: "lead", header: "牵头单位", width: 24},
	{field: "cooperating", header: "配合单位", width: 30},
	{field: "status", header: "状态", width: 10, editable: true},
	{field: "light", header: "灯号", width: 8},
	{field: "progress", header: "进展情况", width: 40},
	{field: "problems", header: "存在问题", width: 30},
	{field: "id", header: "系统编号", width: 8, hidden: true},
	{field: "version", header: "版本", width: 6, hidden: true},
	{field: "digest", header: "校验", width: 6, hidden: true},
}

func columnOf(field string) column {
	for _, c := range layout {
		if c.field == field {
			return c
		}
	}
	return column{field: field, header: field}
}

// statusLabels are the Chinese names the ledger shows for the statuses.
var statusLabels = map[domain.ItemStatus]string{
	domain.NotStarted: "未启动",
	domain.Advancing:  "推进中",
	domain.Completed:  "已完成",
	domain.Rescoped:   "已调整",
	domain.Paused:     "已暂停",
}

// StatusLabels lists the labels of the status drop-down, in order.
func StatusLabels() []string {
	out := make([]string, len(domain.ItemStatuses))
	for i, s := range domain.ItemStatuses {
		out[i] = statusLabels[s]
	}
	return out
}

// parseStatus reads a label or a status code.
func parseStatus(v string) (domain.ItemStatus, bool) {
	for s, l := range statusLabels {
		if v == l || v == string(s) {
			return s, true
		}
	}
	return "", false
}

var lightLabels = map[domain.Light]string{domain.Blue: "蓝", domain.Green: "绿", domain.Yellow: "黄", domain.Red: "红"}

// neutralise keeps a spreadsheet from reading text as a formula: a cell
// starting with = + - @ (or a tab or carriage return) gets a leading
// apostrophe, which import removes again.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func unneutralise(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// normalise is how cells and stored values are compared: line endings
// unified and surrounding blanks dropped, as a spreadsheet round trip does.
func normalise(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.TrimSpace(unneutralise(strings.TrimSpace(s)))
}

// digest fingerprints the editable cells of a row as exported.
func digest(cells func(field string) string) string {
	h := sha256.New()
	for _, c := range layout {
		if c.editable {
			h.Write([]byte(normalise(cells(c.field))))
			h.Write([]byte{0})
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
