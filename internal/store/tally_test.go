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
