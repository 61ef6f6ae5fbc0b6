// Package message puts the texts a person sees in an error — problem
// details, field reasons, refused ledger rows — in the reader's language,
// each with a stable machine code. The code writes its texts in English
// (domain.Text); the catalogue (catalogue.go) knows each English format by
// its code and gives its Chinese. The API, the pages and the ledger preview
// all read this one catalogue.
package message

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/liandong/liandong/internal/domain"
)

// The languages of the texts, as domain.Locales names them.
const (
	Chinese = "zh-CN"
	English = "en"
)

// entry is one text of the catalogue.
type entry struct {
	code string // stable; "" for a text wrapping another
	en   string // the English format, as the code writes it
	zh   string // the Chinese format, with the same arguments
}

// byFormat finds an entry by its English format.
var byFormat = func() map[string]entry {
	m := make(map[string]entry, len(catalogue))
	for _, e := range catalogue {
		m[e.en] = e
	}
	return m
}()

// Known reports whether the catalogue has the English format.
func Known(format string) bool { _, ok := byFormat[format]; return ok }

// Codes lists every code, sorted: the values errors[].code and detail_code
// may take.
func Codes() []string {
	var out []string
	for _, e := range catalogue {
		if e.code != "" && !strings.HasPrefix(e.code, "status_") {
			out = append(out, e.code)
		}
	}
	sort.Strings(out)
	return out
}

// Code is the stable code of t, "" when the catalogue lacks its format. A
// text wrapping another answers with the code of its last Text argument.
func Code(t domain.Text) string {
	e, ok := byFormat[t.Format]
	if !ok {
		return ""
	}
	if e.code == "" {
		for i := len(t.Args) - 1; i >= 0; i-- {
			if inner, ok := t.Args[i].(domain.Text); ok {
				return Code(inner)
			}
		}
	}
	return e.code
}

// Format writes t in the language of locale: Chinese for zh-CN (or any
// Chinese locale), English otherwise. A format the catalogue lacks is
// written as it is, in English, and the completeness test keeps that from
// shipping.
func Format(locale string, t domain.Text) string {
	zh := isChinese(locale)
	format := t.Format
	if e, ok := byFormat[t.Format]; ok && zh {
		format = e.zh
	}
	if len(t.Args) == 0 {
		return format
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		switch a := a.(type) {
		case domain.Text:
			args[i] = Format(locale, a)
		case error:
			args[i] = a.Error()
		default:
			args[i] = a
			if v := reflect.ValueOf(a); zh && v.Kind() == reflect.String {
				if w, ok := terms[v.String()]; ok {
					args[i] = w
				}
			}
		}
	}
	return fmt.Sprintf(format, args...)
}

func isChinese(locale string) bool {
	return locale == Chinese || strings.HasPrefix(strings.ToLower(locale), "zh")
}

// Title is the title of a problem with HTTP status st: its status text in
// the language of locale.
func Title(locale string, st int) string {
	return Format(locale, domain.Text{Format: http.StatusText(st)})
}

// Preferred is the language an Accept-Language header prefers, q-values
// honoured: Chinese when a Chinese tag (zh, zh-CN, zh-Hans…) ranks above
// any English one, English otherwise — also when the header is absent,
// malformed or names neither.
func Preferred(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return English
	}
	for _, t := range tags { // highest q first
		switch base, _ := t.Base(); base.String() {
		case "zh":
			return Chinese
		case "en":
			return English
		}
	}
	return English
}

// Reason is one refused field in the reader's language.
type Reason struct {
	Field  string `json:"field"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Localised is an error as a reader sees it: the message and its code, and
// each refused field.
type Localised struct {
	Code    string
	Message string
	Fields  []Reason
}

// Of puts err in the language of locale. An internal error says only that
// it is one.
func Of(locale string, err error) Localised {
	msg := domain.ErrorText(err)
	out := Localised{Code: Code(msg), Message: Format(locale, msg)}
	var e *domain.Error
	if errors.As(err, &e) && e.Code != domain.Internal {
		for _, f := range e.Fields {
			out.Fields = append(out.Fields, ReasonOf(locale, f))
		}
	}
	return out
}

// ReasonOf puts one refused field in the language of locale.
func ReasonOf(locale string, f domain.FieldError) Reason {
	t := f.ReasonText()
	return Reason{Field: f.Field, Code: Code(t), Reason: Format(locale, t)}
}
