package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type userKey struct{}

// authenticate requires "Authorization: Bearer TOKEN" on every call and
// puts the token's user in the request context.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			a.writeError(w, r, &domain.Error{Code: domain.Unauthorized, Message: "send Authorization: Bearer TOKEN",
				Fields: []domain.FieldError{{Field: "Authorization", Reason: "is missing or not a bearer token"}}})
			return
		}
		u, err := a.store.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

func currentUser(r *http.Request) *domain.User {
	u, _ := r.Context().Value(userKey{}).(*domain.User)
	return u
}

func actor(r *http.Request) domain.Actor {
	return domain.ActorFor(currentUser(r))
}

func (a *API) allow(r *http.Request, action policy.Action, entity string) error {
	return policy.Check(currentUser(r), action, entity)
}
