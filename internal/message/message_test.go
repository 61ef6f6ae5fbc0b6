package message

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/liandong/liandong/internal/domain"
)

// TestCatalogueCoversSource is what keeps an English-only message from
// shipping: every text the source hands a person must have its entry.
func TestCatalogueCoversSource(t *testing.T) {
	texts := scanSource(t, "../../internal")
	if len(texts) < 150 {
		t.Fatalf("found %d texts in the source; the scan has lost its way", len(texts))
	}
	for _, f := range texts {
		if !Known(f.format) {
			t.Errorf("%s: %q has no entry in the message catalogue (internal/message/catalogue.go)", f.pos, f.format)
		}
	}
}

// TestScanFindsEnglishOnlyMessages shows the scan catches a new reason, a
// new message and a text formatted on the spot.
func TestScanFindsEnglishOnlyMessages(t *testing.T) {
	dir := t.TempDir()
	src := `package x

func f(p *domain.Problems) error {
	p.Add("name", "is frobnicated")
	p.Add("name", "is required")
	return &domain.Error{Code: domain.Invalid, Message: fmt.Sprintf("%d broke", 3)}
}

func g() error { return domain.Errorf(domain.NotFound, "no gizmo %d", 1) }
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var unknown []string
	for _, f := range scanSource(t, dir) {
		if !Known(f.format) {
			unknown = append(unknown, f.format)
		}
	}
	want := []string{"is frobnicated", sprintfMark, "no gizmo %d"}
	if strings.Join(unknown, "|") != strings.Join(want, "|") {
		t.Fatalf("the scan found %q unknown, want %q", unknown, want)
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]`)

// TestCatalogueEntries: unique codes and formats, a Chinese text for every
// English one, taking as many arguments.
func TestCatalogueEntries(t *testing.T) {
	codes, formats := map[string]bool{}, map[string]bool{}
	for _, e := range catalogue {
		if e.code != "" {
			if codes[e.code] {
				t.Errorf("code %s is used twice", e.code)
			}
			codes[e.code] = true
			if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(e.code) {
				t.Errorf("code %q is not snake_case", e.code)
			}
		}
		if formats[e.en] {
			t.Errorf("format %q is listed twice", e.en)
		}
		formats[e.en] = true
		if e.code != "" && !strings.ContainsFunc(e.zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%q has no Chinese text: %q", e.en, e.zh)
		}
		if n, m := len(verb.FindAllString(e.en, -1)), len(verb.FindAllString(e.zh, -1)); n != m {
			t.Errorf("%q takes %d arguments, its Chinese %q takes %d", e.en, n, e.zh, m)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		name, locale string
		text         domain.Text
		want, code   string
	}{
		{"PlainChinese", Chinese, domain.Textf("is required"), "必填", "required"},
		{"PlainEnglish", English, domain.Textf("is required"), "is required", "required"},
		{"ArgumentsChinese", Chinese, domain.Textf("is longer than %d characters", 200), "超过 200 个字符", "too_long"},
		{"TermsChinese", Chinese, domain.Textf("you may not %s this %s", "write", "item"), "您无权修改此事项", "forbidden_role"},
		{"TermsStayEnglish", English, domain.Textf("you may not %s this %s", "write", "item"), "you may not write this item", "forbidden_role"},
		{"Reordered", Chinese, domain.Textf("no %s has the id %q", "batch", "x7"), "没有 id 为“x7”的批次", "no_such_id"},
		{"WrappedKeepsInnerCode", Chinese, domain.Textf("row %d: %s", 7, domain.Textf("names the same item as row %d", 3)), "第7行：与第3行是同一事项", "same_item_twice"},
		{"ChineseLocaleVariant", "zh-Hans", domain.Textf("is required"), "必填", "required"},
		{"UnknownStaysEnglish", Chinese, domain.Textf("is %d frobs", 2), "is 2 frobs", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.locale, tc.text); got != tc.want {
				t.Errorf("Format = %q, want %q", got, tc.want)
			}
			if got := Code(tc.text); got != tc.code {
				t.Errorf("Code = %q, want %q", got, tc.code)
			}
		})
	}
}

func TestPreferred(t *testing.T) {
	cases := map[string]string{
		"":                           English,
		"zh-CN":                      Chinese,
		"zh":                         Chinese,
		"zh-Hans-CN":                 Chinese,
		"en-GB,en;q=0.9":             English,
		"en;q=0.5, zh-CN;q=0.9":      Chinese,
		"zh-CN;q=0.4, en;q=0.8":      English,
		"fr-FR, zh;q=0.3":            Chinese,
		"fr-FR, de;q=0.5":            English,
		"this is ; not a header ;;=": English,
	}
	for header, want := range cases {
		if got := Preferred(header); got != want {
			t.Errorf("Preferred(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestOf(t *testing.T) {
	var p domain.Problems
	p.Add("title", "is required")
	p.Addf("number", "is longer than %d characters", 40)
	got := Of(Chinese, p.Err())
	if got.Code != "input_invalid" || got.Message != "提交的内容有误" || len(got.Fields) != 2 ||
		got.Fields[0] != (Reason{"title", "required", "必填"}) || got.Fields[1] != (Reason{"number", "too_long", "超过 40 个字符"}) {
		t.Fatalf("Of = %+v", got)
	}
	if got := Of(Chinese, domain.Internalf(os.ErrClosed, "secret detail")); got.Code != "internal_error" || strings.Contains(got.Message, "secret") || got.Fields != nil {
		t.Fatalf("an internal error shows %+v", got)
	}
}

// TestREADMEListsEveryCode: the codes are part of the API contract, so
// the README lists each.
func TestREADMEListsEveryCode(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Codes() {
		if !strings.Contains(string(b), "| `"+c+"` |") {
			t.Errorf("README.md does not list the code %s under Error codes", c)
		}
	}
}
