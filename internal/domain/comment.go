package domain

import (
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CommentKind says what a comment is.
type CommentKind string

// The comment kinds.
const (
	// CommentNote is a remark anyone who may comment writes.
	CommentNote CommentKind = "comment"
	// CommentResponse is a problem's responsible unit answering it (反馈),
	// written by a user acting for that unit; the problem's timeline
	// shows it beside the escalations.
	CommentResponse CommentKind = "response"
)

// CommentKinds lists every comment kind.
var CommentKinds = []CommentKind{CommentNote, CommentResponse}

// CommentEntities are the records that take comments.
var CommentEntities = []string{"items", "problems", "tasks"}

// Comment is a remark on an item, a problem or a task. Comments are
// appended, never edited: they are the record of who said what, when.
type Comment struct {
	ID       int64       `json:"id"`
	Entity   string      `json:"entity"`
	RecordID int64       `json:"record_id"`
	Kind     CommentKind `json:"kind"`
	AuthorID int64       `json:"author_id"`
	// AuthorName is the author's name as the users table has it; read-only.
	AuthorName string `json:"author_name"`
	// UnitID is the unit the author writes for; 0 when the author speaks
	// for no unit (the secretariat, an administrator).
	UnitID int64  `json:"unit_id,omitempty"`
	Body   string `json:"body"`
	// Mentions are the units the body names as @单位名, resolved when the
	// comment is saved; read-only.
	Mentions  []int64   `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks what the writer gives: the record, the kind and the body.
func (c *Comment) Validate() error {
	var p Problems
	checkOneOf(&p, "entity", c.Entity, CommentEntities)
	checkRequiredID(&p, "record_id", c.RecordID)
	checkOneOf(&p, "kind", c.Kind, CommentKinds)
	checkOptionalID(&p, "unit_id", c.UnitID)
	if strings.TrimSpace(c.Body) == "" {
		p.Add("body", "is required")
	} else {
		checkText(&p, "body", c.Body, MaxText)
	}
	return p.Err()
}

// Mentionable is a unit a comment may name, by any of its names.
type Mentionable struct {
	ID    int64
	Names []string // its name, English name and aliases
}

// maxMentionSuggestions is how many close names a refused mention offers.
const maxMentionSuggestions = 3

// ResolveMentions finds the units body names after an @ (or ＠): at each,
// the longest name of a unit that the text there begins with, English
// names compared without regard to case, so "@成都市交通运输局请于月底前" finds
// 成都市交通运输局. An @ right after a letter or digit (an e-mail address) is
// no mention. It returns the ids in the order first named; a name that is
// no unit's is refused on field, quoting it up to the next space or
// punctuation, with the closest names.
func ResolveMentions(field, body string, units []Mentionable) ([]int64, error) {
	out := []int64{}
	var p Problems
	for _, sg := range SplitMentions(body, units) {
		switch {
		case sg.UnitID != 0 && !slices.Contains(out, sg.UnitID):
			out = append(out, sg.UnitID)
		case sg.Unknown != "":
			p = append(p, FieldErrorf(field, "no member unit of the mechanism is named “%s”%s", sg.Unknown, closestText(sg.Unknown, units)))
		}
	}
	return out, p.Err()
}

// MentionSegment is a piece of a comment's body: plain text, or a mention
// of a unit (its @ and name in Text), or of a name no unit bears (Unknown).
type MentionSegment struct {
	Text    string
	UnitID  int64
	Unknown string
}

// SplitMentions cuts body into plain text and the mentions of units, as
// ResolveMentions reads them; pages show each mention as a link.
func SplitMentions(body string, units []Mentionable) []MentionSegment {
	var out []MentionSegment
	plain := 0
	prev := rune(0)
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		if (r != '@' && r != '＠') || (prev < utf8.RuneSelf && (unicode.IsLetter(prev) || unicode.IsDigit(prev))) {
			prev = r
			i += size
			continue
		}
		rest := body[i+size:]
		id, n := longestName(rest, units)
		sg := MentionSegment{UnitID: id}
		if n == 0 {
			token := rest
			if end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '＠' }); end >= 0 {
				token = rest[:end]
			}
			sg.Unknown, n = token, len(token)
		}
		if n > 0 {
			if plain < i {
				out = append(out, MentionSegment{Text: body[plain:i]})
			}
			sg.Text = body[i : i+size+n]
			out = append(out, sg)
			plain = i + size + n
		}
		prev = '@'
		i += size + n
	}
	if plain < len(body) {
		out = append(out, MentionSegment{Text: body[plain:]})
	}
	return out
}

// longestName returns the unit whose name s begins with, the longest such
// name winning, and the name's length in s; 0 when none.
func longestName(s string, units []Mentionable) (int64, int) {
	var id int64
	best := 0
	for _, u := range units {
		for _, name := range u.Names {
			n := len(name)
			if n == 0 || n <= best || len(s) < n || !strings.EqualFold(s[:n], name) {
				continue
			}
			id, best = u.ID, n
		}
	}
	return id, best
}

// closestText names the units whose names share most with name, in order
// (the longest common subsequence of characters, as a share of both
// lengths), as " (closest: …)", or nothing when none is close.
func closestText(name string, units []Mentionable) Text {
	q := []rune(strings.ToLower(name))
	type scored struct {
		name  string
		score float64
	}
	var best []scored
	for _, u := range units {
		top := scored{}
		for _, n := range u.Names {
			r := []rune(strings.ToLower(n))
			if len(r) == 0 {
				continue
			}
			if sc := Likeness(q, r); sc > top.score {
				top = scored{n, sc}
			}
		}
		if top.score >= 0.4 {
			best = append(best, top)
		}
	}
	if len(best) == 0 {
		return Text{}
	}
	sort.SliceStable(best, func(i, j int) bool {
		if best[i].score != best[j].score {
			return best[i].score > best[j].score
		}
		return best[i].name < best[j].name
	})
	var names []string
	for _, b := range best[:min(len(best), maxMentionSuggestions)] {
		names = append(names, b.name)
	}
	return Textf(" (closest: %s)", strings.Join(names, "、"))
}

// Likeness is how much two names share, in order: their longest common
// subsequence of characters as a share of both lengths, 0 to 1. It ranks
// the closest units to a name a person wrote, in a ledger and in a
// comment's @mention alike, so that 成都市发改委 finds 成都市发展和改革委员会
// before 成都市商务局, which is fewer edits away but shares less.
func Likeness(a, b []rune) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(b)]) / float64(len(a)+len(b))
}
