package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormErrorsInUsersLanguage: a refused form, and the error page, say
// why in the user's interface language, from the one message catalogue.
func TestFormErrorsInUsersLanguage(t *testing.T) {
	st := mustStartSite(t)
	m, b := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	create := func() string {
		t.Helper()
		_, page := c.get(fmt.Sprintf("/items/new?mechanism=%d&batch=%d", m.ID, b.ID))
		form := url.Values{"csrf": {c.csrf(page)}, "mechanism": {fmt.Sprint(m.ID)}, "batch": {fmt.Sprint(b.ID)},
			"title": {""}, "start_on": {"2024-06-01"}, "end_on": {"2024-01-31"}, "status": {"not_started"}}
		for _, mb := range m.Members {
			form.Set("lead-"+mb.Side, fmt.Sprint(mb.OrganizationID))
		}
		res, body := c.post("/items/new", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("POST /items/new without a title = %d, want 422", res.StatusCode)
		}
		return body
	}
	for _, lang := range []struct {
		locale, notFound, foreign string
		reasons                   []string
	}{
		{"zh-CN", "找不到事项 987654321", "is required", []string{"必填", "不得早于开始日期"}},
		{"en", "item 987654321 not found", "必填", []string{"is required", "must not be before start_on"}},
	} {
		_, page := c.get("/")
		c.post("/language", url.Values{"csrf": {c.csrf(page)}, "locale": {lang.locale}, "back": {"/"}})
		body := create()
		for _, want := range lang.reasons {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form does not say %q", lang.locale, want)
			}
		}
		if strings.Contains(body, lang.foreign) {
			t.Errorf("%s: the form says %q, in the other language", lang.locale, lang.foreign)
		}
		if res, body := c.get("/items/987654321"); res.StatusCode != http.StatusNotFound || !strings.Contains(body, lang.notFound) {
			t.Errorf("%s: a missing item = %d, not named as %q", lang.locale, res.StatusCode, lang.notFound)
		}
	}
}
