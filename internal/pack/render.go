package pack

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
	"strings"
)

// Render writes the document in format f.
func (d *Doc) Render(w io.Writer, f Format) error {
	switch f {
	case Markdown:
		_, err := io.WriteString(w, d.Markdown())
		return err
	case DOCX:
		return d.writeDOCX(w)
	}
	return page.Execute(w, d)
}

// Bytes renders the document in format f.
func (d *Doc) Bytes(f Format) ([]byte, error) {
	var b bytes.Buffer
	err := d.Render(&b, f)
	return b.Bytes(), err
}

// Markdown renders the document as CommonMark with pipe tables.
func (d *Doc) Markdown() string {
	var b strings.Builder
	for _, bl := range d.blocks {
		switch bl.Kind {
		case titleBlock:
			b.WriteString("# " + bl.Text + "\n\n")
		case subtitleBlock:
			b.WriteString("**" + bl.Text + "**\n\n")
		case heading1Block:
			b.WriteString("## " + bl.Text + "\n\n")
		case heading2Block:
			b.WriteString("### " + bl.Text + "\n\n")
		case paraBlock:
			b.WriteString(mdEscape(bl.Text) + "\n\n")
		case tableBlock:
			b.WriteString("| " + strings.Join(mdCells(bl.Header), " | ") + " |\n")
			b.WriteString(strings.Repeat("| --- ", len(bl.Header)) + "|\n")
			for _, r := range bl.Rows {
				b.WriteString("| " + strings.Join(mdCells(r), " | ") + " |\n")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(mdEscape(c), "|", `\|`), "\n", " ")
	}
	return out
}

// mdEscape keeps text from reading as Markdown markup where it matters: a
// leading # or list marker, emphasis and HTML.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "<", "&lt;", "`", "\\`")
	s = r.Replace(s)
	if strings.HasPrefix(s, "#") || strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "+ ") {
		s = `\` + s
	}
	return s
}

// printCSS styles the print-ready page. It is the page's only inline
// content, so a strict Content-Security-Policy can allow it by its hash.
const printCSS = `
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋_GB2312", "仿宋", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.6; color: #000; margin: 0; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center; font-weight: normal; margin: 0 0 .3em; }
p.subtitle { text-align: center; font-family: "KaiTi", "楷体", "Noto Serif CJK SC", serif; margin: 0 0 1.5em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 1em 0 .3em; }
h3 { font-family: "KaiTi", "楷体", "Noto Serif CJK SC", serif; font-size: 16pt; font-weight: normal; margin: .8em 0 .3em; }
p { text-indent: 2em; margin: 0 0 .3em; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; margin: .5em 0 1em; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; }
th { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-weight: normal; }
tr { page-break-inside: avoid; }
h2, h3 { page-break-after: avoid; }
@media screen { body { max-width: 46em; margin: 2em auto; padding: 0 1em; } }
`

// StyleSource is the CSP source that allows the page's style and nothing
// else inline, for serving the page under a policy without 'unsafe-inline'.
func StyleSource() string {
	sum := sha256.Sum256([]byte(printCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// page is the print-ready HTML: A4, official fonts with Noto CJK as the
// fallback, no external assets.
var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"blocks": func(d *Doc) []block { return d.blocks },
	"css":    func() template.CSS { return template.CSS(printCSS) },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>{{css}}</style>
</head>
<body>
{{range blocks .}}{{if eq .Kind 0}}<h1>{{.Text}}</h1>
{{else if eq .Kind 1}}<p class="subtitle">{{.Text}}</p>
{{else if eq .Kind 2}}<h2>{{.Text}}</h2>
{{else if eq .Kind 3}}<h3>{{.Text}}</h3>
{{else if eq .Kind 4}}<p>{{.Text}}</p>
{{else}}<table>
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}{{end}}</body>
</html>
`))
