package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// occurredParam is the optional day a write's change happened, apart from
// the day it is recorded: "2022", "2022-09" or "2022-09-15".
const occurredParam = "occurred_on"

const occurredDescription = "the day the change happened, when not today: 2022, 2022-09 or 2022-09-15 (the precision follows from the form); never after today"

// occurred states, for every write, the day its change happened: the
// occurred_on query parameter or a top-level occurred_on field of a JSON
// object body, which it takes out before the handler decodes the noun. The
// store dates the write's audit events by it (store.WithOccurred) and
// refuses a day after today. A value that is no year, month or day is
// refused here, naming occurred_on.
func (a *API) occurred(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		value := r.URL.Query().Get(occurredParam)
		if jsonBody(r) {
			b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
			if err != nil {
				a.writeError(w, r, fieldError(badRequest, "body", "could not be read"))
				return
			}
			if len(b) > MaxBodyBytes {
				// Larger than any JSON write: not one (an attachment sent
				// without its type, say). Hand it on whole, for the handler
				// to judge by its own limit.
				r.Body = struct {
					io.Reader
					io.Closer
				}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
			} else {
				inBody, rest, err := takeOccurred(b)
				if err != nil {
					a.writeError(w, r, err)
					return
				}
				if inBody != "" {
					value = inBody
				}
				r.Body = io.NopCloser(bytes.NewReader(rest))
			}
		}
		if value == "" {
			next.ServeHTTP(w, r)
			return
		}
		on, precision, err := domain.ParseOccurred(value)
		if err != nil {
			a.writeError(w, r, fieldError(domain.Invalid, occurredParam, "must be a year, month or day written 2022, 2022-09 or 2022-09-15"))
			return
		}
		next.ServeHTTP(w, r.WithContext(store.WithOccurred(r.Context(), on, precision)))
	})
}

// jsonBody reports whether r carries a body the handlers read as JSON.
func jsonBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || mt == "application/merge-patch+json")
}

// takeOccurred removes a top-level occurred_on field from a JSON object
// and returns its value and the object without it. Anything else (not an
// object, not JSON) is returned as it is, for the handler to judge.
func takeOccurred(b []byte) (string, []byte, error) {
	if !bytes.Contains(b, []byte(`"`+occurredParam+`"`)) {
		return "", b, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return "", b, nil
	}
	raw, ok := fields[occurredParam]
	if !ok {
		return "", b, nil
	}
	delete(fields, occurredParam)
	var value *string
	if err := json.Unmarshal(raw, &value); err != nil {
		return "", nil, fieldError(badRequest, occurredParam, "must be a string: 2022, 2022-09 or 2022-09-15")
	}
	rest, err := json.Marshal(fields)
	if err != nil {
		return "", nil, fieldError(badRequest, "body", "could not be read")
	}
	if value == nil {
		return "", rest, nil
	}
	return *value, rest, nil
}
