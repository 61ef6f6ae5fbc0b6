package pack_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/store"
)

var htmlNote = regexp.MustCompile(`(?s)<footer>.*?<pre>(.*?)</pre>`)

// docxNote reads the lines of the DOCX's checkpoint back, one paragraph a
// line, as a reader copying them out of Word would.
func docxNote(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := z.Open("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	var note strings.Builder
	inNote, inText := false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "p" {
				inNote = false
			}
			if e.Name.Local == "pStyle" && len(e.Attr) == 1 && e.Attr[0].Value == "Checkpoint" {
				inNote = true
			}
			inText = e.Name.Local == "t"
		case xml.EndElement:
			if e.Name.Local == "p" && inNote {
				note.WriteString("\n")
			}
			inText = false
		case xml.CharData:
			if inNote && inText {
				note.Write(e)
			}
		}
	}
	return note.String()
}

// TestPackFooterCarriesCheckpoint: once a checkpoint is issued, the meeting
// pack and the annual report, as HTML, DOCX and Markdown, end with it; it
// verifies with the installation's verifier key, covers every event of
// the items the report shows, and the log extends it.
func TestPackFooterCarriesCheckpoint(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustLoadDemo(t, s)
		key, err := auditlog.OpenKey(filepath.Join(t.TempDir(), auditlog.KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		s.AuditKey = key
		mt := meetingNamed(t, s, "成渝双核联动工作组第二次会议")
		p, err := pack.Build(ctx, s, mt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if md, _ := p.Doc().Bytes(pack.Markdown); !bytes.Contains(md, []byte("本系统尚未签发审计日志检查点")) {
			t.Fatalf("before any checkpoint the pack does not say none was issued:\n%s", md)
		}

		issued, _, err := s.IssueCheckpoint(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if p, err = pack.Build(ctx, s, mt.ID); err != nil {
			t.Fatal(err)
		}
		first, err := store.All(ctx, s.Batches, map[string]string{"q": "第一批"}, false)
		if err != nil || len(first) != 1 {
			t.Fatalf("first batch: %v", err)
		}
		a, err := pack.BuildAnnual(ctx, s, first[0].ID, 2024, s.Now())
		if err != nil {
			t.Fatal(err)
		}
		notes := map[string]string{}
		for name, d := range map[string]*pack.Doc{"pack": p.Doc(), "annual report": a.Doc()} {
			h, err := d.Bytes(pack.HTML)
			if err != nil {
				t.Fatal(err)
			}
			m := htmlNote.FindSubmatch(h)
			if m == nil {
				t.Fatalf("the HTML %s has no checkpoint in its footer", name)
			}
			notes["HTML "+name] = html.UnescapeString(string(m[1]))
			docx, err := d.Bytes(pack.DOCX)
			if err != nil {
				t.Fatal(err)
			}
			notes["DOCX "+name] = docxNote(t, docx)
			md, err := d.Bytes(pack.Markdown)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(md, issued.Note) {
				t.Errorf("the Markdown %s does not hold the checkpoint verbatim", name)
			}
		}
		var ids []string
		for _, r := range a.Rows {
			ids = append(ids, fmt.Sprint(r.Item.ID))
		}
		var unsealed int
		if err := s.DB().QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM audit_events WHERE entity = 'items' AND entity_id IN (%s) AND (seq IS NULL OR seq >= %d)",
			strings.Join(ids, ", "), issued.N)).Scan(&unsealed); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 || unsealed != 0 {
			t.Fatalf("%d events of the report's %d items lie outside the checkpoint's tree", unsealed, len(ids))
		}
		for where, note := range notes {
			got, err := auditlog.Open([]byte(note), []string{key.VerifierKey()})
			if err != nil {
				t.Fatalf("the checkpoint of the %s does not verify: %v\n%s", where, err, note)
			}
			if got[0].Tree != issued.Tree {
				t.Errorf("the %s carries the checkpoint of %d events, the one issued covers %d", where, got[0].N, issued.N)
			}
			if _, err := s.VerifyAudit(ctx, got[0].Tree); err != nil {
				t.Errorf("the log does not extend the %s's checkpoint: %v", where, err)
			}
		}
	})
}
