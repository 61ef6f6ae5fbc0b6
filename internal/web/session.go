package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
)

// The cookies. The session cookie holds the secret of a server-side
// session; the anonymous one holds a CSRF token for the sign-in form and a
// chosen language before anyone has signed in.
const (
	sessionCookie = "ld_session"
	csrfCookie    = "ld_csrf"
	langCookie    = "ld_lang"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// maxFormBytes bounds a form post; the largest form (a unit's reports for a
// period) is far below it.
const maxFormBytes = 1 << 20

// maxUploadBytes bounds the form that attaches a file to a report: the
// file's limit and room for the form around it.
const maxUploadBytes = domain.MaxAttachmentBytes + 64<<10

type stateKey struct{}

// requestState is who is asking: the user and session when signed in, the
// CSRF token forms must send back, and the language to answer in.
type requestState struct {
	user   *domain.User
	secret string // the session cookie's value
	csrf   string
	locale string
	// stamps, read with the session on a GET (store.Frame), tell the
	// lists pages keep (the references, the inbox) whether they still
	// hold, without a query of their own. A POST may write before it
	// renders, so it reads them again.
	stamps *store.Frame
}

func state(r *http.Request) *requestState {
	if st, ok := r.Context().Value(stateKey{}).(*requestState); ok {
		return st
	}
	return &requestState{locale: defaultLocale}
}

func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
}

// loadSession puts the request state in the context and checks the CSRF
// token of every request that may change something. It reports false when
// it has answered the request itself.
func (h *Handler) loadSession(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	st := &requestState{locale: defaultLocale}
	expired := false
	if c, err := r.Cookie(langCookie); err == nil {
		st.locale = validLocale(c.Value)
	}
	if strings.HasPrefix(r.URL.Path, "/assets/") {
		return r.WithContext(context.WithValue(r.Context(), stateKey{}, st)), true
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		f, err := h.store.Frame(r.Context(), c.Value)
		switch u := f.User; domain.ErrorCode(err) {
		case "":
			if !u.Disabled && u.ArchivedAt == nil {
				st.user, st.secret, st.csrf = u, c.Value, f.Session.CSRFToken
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					st.stamps = &f
				}
				// The language cookie is this browser's latest choice; it is
				// set to the user's stored language at sign-in, so a new
				// browser starts in the language the user chose before.
				if _, err := r.Cookie(langCookie); err != nil {
					st.locale = validLocale(u.Locale)
				}
			}
		case domain.Unauthorized:
			setCookie(w, r, sessionCookie, "", -1)
			expired = true
		default:
			h.log.Error("load session", "err", err)
		}
	}
	if st.user == nil {
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 26 && len(c.Value) <= 64 {
			st.csrf = c.Value
		} else {
			st.csrf = rand.Text()
			setCookie(w, r, csrfCookie, st.csrf, 0)
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		limit := int64(maxFormBytes)
		switch {
		case r.URL.Path == uploadPath:
			limit = ledger.MaxFileBytes + maxFormBytes // a ledger and the form around it
		case strings.HasSuffix(r.URL.Path, "/attachments"):
			limit = maxUploadBytes // a report's photo or PDF
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if r.URL.Path == uploadPath {
			// Read the upload here, so that a file over the limit is said to
			// be too large rather than to lack its CSRF token.
			var tooBig *http.MaxBytesError
			if err := r.ParseMultipartForm(maxFormBytes); errors.As(err, &tooBig) {
				h.fail(w, r, domain.Errorf(domain.TooLarge, "the body is larger than %d bytes", limit))
				return nil, false
			}
		}
		got := r.Header.Get(csrfHeader)
		if got == "" {
			got = r.PostFormValue(csrfField)
		}
		if expired {
			// A form sent after the session ran out: ask to sign in again
			// rather than report a forged request.
			h.fail(w, r, domain.Errorf(domain.Unauthorized, "the session has expired"))
			return nil, false
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(st.csrf)) != 1 {
			h.fail(w, r, domain.Errorf(domain.Forbidden, "CSRF token missing or wrong"))
			return nil, false
		}
	}
	return r, true
}

// signedIn lets only signed-in users through; others are sent to sign in
// and brought back afterwards.
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if state(r).user == nil {
			h.fail(w, r, domain.Errorf(domain.Unauthorized, "sign in first"))
			return
		}
		next(w, r)
	}
}

func currentUser(r *http.Request) *domain.User { return state(r).user }

func actor(r *http.Request) domain.Actor { return domain.ActorFor(currentUser(r)) }

// localPath keeps a redirect target (sign-in's next, the language
// switch's and the forms' back) on this site, or answers "/". Browsers
// forgive much in a Location: they drop TABs and line breaks anywhere, read
// a backslash as a slash and "//host" as another origin, so "/\t/evil" and
// "/\\evil" leave the site. Only a single-slash absolute path is kept: no
// control character, space or backslash anywhere, and a path that, decoded
// as often as it decodes, still starts with exactly one slash and holds no
// "//" (the query may hold anything encoded).
func localPath(p string) string {
	const home = "/"
	if p == "" || strings.ContainsFunc(p, unsafeInLocation) {
		return home
	}
	path := p
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	for range 4 {
		if !strings.HasPrefix(path, "/") || strings.Contains(path, "//") ||
			strings.ContainsFunc(path, unsafeInLocation) {
			return home
		}
		decoded, err := url.PathUnescape(path)
		if err != nil {
			return home
		}
		if decoded == path {
			return p
		}
		path = decoded
	}
	return home // still decoding after four rounds: nobody links like that
}

// unsafeInLocation is a character a browser may drop or reinterpret in a
// Location header.
func unsafeInLocation(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
