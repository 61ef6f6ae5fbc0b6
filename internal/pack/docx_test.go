package pack_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestDOCXOpensInLibreOffice converts the demo's pack for working-group
// meeting no. 2 and the first batch's annual report to PDF with LibreOffice
// (one conversion run for both) and checks the text of the PDFs holds the
// headings and figures (table cells may wrap, so the figures checked are
// those of paragraphs and short cells). It is skipped when soffice or pdftotext is missing,
// unless LIANDONG_REQUIRE_OFFICE=1.
func TestDOCXOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err == nil {
		_, err = exec.LookPath("pdftotext")
	}
	if err != nil {
		if os.Getenv("LIANDONG_REQUIRE_OFFICE") == "1" {
			t.Fatalf("LIANDONG_REQUIRE_OFFICE=1 but: %v", err)
		}
		t.Skipf("LibreOffice or pdftotext is not installed: %v", err)
	}
	s := storetest.MustOpenSQLite(t)
	mustLoadDemo(t, s)
	ctx := context.Background()
	mt := meetingNamed(t, s, "成渝双核联动工作组第二次会议")
	p, err := pack.Build(ctx, s, mt.ID)
	if err != nil {
		t.Fatal(err)
	}
	batches, err := store.All(ctx, s.Batches, map[string]string{"q": "第一批"}, false)
	if err != nil || len(batches) != 1 {
		t.Fatalf("first batch: %v %d", err, len(batches))
	}
	a, err := pack.BuildAnnual(ctx, s, batches[0].ID, 2024, storetest.Start)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// PACK_KEEP_DIR keeps the DOCX and PDF files for a look by eye.
	if d := os.Getenv("PACK_KEEP_DIR"); d != "" {
		dir = d
	}
	files := map[string]*pack.Doc{"pack.docx": p.Doc(), "annual.docx": a.Doc()}
	var args []string
	for name, d := range files {
		b, err := d.Bytes(pack.DOCX)
		if err != nil {
			t.Fatal(err)
		}
		wellFormed(t, b)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	cmd := exec.Command(soffice, append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for name, want := range map[string][]string{
		"pack.pdf": {"成渝双核联动工作组第二次会议会议材料", "第一次会议（2022年4月28日）以来工作进展情况",
			"一、总体情况", "两市先进制造业产值超过2万亿元", "二、进展和亮点", "（一）国际性综合交通枢纽", "成渝中线高铁（标志性项目）",
			"三、附件", "（一）成员单位", "（二）本期间确定的合作项目批次", "第一批合作项目", "互认检验项目",
			"战略合作协议", "2023年4月4日", "2023年4月13日", "—2—"},
		"annual.pdf": {"第一批合作项目2024年度完成情况报告", "一、总体情况", "第一批合作项目公布合作项目34个，系统已录入6个",
			"其中未开工0个，推进中6个，已完成0个", "二、分项目完成情况", "序号", "三、未完成节点", "四、数据说明"},
	} {
		out, err := exec.Command("pdftotext", filepath.Join(dir, name), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", name, err)
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, w := range want {
			if !strings.Contains(text, strings.Join(strings.Fields(w), "")) {
				t.Errorf("%s lacks %q; its text:\n%s", name, w, out)
			}
		}
	}
}

// wellFormed checks the package holds the parts Word needs and that each
// XML part parses.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range z.File {
		seen[f.Name] = true
	}
	for _, part := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/footer1.xml", "word/fontTable.xml"} {
		if !seen[part] {
			t.Errorf("the DOCX lacks %s", part)
		}
	}
	// The styles name the fonts of an official document (GB/T 9704), and
	// the font table the Noto CJK fonts to take where they are missing.
	for name, fonts := range map[string][]string{
		"word/styles.xml":    {`w:eastAsia="方正小标宋简体"`, `w:eastAsia="仿宋_GB2312"`, `w:eastAsia="黑体"`, `w:eastAsia="楷体_GB2312"`},
		"word/fontTable.xml": {`<w:font w:name="方正小标宋简体"><w:altName w:val="Noto Serif CJK SC"/>`, `<w:font w:name="黑体"><w:altName w:val="Noto Sans CJK SC"/>`},
	} {
		for _, f := range z.File {
			if f.Name != name {
				continue
			}
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			for _, want := range fonts {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("%s does not name %s", name, want)
				}
			}
		}
	}
}
