package pack

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// writeDOCX writes the document as WordprocessingML in a zip package, with
// the standard library only: the title, 一、 headings (Heading1) and （一）
// headings (Heading2) are real heading styles with outline levels, on A4
// with the margins of an official document, in the fonts GB/T 9704 names
// (see fontTable for where they are not installed).
func (d *Doc) writeDOCX(w io.Writer) error {
	z := zip.NewWriter(w)
	// A fixed time keeps the file the same from one run to the next.
	stamp := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/styles.xml", styles},
		{"word/fontTable.xml", fontTable},
		{"word/footer1.xml", footer},
		{"word/document.xml", d.documentXML()},
	}
	for _, p := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

func (d *Doc) documentXML() string {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, bl := range d.blocks {
		switch bl.Kind {
		case titleBlock:
			para(&b, "Title", bl.Text)
		case subtitleBlock:
			para(&b, "Subtitle", bl.Text)
		case heading1Block:
			para(&b, "Heading1", bl.Text)
		case heading2Block:
			para(&b, "Heading2", bl.Text)
		case paraBlock:
			para(&b, "", bl.Text)
		case tableBlock:
			b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>`)
			for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
				b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
			}
			b.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
			widths := columnWidths(bl)
			for _, w := range widths {
				b.WriteString(`<w:gridCol w:w="` + strconv.Itoa(w) + `"/>`)
			}
			b.WriteString(`</w:tblGrid>`)
			row := func(cells []string, header bool) {
				b.WriteString(`<w:tr>`)
				if header {
					b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
				}
				for i, c := range cells {
					b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(widths[i]) + `" w:type="dxa"/></w:tcPr>`)
					style := "TableText"
					if header {
						style = "TableHeader"
					}
					para(&b, style, c)
					b.WriteString(`</w:tc>`)
				}
				b.WriteString(`</w:tr>`)
			}
			row(bl.Header, true)
			for _, r := range bl.Rows {
				row(r, false)
			}
			b.WriteString(`</w:tbl>`)
			para(&b, "", "")
		case checkpointBlock:
			para(&b, "CheckpointCaption", bl.Text)
			if bl.Note != "" {
				for _, line := range strings.Split(strings.TrimSuffix(bl.Note, "\n"), "\n") {
					para(&b, "Checkpoint", line) // one paragraph a line, so the note copies out verbatim
				}
			}
		}
	}
	// A4 with the margins of GB/T 9704 (official documents).
	b.WriteString(`<w:sectPr><w:footerReference xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" w:type="default" r:id="rId2"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>`)
	b.WriteString(`</w:body></w:document>`)
	return b.String()
}

// textWidth is the width between the margins of an A4 page, in twips.
const textWidth = 11906 - 1474 - 1588

// columnWidths shares the text width among a table's columns: each gets
// what its longest cell needs (a CJK character at 10.5 pt is 210 twips,
// plus the cell's margins) and, when the page is too narrow for all, the
// widest columns give way first, so short columns (序号) never wrap.
func columnWidths(bl block) []int {
	need := make([]int, len(bl.Header))
	for i := range bl.Header {
		w := utf8.RuneCountInString(bl.Header[i])
		for _, r := range bl.Rows {
			if i < len(r) {
				w = max(w, utf8.RuneCountInString(r[i]))
			}
		}
		need[i] = max(w, 2)*225 + 300
	}
	sum := func(c int) int {
		t := 0
		for _, n := range need {
			t += min(n, c)
		}
		return t
	}
	// The largest cap at which the columns fit, found by bisection.
	lo, hi := 0, textWidth
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if sum(mid) <= textWidth {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	out := make([]int, len(need))
	total := 0
	for i, n := range need {
		out[i] = min(n, lo)
		total += out[i]
	}
	// Share what is left in proportion, so the table spans the text width.
	for i := range out {
		out[i] += (textWidth - total) * out[i] / max(total, 1)
	}
	return out
}

func para(b *strings.Builder, style, text string) {
	b.WriteString(`<w:p>`)
	if style != "" {
		b.WriteString(`<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`)
	}
	if text != "" {
		b.WriteString(`<w:r><w:t xml:space="preserve">`)
		xml.EscapeText(b, []byte(text))
		b.WriteString(`</w:t></w:r>`)
	}
	b.WriteString(`</w:p>`)
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`

const documentRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/></Relationships>`

// footer numbers the pages as official documents do: — 1 —, centred.
const footer = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="center"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>`

// The fonts of an official document (GB/T 9704): the title in 方正小标宋简体,
// the body in 仿宋_GB2312, 一级标题 in 黑体, 二级标题 in 楷体_GB2312. The
// font table names, for each, the font to take where it is not installed
// (w:altName): Noto Serif CJK SC for the serif ones, Noto Sans CJK SC for
// 黑体 — what a Linux office suite has.
const (
	titleFont    = "方正小标宋简体"
	bodyFont     = "仿宋_GB2312"
	heading1Font = "黑体"
	heading2Font = "楷体_GB2312"
)

const fontTable = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:font w:name="` + titleFont + `"><w:altName w:val="Noto Serif CJK SC"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="` + bodyFont + `"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="仿宋"><w:altName w:val="Noto Serif CJK SC"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="` + heading1Font + `"><w:altName w:val="Noto Sans CJK SC"/><w:charset w:val="86"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="` + heading2Font + `"><w:altName w:val="楷体"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`<w:font w:name="楷体"><w:altName w:val="Noto Serif CJK SC"/><w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
	`</w:fonts>`

// font declares an official font for East Asian text and Times New Roman
// for the rest; w:hint makes Word and LibreOffice treat the runs as East
// Asian.
func font(eastAsia string) string {
	return `<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="` + eastAsia + `" w:cs="Times New Roman" w:hint="eastAsia"/>`
}

var styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr>` + font(bodyFont) + `<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="560" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLine="640"/><w:jc w:val="both"/></w:pPr><w:rPr>` + font(bodyFont) + `</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:jc w:val="center"/><w:spacing w:after="200" w:line="700" w:lineRule="exact"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>` + font(titleFont) + `<w:b/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:jc w:val="center"/><w:spacing w:after="300"/></w:pPr><w:rPr>` + font(heading2Font) + `</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>` + font(heading1Font) + `</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr>` + font(heading2Font) + `</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:spacing w:line="360" w:lineRule="auto"/><w:jc w:val="left"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TableHeader"><w:name w:val="Table Header"/><w:basedOn w:val="TableText"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr>` + font(heading1Font) + `</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="CheckpointCaption"><w:name w:val="Checkpoint Caption"/><w:basedOn w:val="TableText"/><w:pPr><w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="000000"/></w:pBdr><w:spacing w:before="480"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Checkpoint"><w:name w:val="Checkpoint"/><w:basedOn w:val="TableText"/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:rFonts w:ascii="DejaVu Sans Mono" w:hAnsi="DejaVu Sans Mono" w:cs="DejaVu Sans Mono"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>`
