package pack

import (
	"strings"
	"testing"
)

// TestMarkdownEscapesEveryUserText puts markup in every place user text
// reaches the Markdown: the title (a meeting's), the subtitle, headings,
// paragraphs and table cells. None of it may become markup: no raw HTML,
// no link or image, no heading or quote started by a line break.
func TestMarkdownEscapesEveryUserText(t *testing.T) {
	const evil = "<img src=x onerror=alert(1)>\n# 假标题\n> 引用 ![track](https://evil.example/p.png) [link](javascript:alert(1)) &lt;b&gt;"
	d := newDoc(evil, evil)
	d.section(evil)
	d.sub(evil)
	d.para("%s", evil)
	d.table([]string{evil}, [][]string{{evil}})
	md := d.Markdown()
	for _, bad := range []string{"<img", "![", "[link]", "\n# 假", "\n> ", "&lt;b&gt;"} {
		if strings.Contains(md, bad) {
			t.Errorf("the Markdown holds %q:\n%s", bad, md)
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "# &lt;img") {
			t.Errorf("a heading line the document did not make: %q", line)
		}
	}
}
