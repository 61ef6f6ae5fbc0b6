package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

type signInData struct {
	Email string
	Next  string
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	t := h.tr(state(r).locale)
	v := h.newView(r, t.T("signin.title"), "signin")
	v.Data = signInData{Next: localPath(r.URL.Query().Get("next"))}
	h.render(w, r, http.StatusOK, "signin", v)
}

// clientAddress is the peer address the throttle counts by. A forwarded
// header is not trusted: anyone could send one to escape the limit.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signIn checks the password (argon2id, in the store), throttles guessing
// per account and per account from an address (store.BeginSignIn says the
// rule), and starts a fresh session.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	t := h.tr(st.locale)
	email := strings.TrimSpace(r.PostFormValue("email"))
	data := signInData{Email: email, Next: localPath(r.PostFormValue("next"))}
	again := func(status int, msg string) {
		v := h.newView(r, t.T("signin.title"), "signin")
		v.Error, v.Data = msg, data
		h.render(w, r, status, "signin", v)
	}
	ctx, addr := r.Context(), clientAddress(r)
	wait, err := h.store.BeginSignIn(ctx, email, addr)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second).Seconds())))
		again(http.StatusTooManyRequests, t.T("signin.throttled"))
		return
	}
	u, err := h.store.CheckPassword(ctx, email, r.PostFormValue("password"))
	if rerr := h.store.EndSignIn(ctx, email, addr, err == nil); rerr != nil {
		h.fail(w, r, rerr)
		return
	}
	if domain.ErrorCode(err) == domain.Unauthorized {
		again(http.StatusUnauthorized, t.T("signin.wrong"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A new session id at every sign-in: an id planted before sign-in
	// (session fixation) is worth nothing after it.
	if st.secret != "" {
		if err := h.store.DeleteSession(ctx, st.secret); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	secret, _, err := h.store.CreateSession(ctx, u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, secret, 0)
	setCookie(w, r, csrfCookie, "", -1)
	setCookie(w, r, langCookie, validLocale(u.Locale), 365*24*3600)
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if s := state(r).secret; s != "" {
		if err := h.store.DeleteSession(r.Context(), s); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// switchLanguage remembers the choice on the user (so it follows them to
// another browser) or, before sign-in, in a cookie.
func (h *Handler) switchLanguage(w http.ResponseWriter, r *http.Request) {
	loc := validLocale(r.PostFormValue("locale"))
	back := localPath(r.PostFormValue("back"))
	if u := currentUser(r); u != nil && u.Locale != loc {
		if err := h.store.SetLocale(r.Context(), actor(r), loc); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	setCookie(w, r, langCookie, loc, 365*24*3600)
	http.Redirect(w, r, back, http.StatusSeeOther)
}
