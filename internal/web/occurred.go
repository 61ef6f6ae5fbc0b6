package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// occurredContext is the request's context stating, for the store, the day
// the change a form makes happened: its optional occurred_on field ("2022",
// "2022-09" or "2022-09-15"). A value that is no such day is added to p,
// naming occurred_on; the store refuses a day after today.
func occurredContext(r *http.Request, p *domain.Problems) context.Context {
	s := strings.TrimSpace(r.PostFormValue("occurred_on"))
	if s == "" {
		return r.Context()
	}
	on, precision, err := domain.ParseOccurred(s)
	if err != nil {
		p.Add("occurred_on", "must be a year, month or day written 2022, 2022-09 or 2022-09-15")
		return r.Context()
	}
	return store.WithOccurred(r.Context(), on, precision)
}
