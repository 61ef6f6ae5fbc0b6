package domain

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Record holds what every stored noun carries: identity, optimistic-locking
// version, provenance and lifecycle times. Version starts at 1 and grows by
// one with every accepted change.
type Record struct {
	ID         int64      `json:"id"`
	Version    int64      `json:"version"`
	Source     string     `json:"source"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
}

// Base returns the record itself, so generic code can reach it through any
// noun that embeds it.
func (r *Record) Base() *Record { return r }

// Entity is implemented by every noun stored through the generic record kit.
type Entity interface {
	Base() *Record
	// Validate reports every field that breaks a rule, as an Invalid *Error.
	Validate() error
}

// Limits on free text, generous for Chinese government prose but bounded so
// one request cannot store megabytes in a title.
const (
	MaxName = 200
	MaxText = 20000
)

// Date is a civil date (no time, no zone), such as a due date or the day a
// meeting was held. It is stored as the text YYYY-MM-DD on both databases so
// that ordering and comparison behave identically.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// The years a date may fall in. Cooperation records are modern; bounding
// them also keeps year 1 free, whose first day is the zero time that stands
// for "no date".
const (
	MinYear = 1900
	MaxYear = 2200
)

// ParseDate parses YYYY-MM-DD and refuses impossible dates such as
// 2024-02-30 and years outside MinYear to MaxYear.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, fmt.Errorf("%q is outside the years %d to %d", s, MinYear, MaxYear)
	}
	return Date{t}, nil
}

// ParseOccurred parses the day a fact happened as a writer states it:
// "2022" (a year), "2022-09" (a month) or "2022-09-15" (a day). The date is
// the first day of what is given, with the precision the form implies.
func ParseOccurred(s string) (Date, DatePrecision, error) {
	layout, precision := dateLayout, DayPrecision
	switch len(s) {
	case 4:
		layout, precision = "2006", YearPrecision
	case 7:
		layout, precision = "2006-01", MonthPrecision
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, "", fmt.Errorf("%q is not a year, month or day of the form 2022, 2022-09 or 2022-09-15", s)
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, "", fmt.Errorf("%q is outside the years %d to %d", s, MinYear, MaxYear)
	}
	return Date{t}, precision, nil
}

// MustDate parses s or panics; for literal data such as the demo set.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// MarshalJSON writes the date as "YYYY-MM-DD", or null when unset.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	// A *json.UnmarshalTypeError lets the decoder add the field's path,
	// so the caller learns which date was refused.
	refused := &json.UnmarshalTypeError{Value: "string " + string(b), Type: reflect.TypeOf(Date{})}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return refused
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return refused
	}
	*d = v
	return nil
}

// Value stores the date as text, or NULL when unset.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date stored as text; some drivers hand back a time.Time.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = NewDate(v.Year(), v.Month(), v.Day())
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("cannot scan %T into a date", src)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	if len(s) > len(dateLayout) {
		s = s[:len(dateLayout)]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Time.Before(o.Time) }

// checkName requires a non-empty, bounded, valid UTF-8 single-line text.
func checkName(p *Problems, field, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		p.Add(field, "is required")
	default:
		checkText(p, field, v, MaxName)
	}
}

// checkText bounds optional text and refuses invalid UTF-8 and control characters.
func checkText(p *Problems, field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		p.Add(field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		p.Addf(field, "is longer than %d characters", max)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		p.Add(field, "contains control characters")
	}
}

// checkOneOf requires v to be one of the allowed values.
func checkOneOf[S ~string](p *Problems, field string, v S, allowed []S) {
	if !slices.Contains(allowed, v) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		p.Addf(field, "must be one of %s", strings.Join(names, ", "))
	}
}

// checkRequiredID requires a positive reference.
func checkRequiredID(p *Problems, field string, id int64) {
	if id <= 0 {
		p.Add(field, "is required")
	}
}

// checkOptionalID refuses negative references; zero means none.
func checkOptionalID(p *Problems, field string, id int64) {
	if id < 0 {
		p.Add(field, "must be a positive id")
	}
}

// checkDateRange requires from ≤ to when both are set.
func checkDateRange(p *Problems, fromField string, from Date, toField string, to Date) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		p.Addf(toField, "must not be before %s", fromField)
	}
}

// indexed names an element of a list field, as in "parties[2]".
func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
