package web

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTextContrastMeetsAA reads the style sheet and checks every rule that
// sets a text colour against the background it sets, or, when it sets
// none, against both page backgrounds (white and the panel grey): each
// pair must reach WCAG AA's 4.5:1 for text. The focus ring pairs its
// yellow outline with a dark ring, so one of the two always stands out by
// 3:1 against whatever is behind it.
func TestTextContrastMeetsAA(t *testing.T) {
	b, err := assetFiles.ReadFile("assets/app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(css, -1) {
		vars[m[1]] = m[2]
	}
	resolve := func(v string) string {
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))
		if m := regexp.MustCompile(`^var\(--([a-z-]+)\)$`).FindStringSubmatch(v); m != nil {
			return vars[m[1]]
		}
		if regexp.MustCompile(`^#[0-9a-fA-F]{6}$`).MatchString(v) {
			return v
		}
		return ""
	}
	checked := 0
	for _, m := range regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`).FindAllStringSubmatch(css, -1) {
		selector, decls := strings.TrimSpace(m[1]), m[2]
		var fg, bg string
		for _, d := range strings.Split(decls, ";") {
			name, value, ok := strings.Cut(d, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(name) {
			case "color":
				fg = resolve(value)
			case "background", "background-color":
				bg = resolve(value)
			}
		}
		if fg == "" {
			continue
		}
		backgrounds := []string{bg}
		if bg == "" {
			backgrounds = []string{vars["bg"], vars["panel"]}
			if strings.Contains(selector, "header") || strings.Contains(selector, ".tools") {
				backgrounds = []string{"#0b2a4a"} // the page header's own background
			}
		}
		for _, back := range backgrounds {
			checked++
			if r := contrast(fg, back); r < 4.5 {
				t.Errorf("%s: %s on %s has contrast %.2f:1, below AA's 4.5:1", selector, fg, back, r)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d colour pairs found: the style sheet was not read as expected", checked)
	}
	if r := math.Max(contrast(vars["focus"], vars["bg"]), contrast(vars["ink"], vars["bg"])); r < 3 {
		t.Errorf("the focus ring stands out by only %.2f:1 on white", r)
	}
	if r := contrast(vars["focus"], "#0b2a4a"); r < 3 {
		t.Errorf("the focus ring stands out by only %.2f:1 in the header", r)
	}
}

// contrast is WCAG's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	channel := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(0) + 0.7152*channel(1) + 0.0722*channel(2)
}
