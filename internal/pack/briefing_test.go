package pack_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// banned are what made the pack read as a system audit (issue 12): the
// system talking about itself, the time zone's name, ISO dates, and the
// broken sentences of the indicators and the upper meetings.
var banned = []string{"系统中没有", "录入系统", "Asia/Shanghai", "（Asia", "2（2023-05-12） 超过", "，2022年9月，重庆成都双核联动联建会议。",
	"数据均取自系统记录", "未记录议定事项", "系统未记录"}

var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}|\d{4}-\d{2}\b|\d{4}-Q\d`)

// TestDemoPackReadsAsABriefing: the demo's pack of working-group meeting no.
// 2 and the scenario's pack have no section that only says 无, none of the
// phrases of a system audit, no ISO date outside the audit checkpoint, and
// their sections in the order of a briefing.
func TestDemoPackReadsAsABriefing(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustLoadDemo(t, s)
		mt := meetingNamed(t, s, "成渝双核联动工作组第二次会议")
		p, err := pack.Build(ctx, s, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		md := string(mustRender(t, p.Doc(), pack.Markdown))
		body, _, _ := strings.Cut(md, "\n---\n") // the checkpoint is verbatim
		for _, bad := range banned {
			if strings.Contains(md, bad) {
				t.Errorf("the pack says %q", bad)
			}
		}
		if m := isoDate.FindString(body); m != "" {
			t.Errorf("the pack writes a date as %s, not in Chinese", m)
		}
		sections := regexp.MustCompile(`(?m)^## (.+)$`).FindAllStringSubmatch(body, -1)
		var titles []string
		for i, m := range sections {
			titles = append(titles, m[1])
			// What stands between this heading and the next.
			start := strings.Index(body, m[0]) + len(m[0])
			end := len(body)
			if i+1 < len(sections) {
				end = strings.Index(body, sections[i+1][0])
			}
			text := strings.TrimSpace(body[start:end])
			if text == "" || text == "无" || text == "无。" {
				t.Errorf("section %s says only %q", m[1], text)
			}
		}
		if got := strings.Join(titles, " "); got != "一、总体情况 二、进展和亮点 三、附件" {
			t.Errorf("sections %q, want 总体情况, 进展和亮点 and 附件 (the demo holds no problem, decision or next step)", got)
		}
		if strings.Contains(body, "\n无。\n") || strings.Contains(body, "\n无\n") {
			t.Error("a paragraph of the pack says only 无")
		}
	})
}

// TestEditedSectionsReplaceTheGenerated: a section's generated text given
// back unchanged gives the same document; the secretariat's words replace a
// section's (a （一） line becoming a subheading, its tables kept); a
// section with nothing generated appears once written, numbered in order;
// and text typed as markup stays text.
func TestEditedSectionsReplaceTheGenerated(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	mustLoadDemo(t, s)
	p, err := pack.Build(context.Background(), s, meetingNamed(t, s, "成渝双核联动工作组第二次会议").ID)
	if err != nil {
		t.Fatal(err)
	}
	same := domain.PackEdits{}
	for _, sec := range p.Sections() {
		same[sec.Key] = sec.Text()
	}
	if got, want := string(mustRender(t, p.DocWith(same), pack.Markdown)), string(mustRender(t, p.Doc(), pack.Markdown)); got != want {
		t.Errorf("the generated text given back changes the pack:\n%s", got)
	}
	md := string(mustRender(t, p.DocWith(domain.PackEdits{
		pack.OverviewSection: "两地合作总体平稳。\n\n（一）补充说明\n\n<b>第二段</b>",
		pack.NextSection:     "请各单位于6月30日前报送总结。",
	}), pack.Markdown))
	for _, want := range []string{"## 一、总体情况\n\n两地合作总体平稳。\n\n### （一）补充说明\n\n&lt;b&gt;第二段&lt;/b&gt;",
		"## 三、下一步工作\n\n请各单位于6月30日前报送总结。", "## 四、附件", "| 成都方 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the edited pack lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "均在推进中") && strings.Contains(md[:strings.Index(md, "## 二")], "均在推进中") {
		t.Error("the overview still has its generated text")
	}
}

// TestPDFOfThePack prints the demo's pack of working-group meeting no. 2
// with headless Chromium: pdftotext finds the headings and figures, and
// pdffonts lists CJK fonts, embedded. Skipped without Chromium or poppler,
// unless LIANDONG_REQUIRE_BROWSER=1.
func TestPDFOfThePack(t *testing.T) {
	for _, tool := range []string{"chromium", "pdftotext", "pdffonts"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("LIANDONG_REQUIRE_BROWSER") == "1" {
				t.Fatalf("LIANDONG_REQUIRE_BROWSER=1 but %s is missing", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	s := storetest.MustOpenSQLite(t)
	mustLoadDemo(t, s)
	ctx := context.Background()
	p, err := pack.Build(ctx, s, meetingNamed(t, s, "成渝双核联动工作组第二次会议").ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Doc().Bytes(pack.PDF)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("PACK_KEEP_DIR"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "pack-chromium.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{"成渝双核联动工作组第二次会议会议材料", "一、总体情况", "二、进展和亮点", "三、附件",
		"两市先进制造业产值超过2万亿元", "（一）国际性综合交通枢纽", "（一）成员单位", "—1—", "—2—"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, out)
		}
	}
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	// Chromium embeds the Noto CJK fonts (CFF outlines) as Type 3 fonts,
	// glyph by glyph, with a ToUnicode map: pdffonts lists them unnamed.
	// Every font must be embedded, and the Chinese text above was found
	// through them.
	rows, embedded := 0, 0
	for _, line := range strings.Split(string(fonts), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		rows++
		if f[len(f)-5] == "yes" {
			embedded++
		} else {
			t.Errorf("a font is not embedded: %s", line)
		}
	}
	if rows < 10 || embedded != rows {
		t.Errorf("pdffonts lists %d fonts, %d embedded; want the CJK glyphs embedded:\n%s", rows, embedded, fonts)
	}
}

// TestAnnualReportPDF: the annual report prints to PDF too.
func TestAnnualReportPDF(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		if os.Getenv("LIANDONG_REQUIRE_BROWSER") == "1" {
			t.Fatal("LIANDONG_REQUIRE_BROWSER=1 but chromium is missing")
		}
		t.Skip("chromium is not installed")
	}
	s := storetest.MustOpenSQLite(t)
	mustLoadDemo(t, s)
	ctx := context.Background()
	first, err := store.All(ctx, s.Batches, map[string]string{"q": "第一批"}, false)
	if err != nil || len(first) != 1 {
		t.Fatalf("first batch: %v", err)
	}
	a, err := pack.BuildAnnual(ctx, s, first[0].ID, 2024, storetest.Start)
	if err != nil {
		t.Fatal(err)
	}
	if b := mustRender(t, a.Doc(), pack.PDF); !strings.HasPrefix(string(b), "%PDF") {
		t.Error("the annual report's PDF is no PDF")
	}
}

// TestPDFUnavailableWithoutChromium: without a browser, printing says so.
func TestPDFUnavailableWithoutChromium(t *testing.T) {
	t.Setenv("LIANDONG_CHROMIUM", "/nonexistent/chromium")
	_, err := pack.PrintPDF(context.Background(), []byte("<html></html>"))
	if !pack.IsPDFUnavailable(err) || !strings.Contains(pack.UnavailableText(err).String(), "no Chromium is installed") {
		t.Errorf("err = %v, want PDF unavailable with the reason", err)
	}
}

func mustRender(t *testing.T, d *pack.Doc, f pack.Format) []byte {
	t.Helper()
	b, err := d.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEditedAnnexKeepsItsTables: words added to the annex keep each table
// under its subheading.
func TestEditedAnnexKeepsItsTables(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	mustLoadDemo(t, s)
	p, err := pack.Build(context.Background(), s, meetingNamed(t, s, "成渝双核联动工作组第二次会议").ID)
	if err != nil {
		t.Fatal(err)
	}
	var annex string
	for _, sec := range p.Sections() {
		if sec.Key == pack.AnnexSection {
			annex = sec.Text()
		}
	}
	md := string(mustRender(t, p.DocWith(domain.PackEdits{pack.AnnexSection: annex + "\n\n另附各单位书面材料，会上分发。"}), pack.Markdown))
	members := strings.Index(md, "### （一）成员单位\n\n| 方 |")
	batches := strings.Index(md, "### （二）本期间确定的合作项目批次\n\n| 序号 | 批次 |")
	if members < 0 || batches < members || !strings.Contains(md, "另附各单位书面材料，会上分发。") {
		t.Errorf("the edited annex lost its tables' places:\n%s", md)
	}
}

// TestPackEditsAreChecked: the store keeps words only for the pack's
// sections, each of them one the pack builds.
func TestPackEditsAreChecked(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	mustLoadDemo(t, s)
	ctx := context.Background()
	mt := meetingNamed(t, s, "成渝双核联动工作组第二次会议")
	p, err := pack.Build(ctx, s, mt.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, sec := range p.Sections() {
		keys = append(keys, sec.Key)
	}
	if strings.Join(keys, ",") != strings.Join(pack.SectionKeys, ",") {
		t.Errorf("sections built %v, the store knows %v", keys, pack.SectionKeys)
	}
	err = s.SavePackEdits(ctx, domain.Actor{}, mt.ID, domain.PackEdits{"appendix": "另附"})
	if domain.ErrorCode(err) != domain.Invalid {
		t.Errorf("an edit of no section: %v, want invalid", err)
	}
	if edits, _ := s.PackEdits(ctx, domain.Actor{}, mt.ID); len(edits) != 0 {
		t.Errorf("stored %v", edits)
	}
}
