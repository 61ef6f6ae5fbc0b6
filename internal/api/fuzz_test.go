package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// FuzzDecodeBodies feeds arbitrary bytes to the decoding of every create
// and update body. Decoding either refuses with a named field or yields a
// value that validates or is refused with named fields; an accepted value
// encodes and decodes back to itself.
func FuzzDecodeBodies(f *testing.F) {
	for _, seed := range []string{
		`{"name":"温江区","kind":"district","parent_id":3}`,
		`{"mechanism_id":1,"title":"成渝中线高铁","status":"advancing","parties":[{"side":"chengdu","organization_id":2,"role":"lead"}],"milestones":[{"title":"开工","due_on":"2024-06-30"}]}`,
		`{"item_id":1,"organization_id":2,"period":"2023-Q2","percent":50,"status":"draft"}`,
		`{"held_on":"2023-02-30"}`, `{"percent":1e400}`, "{\"title\":\"\xff\"}", `[]`, `null`, `{"custom":{"a":[1,{"b":null}]}}`,
	} {
		f.Add([]byte(seed))
	}
	targets := []func() domain.Entity{
		func() domain.Entity { return new(domain.Jurisdiction) }, func() domain.Entity { return new(domain.Organization) },
		func() domain.Entity { return new(domain.Mechanism) }, func() domain.Entity { return new(domain.Meeting) },
		func() domain.Entity { return new(domain.Batch) }, func() domain.Entity { return new(domain.Item) },
		func() domain.Entity { return new(domain.Report) }, func() domain.Entity { return new(domain.Problem) },
		func() domain.Entity { return new(domain.Task) }, func() domain.Entity { return new(domain.Agreement) },
		func() domain.Entity { return new(domain.Catalog) }, func() domain.Entity { return new(domain.CatalogEntry) },
		func() domain.Entity { return new(domain.Indicator) }, func() domain.Entity { return new(domain.User) },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newTarget := range targets {
			v := newTarget()
			if err := decodeStrict(body, v); err != nil {
				if len(domain.ErrorFields(err)) == 0 {
					t.Fatalf("%T: refusal names no field: %v", v, err)
				}
				continue
			}
			if err := v.Validate(); err != nil {
				if domain.ErrorCode(err) != domain.Invalid || len(domain.ErrorFields(err)) == 0 {
					t.Fatalf("%T: validation error without fields: %v", v, err)
				}
				continue
			}
			enc, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T: accepted value does not encode: %v", v, err)
			}
			again := newTarget()
			if err := decodeStrict(enc, again); err != nil {
				t.Fatalf("%T: its own encoding is refused: %v\n%s", v, err, enc)
			}
			if !reflect.DeepEqual(jsonOf(t, v), jsonOf(t, again)) {
				t.Fatalf("%T: round trip changed the value:\n%s\n%s", v, enc, jsonOf(t, again))
			}
		}
	})
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzListQuery sends arbitrary query strings to the item list on a real
// SQLite database: the answer is a page or a refusal naming the parameter,
// never an internal error, whatever the filters, sort, limit or cursor.
func FuzzListQuery(f *testing.F) {
	for _, seed := range []string{"status=advancing&sort=title&order=desc&limit=2", "q=医药", "q=%25_%5C", "cursor=eyJrIjoxLCJpIjoxfQ",
		"due_before=2024-02-30", "unit=1&side=chengdu&jurisdiction=1", "limit=-1", "q=" + "中线高铁", "sort=updated_at&cursor=eyJrIjoiYSIsImkiOjF9", "landmark=maybe"} {
		f.Add(seed)
	}
	s, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), "")
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := url.ParseQuery(raw); err != nil {
			return
		}
		r := httptest.NewRequest("GET", "/api/v1/items", nil)
		r.URL.RawQuery = raw
		q, err := listQuery(r)
		if err != nil {
			if len(domain.ErrorFields(err)) == 0 {
				t.Fatalf("malformed query refused without naming a parameter: %v", err)
			}
			return
		}
		_, err = s.Items.List(context.Background(), q)
		if code := domain.ErrorCode(err); code != "" && code != domain.Invalid {
			t.Fatalf("query %q: %v", raw, err)
		}
	})
}
