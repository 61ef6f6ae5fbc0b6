package search

import (
	"fmt"
	"testing"
	"unicode"
)

func TestTerms(t *testing.T) {
	for text, want := range map[string]string{
		"成渝中线高铁":              "[成 成渝 渝 渝中 中 中线 线 线高 高 高铁 铁]",
		"中欧班列(成渝) CR Express": "[中 中欧 欧 欧班 班 班列 列 成 成渝 渝 cr express]",
		"2024年5G基站":           "[2024 年 5g 基 基站 站]",
		"":                    "[]",
		"铁铁":                  "[铁 铁铁]",
	} {
		if got := fmt.Sprint(Terms(text)); got != want && !(want == "[]" && got == "[]") {
			t.Errorf("Terms(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestQuery(t *testing.T) {
	for q, want := range map[string]string{
		"铁":     "[铁] true",
		"医药":    "[医药] true",
		"生物医药":  "[生物 物医 医药] false",
		"CR 班列": "[cr 班列] true",
	} {
		terms, exact := Query(q)
		if got := fmt.Sprint(terms, " ", exact); got != want {
			t.Errorf("Query(%q) = %s, want %s", q, got, want)
		}
	}
}

// FuzzQueryFindsItsText checks the promise the index rests on: any one- or
// two-character piece of a text, queried, yields terms the text's own terms
// contain, so the index cannot miss a text that holds the query.
func FuzzQueryFindsItsText(f *testing.F) {
	for _, s := range []string{"成渝中线高铁", "中欧班列(成渝) CR Express", "2024年5G基站", "医药", "a"} {
		f.Add(s, 0, 2)
	}
	f.Fuzz(func(t *testing.T, text string, start, n int) {
		r := []rune(text)
		if len(r) == 0 || n < 1 || n > 2 || start < 0 || start+n > len(r) {
			return
		}
		q := string(r[start : start+n])
		terms, exact := Query(q)
		have := map[string]bool{}
		for _, term := range Terms(text) {
			have[term] = true
		}
		for _, term := range terms {
			if exact && !have[term] && isCJK(q) {
				t.Fatalf("text %q holds %q but its terms %v lack %q", text, q, Terms(text), term)
			}
		}
	})
}

func isCJK(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
