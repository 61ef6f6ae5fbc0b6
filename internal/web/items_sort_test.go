package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestItemListCountsAndSorts: the list says how many items its filters
// select over all pages, sorts by a column's header both ways, keeps the
// order on the next page and in a saved view, and refuses an unknown order
// naming it.
func TestItemListCountsAndSorts(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		mech, batch := st.workingGroup(t)
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)
		all, err := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(batch.ID)}, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		res, body := c.get(fmt.Sprintf("/items?batch=%d", batch.ID))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("list: %d", res.StatusCode)
		}
		if want := fmt.Sprintf("共 %d 项", len(all.Items)); !strings.Contains(body, want) {
			t.Errorf("the list does not say %q", want)
		}
		titles := func(body string) []string {
			var out []string
			for _, m := range regexp.MustCompile(`<td class="title"><a href="/items/\d+">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
				out = append(out, html.UnescapeString(m[1]))
			}
			return out
		}
		head := regexp.MustCompile(`<th scope="col"[^>]*><a class="sort" href="([^"]+)">项目名称`).FindStringSubmatch(body)
		if head == nil {
			t.Fatal("the title column's header does not sort")
		}
		_, asc := c.get(html.UnescapeString(head[1]))
		up := titles(asc)
		if len(up) != len(all.Items) {
			t.Fatalf("sorted by title: %d rows, want %d", len(up), len(all.Items))
		}
		for i := 1; i < len(up); i++ {
			if up[i-1] > up[i] {
				t.Fatalf("not in title order: %q before %q", up[i-1], up[i])
			}
		}
		if !strings.Contains(asc, `aria-sort="ascending"`) || !strings.Contains(asc, "按项目名称排序") {
			t.Error("the sorted list does not say its order")
		}
		head = regexp.MustCompile(`<th scope="col"[^>]*><a class="sort" href="([^"]+)">项目名称`).FindStringSubmatch(asc)
		_, desc := c.get(html.UnescapeString(head[1]))
		down := titles(desc)
		if len(down) == 0 || down[0] != up[len(up)-1] || !strings.Contains(desc, `aria-sort="descending"`) {
			t.Errorf("the header's second click: %v, want the reverse of %v", down, up)
		}
		// The order is kept in the filter form and the saved view's query.
		if !strings.Contains(desc, `name="sort" value="-title"`) || !strings.Contains(desc, "sort=-title") {
			t.Error("the filter form or the saved view forgets the order")
		}
		res, body = c.get(fmt.Sprintf("/items?mechanism=%d&sort=colour", mech.ID))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "sort") {
			t.Errorf("an unknown order: %d", res.StatusCode)
		}
		// Without a mechanism the unit filter offers no ten thousand units.
		_, body = c.get("/items")
		if n := strings.Count(body[strings.Index(body, `id="f-unit"`):strings.Index(body, `id="f-q"`)], "<option"); n != 1 {
			t.Errorf("the unit filter without a mechanism offers %d options, want only 任意", n)
		}
		_, body = c.get(fmt.Sprintf("/items?mechanism=%d", mech.ID))
		if n := strings.Count(body[strings.Index(body, `id="f-unit"`):strings.Index(body, `id="f-q"`)], "<option"); n != len(mech.Members)+1 {
			t.Errorf("the unit filter of the working group offers %d options, want its %d members and 任意", n, len(mech.Members))
		}
	})
}
