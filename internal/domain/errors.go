// Package domain holds Liandong's nouns, their validation and the errors every
// layer speaks. It imports nothing of the application, so storage, the API and
// the web pages all agree on one vocabulary.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error so the HTTP layer can choose a status without
// reading error text.
type Code string

// The error codes. Each service method documents which ones it returns.
const (
	Invalid      Code = "invalid"      // the input breaks a rule; Fields says which
	NotFound     Code = "not_found"    // no such record, or not visible to the actor
	Conflict     Code = "conflict"     // the record changed since the version the caller saw, or a unique key is taken
	Unauthorized Code = "unauthorized" // no valid credentials
	Forbidden    Code = "forbidden"    // credentials valid, action not allowed
	Internal     Code = "internal"     // a fault of ours; the detail is logged, never shown
	Precondition Code = "precondition" // the caller must state the version its change is based on
	TooLarge     Code = "too_large"    // the request body exceeds the limit
)

// Text is a user-visible text before it is put in the reader's language:
// an English format, which is what the message catalogue (internal/message)
// knows it by, and its arguments. An argument may itself be a Text. The
// domain speaks English; the catalogue gives each format its stable code
// and its Chinese.
type Text struct {
	Format string
	Args   []any
}

// Textf returns the Text of format and args.
func Textf(format string, args ...any) Text { return Text{Format: format, Args: args} }

// String is the text in English.
func (t Text) String() string {
	if len(t.Args) == 0 {
		return t.Format
	}
	return fmt.Sprintf(t.Format, t.Args...)
}

// FieldError names one offending field and why it was refused. Reason is
// in English; Text, when set, is what Reason was formatted from, so the
// reason can be put in the reader's language.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Text   Text   `json:"-"`
}

// FieldErrorf refuses field for a formatted reason.
func FieldErrorf(field, format string, args ...any) FieldError {
	t := Textf(format, args...)
	return FieldError{Field: field, Reason: t.String(), Text: t}
}

// ReasonText is the reason as written in the code.
func (f FieldError) ReasonText() Text {
	if f.Text.Format == "" {
		return Text{Format: f.Reason}
	}
	return f.Text
}

// Error is the one error type that crosses layer boundaries. Message is safe
// to show a user, in English; Text, when set, is what Message was formatted
// from. Err carries the underlying cause for the log only.
type Error struct {
	Code    Code
	Message string
	Text    Text
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted, user-safe message. The format
// is English and must have its entry, with a code and a Chinese text, in
// the message catalogue (internal/message); a test finds any that has not.
func Errorf(code Code, format string, args ...any) *Error {
	t := Textf(format, args...)
	return &Error{Code: code, Message: t.String(), Text: t}
}

// With adds refused fields to e and returns it.
func (e *Error) With(fields ...FieldError) *Error {
	e.Fields = append(e.Fields, fields...)
	return e
}

// Internalf wraps a fault whose detail must be logged but not shown.
func Internalf(err error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: "internal error", Err: fmt.Errorf(format+": %w", append(args, err)...)}
}

// ErrorCode returns the code of err, Internal for foreign errors and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorFields returns the field errors carried by err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// ErrorMessage returns the user-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}

// ErrorText returns the user-safe message of err as written in the code,
// to be put in the reader's language.
func ErrorText(err error) Text {
	var e *Error
	if !errors.As(err, &e) || e.Code == Internal {
		return Text{Format: "internal error"}
	}
	if e.Text.Format == "" {
		return Text{Format: e.Message}
	}
	return e.Text
}

// Problems collects field errors during validation.
type Problems []FieldError

// Add records that field is refused for reason, an English text that the
// message catalogue (internal/message) knows, as it must every reason.
func (p *Problems) Add(field, reason string) {
	*p = append(*p, FieldError{Field: field, Reason: reason})
}

// Addf records a formatted reason.
func (p *Problems) Addf(field, format string, args ...any) {
	*p = append(*p, FieldErrorf(field, format, args...))
}

// Err returns an Invalid error listing the problems, or nil when there are none.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "the input is invalid", Fields: p}
}
