package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/liandong/liandong/internal/domain"
)

// MaxBodyBytes bounds a request body; the largest legitimate body (an item
// with its parties, milestones and a long content) is far smaller.
const MaxBodyBytes = 1 << 20

// readBody reads a JSON body within the size limit, refusing other media
// types and malformed UTF-8 (which a JSON decoder would otherwise silently
// replace, storing something the caller did not send).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/merge-patch+json") {
			return nil, fieldError(badRequest, "Content-Type", "must be application/json or application/merge-patch+json")
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, domain.Errorf(domain.TooLarge, "the body is larger than %d bytes", MaxBodyBytes).
			With(domain.FieldErrorf("body", "exceeds %d bytes", MaxBodyBytes))
	}
	if err != nil {
		return nil, fieldError(badRequest, "body", "could not be read")
	}
	if !utf8.Valid(b) {
		return nil, fieldError(badRequest, "body", "is not valid UTF-8")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fieldError(badRequest, "body", "is empty; send a JSON object")
	}
	return b, nil
}

// decodeStrict decodes one JSON object into dst, refusing unknown fields
// and trailing data, and names the offending field in its error.
func decodeStrict(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return fieldError(badRequest, "body", "holds more than one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fieldError(badRequest, "body", "is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		if typ.Type == reflect.TypeOf(domain.Date{}) {
			return fieldError(badRequest, field, "must be a date that exists, written YYYY-MM-DD")
		}
		return fieldError(badRequest, field, "must be %s", jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldError(badRequest, name, "is not a field of this record")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fieldError(badRequest, "body", "ends before the JSON value is complete")
	}
	return fieldError(badRequest, "body", "cannot be decoded: %s", err.Error())
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "a whole number in range"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "slice" || k == "array":
		return "a list"
	case k == "struct" || k == "map":
		return "an object"
	}
	return "a " + k
}

// fieldError refuses one field for a formatted reason: as malformed
// (badRequest) or as invalid.
func fieldError(code domain.Code, field, format string, args ...any) error {
	e := domain.Errorf(code, "the request is malformed")
	if code == domain.Invalid {
		e = domain.Errorf(code, "the input is invalid")
	}
	return e.With(domain.FieldErrorf(field, format, args...))
}

// mergePatch applies an RFC 7386 JSON merge patch: objects merge key by key,
// null removes a key, anything else replaces the target's value.
func mergePatch(target any, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}
