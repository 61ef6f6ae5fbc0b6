package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/liandong/liandong/internal/domain"
)

// ProblemDetails is an RFC 9457 problem details document. Errors lists each
// offending field and why it was refused.
type ProblemDetails struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Code   string              `json:"code"`
	Errors []domain.FieldError `json:"errors,omitempty"`
}

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
	p := ProblemDetails{Type: "about:blank", Title: http.StatusText(st), Status: st, Detail: domain.ErrorMessage(err), Code: string(code), Errors: domain.ErrorFields(err)}
	if code == badRequest {
		p.Code = string(domain.Invalid)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(p)
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, st int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(v)
}
