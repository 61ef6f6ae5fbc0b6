package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// The catalogues: one flat JSON object per language, key → text. Chinese is
// the default; English is the second language. Every key exists in both
// (TestCataloguesAgree), and every key a template names exists
// (TestTemplateKeysExist).
//
//go:embed locales/*.json
var localeFiles embed.FS

// defaultLocale is what a visitor sees before choosing.
const defaultLocale = "zh-CN"

type catalogues map[string]map[string]string

func loadCatalogues() (catalogues, error) {
	c := catalogues{}
	for _, loc := range domain.Locales {
		b, err := localeFiles.ReadFile("locales/" + loc + ".json")
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", loc, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", loc, err)
		}
		c[loc] = m
	}
	return c, nil
}

// validLocale returns loc if it is an interface language, else the default.
func validLocale(loc string) string {
	for _, l := range domain.Locales {
		if l == loc {
			return l
		}
	}
	return defaultLocale
}

// tr is one language's view of the catalogues plus the formats that go with
// it. Handlers use it for strings built in Go (chart labels, CSV headers).
type tr struct {
	locale string
	m      map[string]string
}

func (h *Handler) tr(locale string) tr { return tr{locale, h.cat[validLocale(locale)]} }

// T returns the text of key. A missing key shows itself in brackets rather
// than failing the page; the catalogue tests keep that from shipping.
func (t tr) T(key string) string {
	if s, ok := t.m[key]; ok {
		return s
	}
	return "⟦" + key + "⟧"
}

// Has reports whether the catalogue has key, for optional texts such as
// translated validation reasons.
func (t tr) Has(key string) bool { _, ok := t.m[key]; return ok }

// F formats the text of key with args.
func (t tr) F(key string, args ...any) string { return fmt.Sprintf(t.T(key), args...) }

func (t tr) en() bool { return t.locale == "en" }

// Name picks the English name in English when there is one: the sources
// are Chinese and many records have no English name yet.
func (t tr) Name(zh, en string) string {
	if t.en() && en != "" {
		return en
	}
	return zh
}

// Date formats a civil date or a time (in loc when given) per language.
func (t tr) Date(v any) string {
	var tm time.Time
	switch d := v.(type) {
	case domain.Date:
		if d.IsZero() {
			return ""
		}
		tm = d.Time
	case time.Time:
		if d.IsZero() {
			return ""
		}
		tm = d.In(shanghai)
	case *time.Time:
		if d == nil {
			return ""
		}
		tm = d.In(shanghai)
	default:
		return fmt.Sprint(v)
	}
	if t.en() {
		return tm.Format("2 Jan 2006")
	}
	return tm.Format("2006年1月2日")
}

// Partial formats a date known to the given precision: "2022年9月" or
// "Sep 2022" for a month, "2022年" or "2022" for a year, else as Date.
func (t tr) Partial(d domain.Date, precision domain.DatePrecision) string {
	if d.IsZero() {
		return ""
	}
	switch {
	case precision == domain.YearPrecision && t.en():
		return d.Format("2006")
	case precision == domain.YearPrecision:
		return d.Format("2006年")
	case precision == domain.MonthPrecision && t.en():
		return d.Format("Jan 2006")
	case precision == domain.MonthPrecision:
		return d.Format("2006年1月")
	}
	return t.Date(d)
}

// Happened says when an audited change was made: the moment it was
// recorded or, when its writer stated the day it happened, both ("2022年9月起
// · 录入于 2026年12月2日", "since Sep 2022 · recorded 2 Dec 2026").
func (t tr) Happened(ev domain.AuditEvent) string {
	if ev.OccurredOn.IsZero() {
		return t.DateTime(ev.At)
	}
	return t.F("history.since", t.Partial(ev.OccurredOn, ev.OccurredPrecision)) + " · " + t.F("history.recorded", t.Date(ev.At))
}

// DateTime formats a moment in the default zone per language.
func (t tr) DateTime(v time.Time) string {
	if v.IsZero() {
		return ""
	}
	v = v.In(shanghai)
	if t.en() {
		return v.Format("2 Jan 2006 15:04")
	}
	return v.Format("2006年1月2日 15:04")
}

// Num formats a number with digit grouping; both languages group by three
// in official figures (12,345.6).
func (t tr) Num(v any) string {
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case float64:
		f = n
	case *float64:
		if n == nil {
			return ""
		}
		f = *n
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		if len(frac) > 2 {
			frac = frac[:2]
		}
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// shanghai is the default zone of the mechanisms (DESIGN.md); times are
// stored in UTC and shown here.
var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()
