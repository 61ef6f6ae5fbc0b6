package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Column adapters. They let one set of scan targets serve both databases,
// whose drivers hand back times, NULLs and JSON in different shapes.

// timeLayouts are the forms a timestamp comes back in from SQLite.
var timeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

func parseDBTime(src any) (time.Time, error) {
	switch v := src.(type) {
	case time.Time:
		return v.UTC(), nil
	case string:
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("cannot read %q as a time", v)
	case []byte:
		return parseDBTime(string(v))
	}
	return time.Time{}, fmt.Errorf("cannot read %T as a time", src)
}

// timeCol scans a NOT NULL timestamp.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(src any) error {
	t, err := parseDBTime(src)
	*c.p = t
	return err
}

// nullTime scans a nullable timestamp into a *time.Time.
type nullTime struct{ p **time.Time }

func (c nullTime) Scan(src any) error {
	if src == nil {
		*c.p = nil
		return nil
	}
	t, err := parseDBTime(src)
	*c.p = &t
	return err
}

// optTime writes a nullable timestamp.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// idCol scans a nullable reference into an int64 where 0 means none.
type idCol struct{ p *int64 }

func (c idCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = 0
	case int64:
		*c.p = v
	case int32:
		*c.p = int64(v)
	default:
		return fmt.Errorf("cannot read %T as an id", src)
	}
	return nil
}

// optID writes a reference, NULL for 0.
func optID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullFloat scans a nullable number into a *float64.
type nullFloat struct{ p **float64 }

func (c nullFloat) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = nil
	case float64:
		*c.p = &v
	case int64:
		f := float64(v)
		*c.p = &f
	default:
		return fmt.Errorf("cannot read %T as a number", src)
	}
	return nil
}

func optFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// jsonCol stores a value as JSON text and reads it back.
type jsonCol struct{ p any }

func (c jsonCol) Value() (driver.Value, error) {
	b, err := json.Marshal(c.p)
	return string(b), err
}

func (c jsonCol) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return json.Unmarshal([]byte(v), c.p)
	case []byte:
		return json.Unmarshal(v, c.p)
	case nil:
		return nil
	}
	return fmt.Errorf("cannot read %T as JSON", src)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// optText writes a text that may be absent, NULL for "".
func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// textRows reads what a query aggregated as text — rows joined by commas,
// each of three fields joined by spaces, none holding either (an item's
// parties, a user's grants) — calling each with a row's fields.
func textRows(text string, each func(a, b, c string) error) error {
	for row := range strings.SplitSeq(text, ",") {
		if row == "" {
			continue
		}
		a, rest, ok1 := strings.Cut(row, " ")
		b, c, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 {
			return fmt.Errorf("%q is not three fields", row)
		}
		if err := each(a, b, c); err != nil {
			return fmt.Errorf("%q: %w", row, err)
		}
	}
	return nil
}
