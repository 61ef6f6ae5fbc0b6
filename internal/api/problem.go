package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
)

// ProblemDetails is an RFC 9457 problem details document. Code is the
// class of the error (invalid, not_found…); DetailCode is the stable code
// of Detail. Errors lists each offending field, why it was refused and the
// reason's code. Title, Detail and each reason are in Chinese when the
// request's Accept-Language prefers it, else in English.
type ProblemDetails struct {
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Status     int            `json:"status"`
	Detail     string         `json:"detail"`
	Code       string         `json:"code"`
	DetailCode MessageCode    `json:"detail_code,omitempty"`
	Errors     []ProblemField `json:"errors,omitempty"`
}

// ProblemField is one refused field: its name, the stable code of the
// reason and the reason in the reader's language.
type ProblemField struct {
	Field  string      `json:"field"`
	Code   MessageCode `json:"code,omitempty"`
	Reason string      `json:"reason"`
}

// MessageCode is the stable machine code of a message or a reason, one of
// message.Codes(); the OpenAPI lists them all.
type MessageCode string

// status maps an error code to its HTTP status. Precondition conflicts
// answer 412 only when the caller used If-Match; see writeError.
var status = map[domain.Code]int{
	domain.Invalid:      http.StatusUnprocessableEntity,
	domain.NotFound:     http.StatusNotFound,
	domain.Conflict:     http.StatusConflict,
	domain.Unauthorized: http.StatusUnauthorized,
	domain.Forbidden:    http.StatusForbidden,
	domain.Precondition: http.StatusPreconditionRequired,
	domain.TooLarge:     http.StatusRequestEntityTooLarge,
	domain.Internal:     http.StatusInternalServerError,
}

// badRequest is the code for a body or query that cannot be read at all,
// as opposed to one that reads but breaks a rule (Invalid, 422).
const badRequest domain.Code = "bad_request"

// writeError is the API's one error boundary: it logs internal errors with
// their detail and sends the client only the safe message.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	st, ok := status[code]
	switch {
	case code == badRequest:
		st = http.StatusBadRequest
	case !ok:
		st = http.StatusInternalServerError
	}
	if code == domain.Conflict && r.Header.Get("If-Match") != "" {
		st = http.StatusPreconditionFailed
	}
	if st == http.StatusInternalServerError {
		a.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	if st == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="liandong"`)
	}
	lang := language(r)
	text := message.Of(lang, err)
	p := ProblemDetails{Type: "about:blank", Title: message.Title(lang, st), Status: st, Detail: text.Message, Code: string(code), DetailCode: MessageCode(text.Code)}
	for _, f := range text.Fields {
		p.Errors = append(p.Errors, ProblemField{Field: f.Field, Code: MessageCode(f.Code), Reason: f.Reason})
	}
	if code == badRequest {
		p.Code = string(domain.Invalid)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(p)
}

// language is the language the request's Accept-Language prefers: zh-CN or
// en.
func language(r *http.Request) string {
	return message.Preferred(r.Header.Get("Accept-Language"))
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, st int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(v)
}
