package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestTally: the counts Tally gives by group are the sizes of the lists
// List gives with the same filters, for a viewer who reads everything and
// for a liaison who reads only their unit's items.
func TestTally(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		kinds := []struct {
			status domain.ItemStatus
			light  domain.Light
			track  string
			lead   int64
		}{
			{domain.Advancing, domain.Green, "hub", w.cdDRC.ID},
			{domain.Advancing, domain.Green, "hub", w.wjGov.ID},
			{domain.Advancing, domain.Red, "hub", w.wjGov.ID},
			{domain.NotStarted, domain.Yellow, "industry", w.cdDRC.ID},
			{domain.Completed, domain.Green, "", w.wjGov.ID},
			{domain.Paused, domain.Red, "industry", w.cdDRC.ID},
		}
		for i, k := range kinds {
			it := w.item(fmt.Sprintf("项目%d", i), map[string]int64{"chengdu": k.lead}, "")
			it.Status, it.Light, it.Track = k.status, k.light, k.track
			mustCreate(t, s.Items, it)
		}
		liaison := &domain.User{Email: "tally@example.gov.cn", Name: "联络员", Locale: "zh-CN",
			Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.wjGov.ID}}}
		if err := s.Users.Create(ctx, domain.Actor{}, liaison); err != nil {
			t.Fatal(err)
		}
		admin := &domain.User{Email: "tally-admin@example.gov.cn", Name: "管理员", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
		if err := s.Users.Create(ctx, domain.Actor{}, admin); err != nil {
			t.Fatal(err)
		}
		mech := fmt.Sprint(w.mech.ID)
		for _, viewer := range []*domain.User{admin, liaison} {
			t.Run(viewer.Email, func(t *testing.T) {
				counts, err := s.Items.Tally(ctx, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mech}}, "track", "status", "light")
				if err != nil {
					t.Fatal(err)
				}
				sum := 0
				for _, c := range counts {
					sum += c.Count
					filters := map[string]string{"mechanism": mech, "status": c.Keys[1], "light": c.Keys[2]}
					if c.Keys[0] != "" {
						filters["track"] = c.Keys[0]
					}
					page, err := s.Items.List(ctx, domain.ListQuery{Viewer: viewer, Filters: filters, Limit: domain.MaxPageSize})
					if err != nil {
						t.Fatal(err)
					}
					listed := 0
					for _, it := range page.Items {
						if it.Track == c.Keys[0] {
							listed++
						}
					}
					if listed != c.Count {
						t.Errorf("%v: counted %d, listed %d", c.Keys, c.Count, listed)
					}
				}
				all, err := s.Items.List(ctx, domain.ListQuery{Viewer: viewer, Filters: map[string]string{"mechanism": mech}, Limit: domain.MaxPageSize})
				if err != nil {
					t.Fatal(err)
				}
				if sum != len(all.Items) {
					t.Errorf("counts add up to %d, the list holds %d", sum, len(all.Items))
				}
				want := len(kinds)
				if viewer == liaison {
					want = 3 // the items 温江区 leads
				}
				if sum != want {
					t.Errorf("counted %d items, want %d", sum, want)
				}
			})
		}
		_, err := s.Items.Tally(ctx, domain.ListQuery{Viewer: admin}, "title")
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.Invalid || len(de.Fields) == 0 || de.Fields[0].Field != "group" {
			t.Errorf("counting by title: %v, want the group named as invalid", err)
		}
		_, err = s.Items.Tally(ctx, domain.ListQuery{Viewer: admin, Filters: map[string]string{"colour": "red"}}, "status")
		if !errors.As(err, &de) || de.Code != domain.Invalid || de.Fields[0].Field != "colour" {
			t.Errorf("an unknown filter: %v, want it named as invalid", err)
		}
	})
}

// TestListCountsEveryPage: a list asked to count gives, on every page,
// how many records its filters select on all pages, as the viewer may read
// them, counted in the page's own query; in the order of a column (a time
// among them), after a search, and from a cursor alike, each record once.
func TestListCountsEveryPage(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		for i := range 7 {
			lead := w.cdDRC.ID
			if i%2 == 1 {
				lead = w.wjGov.ID
			}
			mustCreate(t, s.Items, w.item(fmt.Sprintf("协同项目%d", i), map[string]int64{"chengdu": lead}, ""))
		}
		liaison := &domain.User{Email: "count@example.gov.cn", Name: "联络员", Locale: "zh-CN",
			Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.wjGov.ID}}}
		if err := s.Users.Create(ctx, domain.Actor{}, liaison); err != nil {
			t.Fatal(err)
		}
		mech := fmt.Sprint(w.mech.ID)
		for _, c := range []struct {
			name    string
			viewer  *domain.User
			filters map[string]string
			sort    string
			want    int
		}{
			{"everyone's, by id", nil, map[string]string{"mechanism": mech}, "", 7},
			{"the liaison's, by title", liaison, map[string]string{"mechanism": mech}, "title", 3},
			{"everyone's, by the last change", nil, map[string]string{"mechanism": mech}, "updated_at", 7},
			{"a search", nil, map[string]string{"q": "协同"}, "", 7},
		} {
			t.Run(c.name, func(t *testing.T) {
				q := domain.ListQuery{Viewer: c.viewer, Filters: c.filters, Sort: c.sort, Desc: true, Limit: 2, Count: true, Summary: true}
				pages, listed, seen := 0, 0, map[int64]bool{}
				for {
					page, err := s.Items.List(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range page.Items {
						if seen[it.ID] {
							t.Errorf("item %d listed twice", it.ID)
						}
						seen[it.ID] = true
					}
					if page.Total != c.want {
						t.Errorf("page %d counts %d, want %d", pages+1, page.Total, c.want)
					}
					pages, listed = pages+1, listed+len(page.Items)
					if page.NextCursor == "" {
						break
					}
					q.Cursor = page.NextCursor
				}
				if listed != c.want || pages != (c.want+1)/2 {
					t.Errorf("listed %d items on %d pages, want %d", listed, pages, c.want)
				}
			})
		}
		// A cursor past every row of these filters leaves no row to carry
		// the count: the page says it does not know rather than zero.
		lowest, err := s.Items.List(ctx, domain.ListQuery{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		past, err := s.Items.List(ctx, domain.ListQuery{Cursor: lowest.NextCursor, Desc: true, Limit: 2, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(past.Items) != 0 || past.Total != -1 {
			t.Errorf("past the end: %d items, total %d; want none and -1", len(past.Items), past.Total)
		}
		none, err := s.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "无此项目"}, Count: true})
		if err != nil || len(none.Items) != 0 || none.Total != 0 {
			t.Errorf("nothing found: %d items, total %d, %v; want none and 0", len(none.Items), none.Total, err)
		}
	})
}
