package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

var system = domain.Actor{}

func mustCreate[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], v P) P {
	t.Helper()
	if err := rs.Create(context.Background(), system, v); err != nil {
		t.Fatalf("create %T: %v", v, err)
	}
	return v
}

func wantCode(t *testing.T, err error, code domain.Code) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	for _, f := range domain.ErrorFields(err) {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name field %q", err, field)
}

func TestMigrationsApplyOnceAndReportCurrent(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		again, err := s.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want nothing", again, err)
		}
		n, err := s.Pending(ctx)
		if err != nil || n != 0 {
			t.Fatalf("Pending = %d, %v; want 0", n, err)
		}
	})
}

func TestJurisdictionLifecycle(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sc := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Code: "510000", Name: "四川省", Kind: domain.Province, Record: domain.Record{Source: "FACTS.md"}})
		cd := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: sc.ID, Code: "510100", Name: "成都市", Kind: domain.City})
		jy := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: cd.ID, Code: "510185", Name: "简阳市", Kind: domain.CountyCity})
		east := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: cd.ID, Name: "成都东部新区", Kind: domain.Zone, Overlaps: []int64{jy.ID}, ValidFrom: domain.MustDate("2020-05-06")})

		t.Run("ReadBack", func(t *testing.T) {
			got, err := s.Jurisdictions.Get(ctx, east.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "成都东部新区" || got.ParentID != cd.ID || got.Version != 1 || len(got.Overlaps) != 1 || got.Overlaps[0] != jy.ID || got.ValidFrom.String() != "2020-05-06" || !got.ValidTo.IsZero() {
				t.Fatalf("read back %+v", got)
			}
			if !got.CreatedAt.Equal(east.CreatedAt) {
				t.Fatalf("created_at %v, want %v", got.CreatedAt, east.CreatedAt)
			}
		})
		t.Run("NotFound", func(t *testing.T) {
			_, err := s.Jurisdictions.Get(ctx, 99999)
			wantCode(t, err, domain.NotFound)
		})
		t.Run("InvalidNamesFields", func(t *testing.T) {
			err := s.Jurisdictions.Create(ctx, system, &domain.Jurisdiction{Name: "", Code: "12", Kind: "planet", ParentID: 424242})
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "name")
			wantField(t, err, "code")
			wantField(t, err, "kind")
		})
		t.Run("MissingReferenceNamed", func(t *testing.T) {
			err := s.Jurisdictions.Create(ctx, system, &domain.Jurisdiction{Name: "x", Kind: domain.District, ParentID: 424242})
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "parent_id")
		})
		t.Run("CycleRefused", func(t *testing.T) {
			v, _ := s.Jurisdictions.Get(ctx, sc.ID)
			v.ParentID = jy.ID
			wantField(t, s.Jurisdictions.Update(ctx, system, v), "parent_id")
		})
		t.Run("StaleUpdateRefusedAndChangesNothing", func(t *testing.T) {
			a, _ := s.Jurisdictions.Get(ctx, jy.ID)
			b, _ := s.Jurisdictions.Get(ctx, jy.ID)
			a.NameEN = "Jianyang"
			if err := s.Jurisdictions.Update(ctx, system, a); err != nil {
				t.Fatal(err)
			}
			if a.Version != 2 {
				t.Fatalf("version after update = %d, want 2", a.Version)
			}
			b.NameEN = "stale"
			err := s.Jurisdictions.Update(ctx, system, b)
			wantCode(t, err, domain.Conflict)
			got, _ := s.Jurisdictions.Get(ctx, jy.ID)
			if got.NameEN != "Jianyang" || got.Version != 2 {
				t.Fatalf("after stale update: name_en %q version %d", got.NameEN, got.Version)
			}
		})
		t.Run("ArchiveHidesFromList", func(t *testing.T) {
			tmp := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: cd.ID, Name: "临时区", Kind: domain.District})
			if _, err := s.Jurisdictions.Archive(ctx, system, tmp.ID, 5); domain.ErrorCode(err) != domain.Conflict {
				t.Fatalf("archive with wrong version: %v", err)
			}
			if _, err := s.Jurisdictions.Archive(ctx, system, tmp.ID, 1); err != nil {
				t.Fatal(err)
			}
			page, err := s.Jurisdictions.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "临时"}})
			if err != nil || len(page.Items) != 0 {
				t.Fatalf("archived record listed: %v %v", page.Items, err)
			}
			page, _ = s.Jurisdictions.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "临时"}, Archived: true})
			if len(page.Items) != 1 || page.Items[0].ArchivedAt == nil {
				t.Fatalf("archived record not listed with archived=true: %v", page.Items)
			}
		})
	})
}

func TestListPaginatesStablyWithFilters(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		root := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Code: "500000", Name: "重庆市", Kind: domain.Municipality})
		names := []string{"渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区", "巴南区", "两江新区"}
		for _, n := range names {
			kind := domain.District
			if strings.HasSuffix(n, "新区") {
				kind = domain.Zone
			}
			mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{ParentID: root.ID, Name: n, Kind: kind})
		}
		for _, tc := range []struct {
			sort string
			desc bool
		}{{"", false}, {"name", false}, {"name", true}, {"code", false}} {
			t.Run(fmt.Sprintf("sort=%s,desc=%v", tc.sort, tc.desc), func(t *testing.T) {
				var seen []string
				q := domain.ListQuery{Filters: map[string]string{"parent": fmt.Sprint(root.ID), "kind": "district"}, Sort: tc.sort, Desc: tc.desc, Limit: 4}
				for pages := 0; ; pages++ {
					page, err := s.Jurisdictions.List(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, j := range page.Items {
						seen = append(seen, j.Name)
					}
					if page.NextCursor == "" {
						break
					}
					if pages > 5 {
						t.Fatal("pagination does not end")
					}
					q.Cursor = page.NextCursor
				}
				if len(seen) != 9 {
					t.Fatalf("saw %d districts %v, want 9 once each", len(seen), seen)
				}
				uniq := map[string]bool{}
				for _, n := range seen {
					uniq[n] = true
				}
				if len(uniq) != 9 {
					t.Fatalf("duplicates across pages: %v", seen)
				}
				if tc.sort == "name" {
					for i := 1; i < len(seen); i++ {
						if (seen[i-1] > seen[i]) != tc.desc && seen[i-1] != seen[i] {
							t.Fatalf("not sorted (desc=%v): %v", tc.desc, seen)
						}
					}
				}
			})
		}
		t.Run("TextQueryOneAndTwoCharacters", func(t *testing.T) {
			for q, want := range map[string]int{"渝": 2, "南岸": 1, "区": 10, "新区": 1} {
				page, err := s.Jurisdictions.List(ctx, domain.ListQuery{Filters: map[string]string{"q": q}})
				if err != nil || len(page.Items) != want {
					t.Errorf("q=%s: %d results (%v), want %d", q, len(page.Items), err, want)
				}
			}
		})
		t.Run("BadFilterSortCursorNamed", func(t *testing.T) {
			_, err := s.Jurisdictions.List(ctx, domain.ListQuery{Filters: map[string]string{"colour": "red", "kind": "planet"}, Sort: "size", Cursor: "%%%", Limit: 1000})
			for _, f := range []string{"colour", "kind", "sort", "cursor", "limit"} {
				wantField(t, err, f)
			}
		})
	})
}

// TestSQLiteFileNamesAreTakenLiterally: two data directories whose names
// differ after a # or a ? are two databases, not one (an SQLite URI reads
// those as the start of a fragment or a query).
func TestSQLiteFileNamesAreTakenLiterally(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores []*store.Store
	for _, name := range []string{"a#1", "a#2", "b?x", "c%41"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o750); err != nil {
			t.Fatal(err)
		}
		s, err := store.Open(ctx, filepath.Join(dir, name, "test.db"), "")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		stores = append(stores, s)
	}
	if err := stores[0].Jurisdictions.Create(ctx, domain.Actor{}, &domain.Jurisdiction{Code: "510100", Name: "成都市", Kind: domain.City}); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores[1:] {
		got, err := store.All(ctx, s.Jurisdictions, nil, true)
		if err != nil || len(got) != 0 {
			t.Fatalf("database %d holds %d jurisdictions (%v), want none: it is the first one's file", i+2, len(got), err)
		}
	}
	for _, name := range []string{"a#1", "a#2", "b?x", "c%41"} {
		if _, err := os.Stat(filepath.Join(dir, name, "test.db")); err != nil {
			t.Errorf("no database file in %s: %v", name, err)
		}
	}
}
