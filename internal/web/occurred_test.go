package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// batchList signs in as the site's user and opens the list of the working
// group's first batch: the client, the list's path, its page and its items.
func (st *site) batchList(t *testing.T) (*client, string, string, []*domain.Item) {
	t.Helper()
	_, batch := st.workingGroup(t)
	c := st.client(t)
	c.signIn(st.User.Email, testPassword)
	list := fmt.Sprintf("/items?batch=%d", batch.ID)
	_, body := c.get(list)
	page, err := st.Store.Items.List(context.Background(), domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(batch.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	return c, list, body, page.Items
}

// TestHistoryShowsTheDayItHappened: a change made with the date it
// happened shows both dates in the item's history, in each language; a
// date after today changes nothing and says why.
func TestHistoryShowsTheDayItHappened(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		c, list, body, items := st.batchList(t)
		if !strings.Contains(body, `name="occurred_on"`) {
			t.Fatal("the bulk edit offers no date it happened")
		}
		it := items[0]
		sel := fmt.Sprintf("%d:%d", it.ID, it.Version)

		res, _ := c.post("/items/bulk", url.Values{"csrf": {c.csrf(body)}, "back": {list}, "item": {sel}, "light": {"yellow"}, "occurred_on": {"2030-01"}})
		if !strings.Contains(res.Header.Get("Location"), "bulk=occurred") {
			t.Fatalf("a date after today: %s", res.Header.Get("Location"))
		}
		if got, _ := st.Store.Items.Get(ctx, it.ID); got.Version != it.Version {
			t.Fatal("a refused date changed the item")
		}
		res, _ = c.post("/items/bulk", url.Values{"csrf": {c.csrf(body)}, "back": {list}, "item": {sel}, "light": {"yellow"}, "light_reason": {"进度滞后"}, "occurred_on": {"2022-09"}})
		if !strings.Contains(res.Header.Get("Location"), "bulk=done") {
			t.Fatalf("bulk edit with a date: %s", res.Header.Get("Location"))
		}

		item := fmt.Sprintf("/items/%d", it.ID)
		_, body = c.get(item)
		if want := "2022年9月起 · 录入于 2024年11月25日"; !strings.Contains(body, want) {
			t.Errorf("the Chinese history does not say %q", want)
		}
		res, _ = c.post("/language", url.Values{"csrf": {c.csrf(body)}, "locale": {"en"}, "back": {item}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch language: %d", res.StatusCode)
		}
		_, body = c.get(item)
		if want := "since Sep 2022 · recorded 25 Nov 2024"; !strings.Contains(body, want) {
			t.Errorf("the English history does not say %q", want)
		}
	})
}

// TestProblemFormsTakeTheDayItHappened: raising a problem with a date that
// is none re-renders the form naming the field and keeping the input; a
// good one dates the problem's history.
func TestProblemFormsTakeTheDayItHappened(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		m, _ := st.workingGroup(t)
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		form := fmt.Sprintf("/problems/new?mechanism=%d", m.ID)
		_, body := c.get(form)
		values := url.Values{"csrf": {c.csrf(body)}, "mechanism": {fmt.Sprint(m.ID)}, "title": {"用地指标不足"}, "tier": {"execution"}, "occurred_on": {"2022-9"}}
		res, body := c.post("/problems/new", values)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="occurred_on-err"`) || !strings.Contains(body, `value="2022-9"`) {
			t.Fatalf("a bad date: %d, the form does not name the field and keep the input", res.StatusCode)
		}
		values.Set("occurred_on", "2023-03-01")
		res, _ = c.post("/problems/new", values)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("raise: %d", res.StatusCode)
		}
		problem := res.Header.Get("Location")
		_, body = c.get(problem)
		if want := "2023年3月1日起 · 录入于 2024年11月25日"; !strings.Contains(body, want) {
			t.Errorf("the problem's history does not say %q", want)
		}
		res, _ = c.post(problem+"/escalate", url.Values{"csrf": {c.csrf(body)}, "version": {"1"}, "note": {"需联席会议协调"}, "occurred_on": {"2023-06"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("escalate: %d", res.StatusCode)
		}
		_, body = c.get(problem)
		if want := "2023年6月起 · 录入于 2024年11月25日 · "; strings.Count(body, want) != 2 {
			t.Errorf("the escalation and its history line do not both say %q", want)
		}
	})
}
