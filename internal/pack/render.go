package pack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
)

// Render writes the document in format f. A PDF is printed from the HTML
// by headless Chromium (pdf.go): RenderContext bounds it by a context.
func (d *Doc) Render(w io.Writer, f Format) error {
	return d.RenderContext(context.Background(), w, f)
}

// RenderContext is Render, the printing of a PDF bounded by ctx.
func (d *Doc) RenderContext(ctx context.Context, w io.Writer, f Format) error {
	switch f {
	case Markdown:
		_, err := io.WriteString(w, d.Markdown())
		return err
	case DOCX:
		return d.writeDOCX(w)
	case PDF:
		var html bytes.Buffer
		if err := htmlPage.Execute(&html, d); err != nil {
			return err
		}
		return writePDF(ctx, w, html.Bytes())
	}
	return htmlPage.Execute(w, d)
}

// writePDF prints a print-ready page to w.
func writePDF(ctx context.Context, w io.Writer, html []byte) error {
	b, err := PrintPDF(ctx, html)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// HTMLToPDF prints a page rendered before (an issued pack's, kept byte for
// byte) to PDF.
func HTMLToPDF(ctx context.Context, html []byte) ([]byte, error) { return PrintPDF(ctx, html) }

// Bytes renders the document in format f.
func (d *Doc) Bytes(f Format) ([]byte, error) {
	var b bytes.Buffer
	err := d.Render(&b, f)
	return b.Bytes(), err
}

// Markdown renders the document as CommonMark with pipe tables. Every text
// in it may come from a user (a meeting's title, an item's, a problem's),
// so each is escaped: headings and cells on one line, paragraphs as they
// are made (Doc.para), where the document's own markup is known.
func (d *Doc) Markdown() string {
	var b strings.Builder
	for _, bl := range d.blocks {
		switch bl.Kind {
		case titleBlock:
			b.WriteString("# " + mdLine(bl.Text) + "\n\n")
		case subtitleBlock:
			b.WriteString("**" + mdLine(bl.Text) + "**\n\n")
		case heading1Block:
			b.WriteString("## " + mdLine(bl.Text) + "\n\n")
		case heading2Block:
			b.WriteString("### " + mdLine(bl.Text) + "\n\n")
		case paraBlock:
			b.WriteString(bl.Markdown + "\n\n")
		case tableBlock:
			b.WriteString("| " + strings.Join(mdCells(bl.Header), " | ") + " |\n")
			b.WriteString(strings.Repeat("| --- ", len(bl.Header)) + "|\n")
			for _, r := range bl.Rows {
				b.WriteString("| " + strings.Join(mdCells(r), " | ") + " |\n")
			}
			b.WriteString("\n")
		case checkpointBlock:
			b.WriteString("---\n\n" + mdLine(bl.Text) + "\n\n")
			if bl.Note != "" {
				// A fence longer than any run of backticks in the note.
				fence := "```"
				for strings.Contains(bl.Note, fence) {
					fence += "`"
				}
				b.WriteString(fence + "text\n" + bl.Note + fence + "\n\n")
			}
		}
	}
	return b.String()
}

func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(mdLine(c), "|", `\|`)
	}
	return out
}

// mdLine is text escaped for a place that holds one line (a heading, a
// cell): its line breaks become spaces, so it cannot start a block.
func mdLine(s string) string {
	return mdInline.Replace(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " "))
}

// mdInline escapes what reads as markup anywhere in a line: emphasis, code,
// links and images, raw HTML and entities.
var mdInline = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;")

// mdBlockStart matches what, at the start of a line, opens a block: a
// heading, quote, list item, thematic break, fence or table row.
var mdBlockStart = regexp.MustCompile(`^\s*([#>+=|~-]|[0-9]+[.)])`)

// mdParagraph is a paragraph's Markdown: the format is the document's own
// (it may make a list item, "%d. %s"), the text arguments are the users'
// and escaped, and every line a user's text starts is kept from opening a
// block.
func mdParagraph(format string, args []any) string {
	escaped := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = mdInline.Replace(s)
		}
		escaped[i] = a
	}
	lines := strings.Split(fmt.Sprintf(format, escaped...), "\n")
	for i, l := range lines {
		if (i > 0 || strings.HasPrefix(format, "%s")) && mdBlockStart.MatchString(l) {
			lines[i] = `\` + strings.TrimLeft(l, " \t")
		}
	}
	return strings.Join(lines, "\n")
}

// printCSS styles the print-ready page. It is the page's only inline
// content, so a strict Content-Security-Policy can allow it by its hash.
const printCSS = `
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
@font-face { font-family: "Pack Title"; src: local("方正小标宋简体"), local("FZXiaoBiaoSong-B05S"), local("小标宋"), local("FZXBSJW--GB1-0"); }
@font-face { font-family: "Pack Title Fallback"; src: local("Noto Serif CJK SC Bold"), local("NotoSerifCJKsc-Bold"), local("Noto Serif CJK SC"); font-weight: normal; }
body { font-family: "仿宋_GB2312", "仿宋", "FangSong_GB2312", "FangSong", "STFangsong", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.6; color: #000; margin: 0; }
h1 { font-family: "Pack Title", "Pack Title Fallback", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center; font-weight: normal; margin: 0 0 .3em; }
p.subtitle { text-align: center; font-family: "楷体_GB2312", "楷体", "KaiTi_GB2312", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif; margin: 0 0 1.5em; }
h2 { font-family: "黑体", "SimHei", "STHeiti", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 1em 0 .3em; }
h3 { font-family: "楷体_GB2312", "楷体", "KaiTi_GB2312", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif; font-size: 16pt; font-weight: normal; margin: .8em 0 .3em; }
p { text-indent: 2em; margin: 0 0 .3em; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; margin: .5em 0 1em; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; }
th { font-family: "黑体", "SimHei", "Noto Sans CJK SC", sans-serif; font-weight: normal; }
tr { page-break-inside: avoid; }
h2, h3 { page-break-after: avoid; }
footer { margin-top: 2em; border-top: 1px solid #000; font-size: 9pt; line-height: 1.4; }
footer p { text-indent: 0; }
footer pre { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; white-space: pre-wrap; word-break: break-all; margin: .3em 0 0; }
@media screen { body { max-width: 46em; margin: 2em auto; padding: 0 1em; } }
@media screen and (max-width: 480px) { body { font-size: 13pt; margin: 1em auto; padding: 0 .6em; } h1 { font-size: 17pt; } table { font-size: 10pt; } th, td { padding: 1pt 2pt; } }
`

// StyleSource is the CSP source that allows the page's style and nothing
// else inline, for serving the page under a policy without 'unsafe-inline'.
func StyleSource() string {
	sum := sha256.Sum256([]byte(printCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// ContentSecurityPolicy is the policy to serve the print-ready page under,
// wherever it is served (the web's pack, the API's HTML papers): its one
// style allowed by hash, nothing else at all.
func ContentSecurityPolicy() string {
	return "default-src 'none'; style-src " + StyleSource() + "; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}

// page is the print-ready HTML: A4, official fonts with Noto CJK as the
// fallback, no external assets.
var htmlPage = template.Must(template.New("page").Funcs(template.FuncMap{
	"blocks": func(d *Doc) []block { return d.blocks },
	"css":    func() template.CSS { return template.CSS(printCSS) },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{css}}</style>
</head>
<body>
{{range blocks .}}{{if eq .Kind 0}}<h1>{{.Text}}</h1>
{{else if eq .Kind 1}}<p class="subtitle">{{.Text}}</p>
{{else if eq .Kind 2}}<h2>{{.Text}}</h2>
{{else if eq .Kind 3}}<h3>{{.Text}}</h3>
{{else if eq .Kind 4}}<p>{{.Text}}</p>
{{else if eq .Kind 6}}<footer>
<p>{{.Text}}</p>
{{if .Note}}<pre>{{.Note}}</pre>
{{end}}</footer>
{{else}}<table>
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}</body>
</html>
`))
