package pack

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// The sections of a meeting pack, in order, by the keys the secretariat's
// edits are stored under. A pack states only the sections that have
// something to say; their numbers (一、二、…) follow from those stated.
const (
	OverviewSection  = "overview"  // 总体情况
	ProgressSection  = "progress"  // 进展和亮点
	ProblemsSection  = "problems"  // 存在问题
	DecisionsSection = "decisions" // 上次会议议定事项落实情况
	NextSection      = "next"      // 下一步工作
	AnnexSection     = "annex"     // 附件
)

// SectionKeys lists the sections in the order a pack states them (the
// domain's list, which the store checks edits against).
var SectionKeys = domain.PackSectionKeys

// sectionTitles are the sections' headings, without their numbers.
var sectionTitles = map[string]string{
	OverviewSection:  "总体情况",
	ProgressSection:  "进展和亮点",
	ProblemsSection:  "存在问题",
	DecisionsSection: "上次会议议定事项落实情况",
	NextSection:      "下一步工作",
	AnnexSection:     "附件",
}

// SectionTitle is the heading of the section with key, without its number.
func SectionTitle(key string) string { return sectionTitles[key] }

// Section is one section of a meeting pack as generated from the data:
// subheadings, paragraphs and tables, not yet numbered.
type Section struct {
	Key    string
	blocks []block
}

func (s *Section) sub(text string) {
	s.blocks = append(s.blocks, block{Kind: heading2Block, Text: text})
}

func (s *Section) para(format string, args ...any) {
	d := Doc{}
	d.para(format, args...)
	s.blocks = append(s.blocks, d.blocks...)
}

func (s *Section) table(header []string, rows [][]string) {
	s.blocks = append(s.blocks, block{Kind: tableBlock, Header: header, Rows: rows})
}

// Text is the section's words as the secretariat edits them: each
// subheading (with its number) and each paragraph, a blank line between
// them. Tables are not part of it; they stay as generated.
func (s *Section) Text() string {
	var parts []string
	h2 := 0
	for _, b := range s.blocks {
		switch b.Kind {
		case heading2Block:
			h2++
			parts = append(parts, "（"+domain.ChineseNumeral(h2)+"）"+b.Text)
		case paraBlock:
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// numberedSub matches a paragraph of an edited text that is a subheading:
// （一）… on one line.
var numberedSub = regexp.MustCompile(`^（[一二三四五六七八九十]+）([^\n]+)$`)

// edit replaces the section's words with the secretariat's text: a blank
// line parts paragraphs, and a paragraph that is one line starting with
// （一） is a subheading. The tables stay: each after the words of the
// subheading it stood under, when the text keeps that subheading, the
// others at the end.
func (s *Section) edit(text string) {
	tables := map[string][]block{} // by the subheading they stood under
	var order []string
	under := ""
	for _, b := range s.blocks {
		switch b.Kind {
		case heading2Block:
			under = b.Text
		case tableBlock:
			if _, ok := tables[under]; !ok {
				order = append(order, under)
			}
			tables[under] = append(tables[under], b)
		}
	}
	var out []block
	flush := func(heading string) {
		out = append(out, tables[heading]...)
		delete(tables, heading)
	}
	current := ""
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, chunk := range regexp.MustCompile(`\n[ \t\x{3000}]*\n`).Split(text, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		if m := numberedSub.FindStringSubmatch(chunk); m != nil {
			flush(current)
			current = strings.TrimSpace(m[1])
			out = append(out, block{Kind: heading2Block, Text: current})
			continue
		}
		d := Doc{}
		d.para("%s", chunk)
		out = append(out, d.blocks...)
	}
	flush(current)
	for _, heading := range order {
		flush(heading)
	}
	s.blocks = out
}

// empty reports whether the section has nothing to say.
func (s *Section) empty() bool {
	for _, b := range s.blocks {
		if b.Kind == paraBlock || b.Kind == tableBlock {
			return false
		}
	}
	return true
}

// addSection numbers the section after those before it and appends it.
func (d *Doc) addSection(s *Section) {
	d.section(sectionTitles[s.Key])
	for _, b := range s.blocks {
		if b.Kind == heading2Block {
			d.sub(b.Text)
			continue
		}
		d.blocks = append(d.blocks, b)
	}
}

// frozen is a document as an issued pack keeps it.
type frozen struct {
	Title  string  `json:"title"`
	Blocks []block `json:"blocks"`
}

// Freeze encodes the document for keeping: an issued pack is served from
// it ever after, whatever the data become (Thaw).
func (d *Doc) Freeze() ([]byte, error) {
	return json.Marshal(frozen{Title: d.Title, Blocks: d.blocks})
}

// Thaw decodes a document kept by Freeze.
func Thaw(b []byte) (*Doc, error) {
	var f frozen
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return &Doc{Title: f.Title, blocks: f.Blocks}, nil
}
