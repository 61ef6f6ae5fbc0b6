// Package pack compiles the papers a secretariat brings to a meeting: the
// meeting pack (what changed since the previous meeting of the same
// mechanism) and the annual completion report of a batch. Both are built
// from the stored data alone — business dates of records and the audit
// trail — so that compiling them again gives the same figures, and both
// render as a print-ready HTML page, Markdown and DOCX with the headings of
// an official briefing (一、 for sections, （一） for subsections).
package pack

import (
	"encoding/base64"
	"fmt"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/domain"
)

// Format is a rendering of a document.
type Format string

// The formats.
const (
	HTML     Format = "html"
	Markdown Format = "md"
	DOCX     Format = "docx"
	// PDF is the print-ready HTML printed by headless Chromium (pdf.go).
	PDF Format = "pdf"
)

// Formats lists the formats.
var Formats = []Format{HTML, Markdown, DOCX, PDF}

// ContentType is the media type of a rendering.
func (f Format) ContentType() string {
	switch f {
	case Markdown:
		return "text/markdown; charset=utf-8"
	case DOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case PDF:
		return "application/pdf"
	}
	return "text/html; charset=utf-8"
}

// Ext is the file name extension of a rendering.
func (f Format) Ext() string { return string(f) }

// blockKind is what a block of a document is.
type blockKind int

const (
	titleBlock blockKind = iota
	subtitleBlock
	heading1Block
	heading2Block
	paraBlock
	tableBlock
	// checkpointBlock closes the document: the latest signed checkpoint
	// of the audit log (Text says what it is, Note is the note verbatim).
	checkpointBlock
)

// block is one piece of a document: a heading, a paragraph or a table.
// Headings carry their number already (一、, （一）).
type block struct {
	Kind     blockKind
	Text     string
	Markdown string // a paragraph's, escaped as it was made
	Header   []string
	Rows     [][]string
	Note     string
}

// Doc is a document in a neutral form that the three renderers share, so
// the HTML page, the Markdown and the DOCX say the same thing.
type Doc struct {
	Title  string
	blocks []block
	h1, h2 int
}

func newDoc(title, subtitle string) *Doc {
	d := &Doc{Title: title}
	d.blocks = append(d.blocks, block{Kind: titleBlock, Text: title})
	if subtitle != "" {
		d.blocks = append(d.blocks, block{Kind: subtitleBlock, Text: subtitle})
	}
	return d
}

// section starts a numbered section: 一、二、三、
func (d *Doc) section(text string) {
	d.h1++
	d.h2 = 0
	d.blocks = append(d.blocks, block{Kind: heading1Block, Text: domain.ChineseNumeral(d.h1) + "、" + text})
}

// sub starts a numbered subsection: （一）（二）
func (d *Doc) sub(text string) {
	d.h2++
	d.blocks = append(d.blocks, block{Kind: heading2Block, Text: "（" + domain.ChineseNumeral(d.h2) + "）" + text})
}

func (d *Doc) para(format string, args ...any) {
	d.blocks = append(d.blocks, block{Kind: paraBlock, Text: fmt.Sprintf(format, args...), Markdown: mdParagraph(format, args)})
}

func (d *Doc) table(header []string, rows [][]string) {
	d.blocks = append(d.blocks, block{Kind: tableBlock, Header: header, Rows: rows})
}

// checkpoint closes the document with the latest signed checkpoint of the
// audit log, verbatim, so that a reader can keep it and hold the
// installation to the history the document was drawn from; or says that
// none has been issued.
func (d *Doc) checkpoint(c auditlog.Signed) {
	if c.Note == nil {
		d.blocks = append(d.blocks, block{Kind: checkpointBlock, Text: "审计日志检查点：本系统尚未签发审计日志检查点。"})
		return
	}
	d.blocks = append(d.blocks, block{Kind: checkpointBlock,
		Text: fmt.Sprintf("审计日志检查点：本材料生成时最近签发的检查点，日志%s，共%d条事件，根哈希%s。签名可用本系统公布的验证密钥核验，日志可用 liandong audit verify --checkpoint 核对。",
			c.Origin, c.N, base64.StdEncoding.EncodeToString(c.Hash[:])),
		Note: string(c.Note)})
}
