package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// Actor is who made a change, as the sending installation knows them.
type Actor struct {
	Name string `json:"name"` // the person's display name
	Unit string `json:"unit"` // global id of their unit
	Role string `json:"role"` // their role in the working group
}

// Event is one change to a shared record, the content of an envelope. Its
// JSON field order is part of the wire format (see Canonical).
type Event struct {
	// Origin is the origin line of the log the event belongs to,
	// LogOrigin(sender, receiver).
	Origin string `json:"origin"`
	// Seq is the event's index in that log, from 0, without gaps.
	Seq int64 `json:"seq"`
	// Prev is the standard base64 of LeafHash of the envelope at Seq-1,
	// "" for Seq 0: each envelope names the one before it.
	Prev string `json:"prev"`
	// ID identifies the event among all the sender's events, in every
	// log; a receiver applies an ID once.
	ID string `json:"id"`
	// At is when the change was made, in UTC.
	At time.Time `json:"at"`
	// Actor is who made it.
	Actor Actor `json:"actor"`
	// Type names the change, such as "item.created".
	Type string `json:"type"`
	// Record is the global id of the record changed, such as
	// "liandong/chengdu/ab12:item:42".
	Record string `json:"record"`
	// Base is the version of the record the change was made on, 0 for a
	// creation.
	Base int64 `json:"base"`
	// Data is the change itself, a JSON object.
	Data json.RawMessage `json:"data"`
}

// Canonical is the event as one line of canonical JSON, the text an
// envelope signs (without its final newline): the fields in the order of
// Event, no insignificant whitespace, "at" as RFC 3339 in UTC with the
// nanoseconds' trailing zeros dropped, strings escaped as encoding/json
// does without HTML escaping, and Data with the keys of every object sorted
// by their UTF-8 bytes and every number kept as written. It refuses, naming
// the field, an event that is not well formed.
func (e Event) Canonical() ([]byte, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	data, err := canonicalObject(e.Data)
	if err != nil {
		return nil, fmt.Errorf("event: data: %w", err)
	}
	e.Data = data
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// check refuses the fields Canonical cannot write as they are.
func (e Event) check() error {
	if _, _, err := SplitLogOrigin(e.Origin); err != nil {
		return fmt.Errorf("event: origin: %w", err)
	}
	if e.Seq < 0 {
		return fmt.Errorf("event: seq %d is negative", e.Seq)
	}
	if err := checkPrev(e.Seq, e.Prev); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{
		{"id", e.ID}, {"type", e.Type}, {"record", e.Record},
	} {
		if f.value == "" {
			return fmt.Errorf("event: %s is empty", f.name)
		}
		if err := checkLine(f.value); err != nil {
			return fmt.Errorf("event: %s: %w", f.name, err)
		}
	}
	for _, f := range []struct{ name, value string }{
		{"actor.name", e.Actor.Name}, {"actor.unit", e.Actor.Unit}, {"actor.role", e.Actor.Role},
	} {
		if err := checkLine(f.value); err != nil {
			return fmt.Errorf("event: %s: %w", f.name, err)
		}
	}
	if e.At.IsZero() {
		return errors.New("event: at is not set")
	}
	if e.At.Location() != time.UTC {
		return fmt.Errorf("event: at %s is not in UTC", e.At)
	}
	if y := e.At.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("event: at %s: the year is not between 0 and 9999", e.At)
	}
	if e.Base < 0 {
		return fmt.Errorf("event: base %d is negative", e.Base)
	}
	return nil
}

// checkPrev: the first event names no predecessor, every other one names
// a leaf hash in canonical base64 (one spelling only, so that the JSON
// has one canonical form).
func checkPrev(seq int64, prev string) error {
	if seq == 0 {
		if prev != "" {
			return errors.New("event: prev must be empty at seq 0")
		}
		return nil
	}
	h, err := base64.StdEncoding.DecodeString(prev)
	if err != nil || len(h) != tlog.HashSize || base64.StdEncoding.EncodeToString(h) != prev {
		return fmt.Errorf("event: prev %q is not the base64 of a %d-byte hash", prev, tlog.HashSize)
	}
	return nil
}

// checkLine refuses what an identifier, a name or a type must not hold:
// invalid UTF-8 and control characters, newlines first.
func checkLine(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return fmt.Errorf("%q holds a control character (newline, tab...)", s)
	}
	return nil
}

// canonicalObject re-encodes raw, which must be one JSON object, with the
// keys of every object sorted, no insignificant whitespace and numbers as
// written. It refuses duplicate keys: the decoder would keep one silently.
func canonicalObject(raw []byte) ([]byte, error) {
	if !utf8.Valid(raw) {
		// The decoder would replace invalid bytes by U+FFFD silently.
		return nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var buf bytes.Buffer
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	if err := canonicalValue(dec, tok, &buf); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return buf.Bytes(), nil
}

// canonicalValue writes the value that starts with tok, reading the rest
// of it from dec.
func canonicalValue(dec *json.Decoder, tok json.Token, buf *bytes.Buffer) error {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return canonicalMembers(dec, buf)
		case '[':
			buf.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					buf.WriteByte(',')
				}
				next, err := dec.Token()
				if err != nil {
					return fmt.Errorf("not JSON: %w", err)
				}
				if err := canonicalValue(dec, next, buf); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // ']'
				return fmt.Errorf("not JSON: %w", err)
			}
			buf.WriteByte(']')
			return nil
		}
		return fmt.Errorf("not JSON: unexpected %v", t)
	case string:
		writeString(buf, t)
	case json.Number:
		buf.WriteString(string(t))
	case bool:
		fmt.Fprint(buf, t)
	case nil:
		buf.WriteString("null")
	default:
		return fmt.Errorf("not JSON: unexpected %T", tok)
	}
	return nil
}

// canonicalMembers writes an object whose '{' was read, members sorted by
// key.
func canonicalMembers(dec *json.Decoder, buf *bytes.Buffer) error {
	type member struct {
		key   string
		value []byte
	}
	var members []member
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not JSON: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("not JSON: object key %v", tok)
		}
		if seen[key] {
			return fmt.Errorf("key %q appears twice in one object", key)
		}
		seen[key] = true
		next, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not JSON: %w", err)
		}
		var value bytes.Buffer
		if err := canonicalValue(dec, next, &value); err != nil {
			return err
		}
		members = append(members, member{key, value.Bytes()})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return fmt.Errorf("not JSON: %w", err)
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(buf, m.key)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return nil
}

// writeString writes s as a JSON string the way the rest of the event is
// written: encoding/json without HTML escaping.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)               // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode's newline
}
