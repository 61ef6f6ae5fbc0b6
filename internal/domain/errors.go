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

// FieldError names one offending field and why it was refused.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the one error type that crosses layer boundaries. Message is safe
// to show a user; Err carries the underlying cause for the log only.
type Error struct {
	Code    Code
	Message string
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

// Errorf returns an *Error with a formatted, user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
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

// Problems collects field errors during validation.
type Problems []FieldError

// Add records that field is refused for reason.
func (p *Problems) Add(field, reason string) {
	*p = append(*p, FieldError{Field: field, Reason: reason})
}

// Addf records a formatted reason.
func (p *Problems) Addf(field, format string, args ...any) {
	p.Add(field, fmt.Sprintf(format, args...))
}

// Err returns an Invalid error listing the problems, or nil when there are none.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "the input is invalid", Fields: p}
}
