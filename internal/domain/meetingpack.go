package domain

import "time"

// PackEdits are the secretariat's words for the sections of a meeting's
// pack, by section key (see pack.SectionKeys): each replaces the text the
// pack generates for that section; a section not edited keeps its
// generated text.
type PackEdits map[string]string

// IssuedPack is a meeting pack as the secretariat issued it: frozen, so
// that later changes to the data do not change what was handed out. Doc is
// the document as kept (pack.Thaw reads it), HTML its print-ready page
// byte for byte, SHA256 the hex checksum of HTML, which the audit log
// records; Figures are its headline counts, which the next meeting's pack
// compares its own with.
type IssuedPack struct {
	MeetingID   int64          `json:"meeting_id"`
	MechanismID int64          `json:"mechanism_id"`
	Doc         []byte         `json:"-"`
	HTML        []byte         `json:"-"`
	SHA256      string         `json:"sha256"`
	Figures     map[string]int `json:"figures"`
	IssuedAt    time.Time      `json:"issued_at"`
	IssuedBy    int64          `json:"issued_by"`
}

// PackSectionKeys are the sections of a meeting pack, in order: 总体情况,
// 进展和亮点, 存在问题, 上次会议议定事项落实情况, 下一步工作, 附件.
var PackSectionKeys = []string{"overview", "progress", "problems", "decisions", "next", "annex"}

// maxPackSection bounds the words of one section.
const maxPackSection = 20000

// Validate checks that each edit names a section of the pack and is of a
// length a briefing's section can have. Errors: Invalid.
func (e PackEdits) Validate() error {
	var p Problems
	for key, body := range e {
		known := false
		for _, k := range PackSectionKeys {
			known = known || k == key
		}
		if !known {
			p.Addf(key, "is not a section of the meeting pack")
			continue
		}
		if n := len([]rune(body)); n > maxPackSection {
			p.Addf(key, "is longer than %d characters", maxPackSection)
		}
	}
	return p.Err()
}
