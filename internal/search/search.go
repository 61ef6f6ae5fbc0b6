// Package search turns text into the terms Liandong indexes, the same way
// for SQLite, PostgreSQL and the query builder. Chinese has no spaces and
// its searches are mostly one or two characters (铁, 医药), which trigram
// indexes cannot serve; indexing every CJK character and every pair of
// neighbouring characters can, and lower-cased Latin words and numbers
// come along as whole words.
package search

import (
	"strings"
	"unicode"
)

// Terms returns the distinct index terms of text, in order of first
// appearance: for each run of CJK characters its characters and its
// neighbouring pairs; for each run of letters or digits, the run lower-cased.
func Terms(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, run := range runs(text) {
		if run.cjk {
			for i := range run.r {
				add(string(run.r[i]))
				if i+1 < len(run.r) {
					add(string(run.r[i : i+2]))
				}
			}
			continue
		}
		add(strings.ToLower(string(run.r)))
	}
	return out
}

// Query returns the terms every match must contain, and whether the index
// alone decides: a query of one or two CJK characters, or of whole Latin
// words, is answered by the index exactly; longer CJK runs are matched by
// all their pairs, which may also match text holding the pairs apart, so
// the caller rechecks those with a substring match.
func Query(q string) (terms []string, exact bool) {
	exact = true
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	for _, run := range runs(q) {
		switch {
		case !run.cjk:
			add(strings.ToLower(string(run.r)))
		case len(run.r) <= 2:
			add(string(run.r))
		default:
			for i := 0; i+1 < len(run.r); i++ {
				add(string(run.r[i : i+2]))
			}
			exact = false
		}
	}
	return terms, exact
}

type run struct {
	r   []rune
	cjk bool
}

// runs splits text into runs of CJK characters and runs of other letters
// and digits, dropping everything else (spaces, punctuation).
func runs(text string) []run {
	var out []run
	var cur []rune
	cjk := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, run{cur, cjk})
			cur = nil
		}
	}
	for _, r := range text {
		isCJK := unicode.Is(unicode.Han, r)
		word := isCJK || unicode.IsLetter(r) || unicode.IsDigit(r)
		if !word {
			flush()
			continue
		}
		if len(cur) > 0 && isCJK != cjk {
			flush()
		}
		cjk = isCJK
		cur = append(cur, r)
	}
	flush()
	return out
}
