package domain

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
)

// ReportStatus is where a progress report stands in its life: a draft its
// unit may still edit, submitted (locked), then accepted or returned by the
// secretariat.
type ReportStatus string

// The report statuses.
const (
	Draft     ReportStatus = "draft"
	Submitted ReportStatus = "submitted"
	// Accepted is a submitted report the secretariat has taken in.
	Accepted ReportStatus = "accepted"
	// Returned (退回) is a submitted report the secretariat sent back with
	// a reason; its unit answers with a correction.
	Returned ReportStatus = "returned"
)

// ReportStatuses lists the report statuses in the order of a report's life.
var ReportStatuses = []ReportStatus{Draft, Submitted, Accepted, Returned}

// Report is a unit's progress report on an item for one period, with the
// parts the working group's template asks for. Progress is the report's
// main text; Text is the same text under the name older clients and the
// first reports used.
type Report struct {
	Record
	ItemID         int64  `json:"item_id"`
	OrganizationID int64  `json:"organization_id"`
	Period         string `json:"period"` // 2023-05 for a month, 2023-Q2 for a quarter
	// Progress is 本期进展, what was done this period.
	Progress string `json:"progress"`
	// Text is Progress under its older name: written, it stands for
	// Progress when Progress is empty; read, it always equals it.
	Text string `json:"text"`
	// NextSteps is 下步计划; the pack quotes it as the unit's 下一步.
	NextSteps string `json:"next_steps"`
	// Problems is 存在问题.
	Problems string `json:"problems"`
	// Coordination is 需协调事项, what the unit needs others to settle.
	Coordination string `json:"coordination"`
	// Highlight is the unit's 亮点 sentence, quoted by the pack.
	Highlight string `json:"highlight"`
	// InvestmentDone is the investment made this period, in 万元.
	InvestmentDone float64      `json:"investment_done"`
	Percent        int          `json:"percent"`
	Status         ReportStatus `json:"status"`
	SubmittedAt    *time.Time   `json:"submitted_at,omitempty"`
	// ReviewedAt, ReviewedBy and ReviewNote record the secretariat's last
	// review (accept or return); the note is the reason of a return.
	ReviewedAt  *time.Time `json:"reviewed_at,omitempty"`
	ReviewedBy  int64      `json:"reviewed_by,omitempty"`
	ReviewNote  string     `json:"review_note,omitempty"`
	Attachments []string   `json:"attachments"`
	// Corrections lists the corrections (更正) made after submission,
	// oldest first; read-only.
	Corrections []ReportCorrection `json:"corrections"`
}

// ReportCorrection is one correction of a submitted report: the version it
// made, why and when, and who made it. The text it replaced is in the
// audit trail, as the state before that version.
type ReportCorrection struct {
	Version int64     `json:"version"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	By      int64     `json:"by,omitempty"`
}

var periodPattern = regexp.MustCompile(`^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2]|Q[1-4])$`)

// ValidPeriod reports whether s names a month (2023-05) or a quarter (2023-Q2).
func ValidPeriod(s string) bool { return periodPattern.MatchString(s) }

// Validate implements Entity. It first makes Text and Progress one text:
// a client that writes only text writes the progress.
func (r *Report) Validate() error {
	if r.Progress == "" {
		r.Progress = r.Text
	}
	r.Text = r.Progress
	var p Problems
	checkRequiredID(&p, "item_id", r.ItemID)
	checkRequiredID(&p, "organization_id", r.OrganizationID)
	if !ValidPeriod(r.Period) {
		p.Add("period", "must be a month such as 2023-05 or a quarter such as 2023-Q2")
	}
	for _, part := range r.parts() {
		checkText(&p, part[0], part[1], MaxText)
	}
	checkAmount(&p, "investment_done", r.InvestmentDone)
	if r.Percent < 0 || r.Percent > 100 {
		p.Add("percent", "must be between 0 and 100")
	}
	checkOneOf(&p, "status", r.Status, ReportStatuses)
	if r.Status != Draft && strings.TrimSpace(r.Progress) == "" {
		p.Add("progress", "is required to submit a report")
	}
	checkText(&p, "review_note", r.ReviewNote, MaxName*5)
	if len(r.Attachments) > 20 {
		p.Add("attachments", "at most 20 attachments")
	}
	for i, a := range r.Attachments {
		checkName(&p, indexed("attachments", i), a)
	}
	checkText(&p, "source", r.Source, MaxText)
	return p.Err()
}

// parts are the report's texts, each with its JSON name, in the order of
// the form.
func (r *Report) parts() [][2]string {
	return [][2]string{{"progress", r.Progress}, {"next_steps", r.NextSteps}, {"problems", r.Problems},
		{"coordination", r.Coordination}, {"highlight", r.Highlight}}
}

// Locked reports whether the report was handed in: from then on only a
// correction or the secretariat's review changes it.
func (r *Report) Locked() bool { return r.Status != Draft }

// In reports whether the report counts as in for its period: submitted
// (awaiting review) or accepted, and not archived. A returned report (退回)
// is not in: its unit still owes the period's report until it corrects
// it; a draft is not in either. This is the one statement of the rule:
// the cycle's counts (cycle.Counted), the lights and the packs ask it.
func (r *Report) In() bool {
	return r.ArchivedAt == nil && (r.Status == Submitted || r.Status == Accepted)
}

// CheckEdit is the rule for a plain write of a report — creating it,
// editing it, saving it as a draft or submitting it: the stored report
// (before, nil at creation) must still be a draft, and the write may make
// it no more than submitted. A submitted, accepted or returned report is
// locked. It also keeps what only the store's own actions write (the
// corrections, the review) as stored, and settles which of text and
// progress a write that sends the whole report back changed. Errors:
// Conflict (locked), Invalid (a review status).
func (r *Report) CheckEdit(before *Report) error {
	r.Corrections, r.ReviewedAt, r.ReviewedBy, r.ReviewNote = nil, nil, 0, ""
	if before != nil {
		r.Corrections = before.Corrections
		r.ReviewedAt, r.ReviewedBy, r.ReviewNote = before.ReviewedAt, before.ReviewedBy, before.ReviewNote
		if r.Progress == before.Progress && r.Text != before.Text {
			r.Progress = r.Text
		}
	}
	if before != nil && before.Locked() {
		return Errorf(Conflict, "this report was submitted and is locked: it can no longer be edited or saved as a draft; correct it (更正) with a reason instead").
			With(FieldErrorf("status", "is %s: a report handed in is changed only by a correction with a reason", before.Status))
	}
	if r.Status != Draft && r.Status != Submitted {
		var p Problems
		p.Add("status", "must be draft or submitted: a report is accepted or returned only by the secretariat's review")
		return p.Err()
	}
	return nil
}

// Correct makes r, a report handed in, into its corrected version: the
// parts of want (texts, investment, percent) with reason, submitted again
// and awaiting review. Errors: Conflict (a draft, which is simply edited),
// Invalid (no reason).
func (r *Report) Correct(want *Report, reason string) error {
	if !r.Locked() {
		return Errorf(Conflict, "this report is still a draft: edit it and submit it; a correction is for a report handed in").
			With(FieldErrorf("status", "is draft: there is nothing handed in to correct"))
	}
	var p Problems
	if strings.TrimSpace(reason) == "" {
		p.Add("reason", "is required: say why the report is corrected")
	}
	checkText(&p, "reason", reason, MaxName*5)
	if err := p.Err(); err != nil {
		return err
	}
	r.Progress, r.Text = want.Progress, ""
	if r.Progress == "" {
		r.Progress = want.Text
	}
	r.NextSteps, r.Problems, r.Coordination, r.Highlight = want.NextSteps, want.Problems, want.Coordination, want.Highlight
	r.InvestmentDone, r.Percent = want.InvestmentDone, want.Percent
	r.Status, r.ReviewedAt, r.ReviewedBy, r.ReviewNote = Submitted, nil, 0, ""
	return nil
}

// Review records the secretariat's decision on a submitted report: accept
// it, or return it (退回) with a reason for its unit to correct. Errors:
// Conflict (not awaiting review), Invalid (a return without a reason).
func (r *Report) Review(accept bool, note string, by int64, at time.Time) error {
	if r.Status != Submitted {
		return Errorf(Conflict, "only a submitted report awaiting review can be accepted or returned").
			With(FieldErrorf("status", "is %s, not submitted", r.Status))
	}
	var p Problems
	if !accept && strings.TrimSpace(note) == "" {
		p.Add("reason", "is required: say why the report is returned")
	}
	checkText(&p, "reason", note, MaxName*5)
	if err := p.Err(); err != nil {
		return err
	}
	r.Status, r.ReviewNote, r.ReviewedBy, r.ReviewedAt = Accepted, strings.TrimSpace(note), by, &at
	if !accept {
		r.Status = Returned
	}
	return nil
}

// MaxAttachmentBytes bounds one attachment of a report: a phone photo or a
// scanned document.
const MaxAttachmentBytes = 10 << 20

// MaxAttachments bounds the attachments of one report.
const MaxAttachments = 20

// Attachment is a file (a photo or a PDF) attached to a report. Its bytes
// are kept in the database, so every instance serving the database serves
// it.
type Attachment struct {
	ID          int64     `json:"id"`
	ReportID    int64     `json:"report_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   int64     `json:"created_by,omitempty"`
}

// Headers are the HTTP headers an attachment is served with, by the API
// and the pages alike: its own type, never sniffed again by the browser;
// a download under its own name (UTF-8, RFC 6266, with an ASCII
// fallback); kept by no shared cache.
func (a Attachment) Headers() [][2]string {
	disposition := fmt.Sprintf(`attachment; filename="attachment-%d%s"; filename*=UTF-8''%s`,
		a.ID, path.Ext(asciiName.ReplaceAllString(a.Name, "")), url.PathEscape(a.Name))
	return [][2]string{{"Content-Type", a.ContentType}, {"Content-Disposition", disposition},
		{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "private, no-store"}}
}

var asciiName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// attachmentKinds are the media types a report may carry, each known by
// the first bytes of its content, whatever the name or the sender says.
var attachmentKinds = []struct {
	contentType string
	match       func(b []byte) bool
}{
	{"application/pdf", func(b []byte) bool { return strings.HasPrefix(string(b), "%PDF-") }},
	{"image/png", func(b []byte) bool { return strings.HasPrefix(string(b), "\x89PNG\r\n\x1a\n") }},
	{"image/jpeg", func(b []byte) bool { return strings.HasPrefix(string(b), "\xff\xd8\xff") }},
	{"image/gif", func(b []byte) bool {
		return strings.HasPrefix(string(b), "GIF87a") || strings.HasPrefix(string(b), "GIF89a")
	}},
	{"image/webp", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }},
}

// AttachmentTypes lists the media types a report's attachment may have.
func AttachmentTypes() []string {
	out := make([]string, len(attachmentKinds))
	for i, k := range attachmentKinds {
		out[i] = k.contentType
	}
	return out
}

// CheckAttachment checks a file to attach to a report and returns its
// media type, judged by its content: a PDF or an image (PNG, JPEG, GIF,
// WebP) of at most MaxAttachmentBytes, with a plain file name. Errors:
// Invalid (name, type, empty), TooLarge.
func CheckAttachment(name string, data []byte) (string, error) {
	if len(data) > MaxAttachmentBytes {
		return "", Errorf(TooLarge, "the file is larger than 10 MB").With(FieldErrorf("file", "is larger than 10 MB"))
	}
	var p Problems
	checkName(&p, "name", name)
	if strings.ContainsAny(name, `/\`) {
		p.Add("name", "must be a file name without a folder")
	}
	ct := ""
	for _, k := range attachmentKinds {
		if k.match(data) {
			ct = k.contentType
			break
		}
	}
	switch {
	case len(data) == 0:
		p.Add("file", "is empty")
	case ct == "":
		p.Add("file", "must be a PDF or an image (PNG, JPEG, GIF or WebP); its content is neither")
	}
	return ct, p.Err()
}
