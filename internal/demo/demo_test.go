package demo_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// listAll returns every unarchived record of a noun matching filters; the
// demo set fits one page, and a second page fails the test.
func listAll[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], filters map[string]string) []P {
	t.Helper()
	page, err := rs.List(context.Background(), domain.ListQuery{Filters: filters, Limit: domain.MaxPageSize})
	if err != nil {
		t.Fatalf("list %s: %v", rs.Entity(), err)
	}
	if page.NextCursor != "" {
		t.Fatalf("list %s: more than %d records", rs.Entity(), domain.MaxPageSize)
	}
	return page.Items
}

// mustHaveSources fails for every record of a noun without a source.
func mustHaveSources[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P]) int {
	t.Helper()
	all := listAll(t, rs, nil)
	for _, v := range all {
		if v.Base().Source == "" {
			t.Errorf("%s %d has no source", rs.Entity(), v.Base().ID)
		}
	}
	return len(all)
}

func mustBeLoaded(t *testing.T, s *store.Store, want bool) {
	t.Helper()
	got, err := demo.IsLoaded(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("IsLoaded = %v, want %v", got, want)
	}
}

func TestLoad(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustBeLoaded(t, s, false)
		if err := demo.Load(ctx, s); err != nil {
			t.Fatalf("Load: %v (fields %v)", err, domain.ErrorFields(err))
		}
		mustBeLoaded(t, s, true)

		t.Run("FiftyJurisdictions", func(t *testing.T) {
			all := listAll(t, s.Jurisdictions, nil)
			if got := len(all); got < 47 || got != 50 {
				t.Fatalf("jurisdictions = %d, want 50 (at least 47)", got)
			}
			byName := map[string]*domain.Jurisdiction{}
			for _, j := range all {
				byName[j.Name] = j
			}
			for name, code := range map[string]string{"四川省": "510000", "重庆市": "500000", "成都市": "510100", "锦江区": ""} {
				if j := byName[name]; j == nil || j.Code != code {
					t.Errorf("%s: got %+v, want code %q", name, j, code)
				}
			}
			for kind, want := range map[string]int{"district": 33, "county_city": 5, "county": 3, "zone": 6} {
				if got := len(listAll(t, s.Jurisdictions, map[string]string{"kind": kind})); got != want {
					t.Errorf("%s jurisdictions = %d, want %d", kind, got, want)
				}
			}
		})

		t.Run("EasternNewAreaOverlapsJianyang", func(t *testing.T) {
			east := listAll(t, s.Jurisdictions, map[string]string{"q": "成都东部新区"})
			jianyang := listAll(t, s.Jurisdictions, map[string]string{"q": "简阳市"})
			if len(east) != 1 || len(jianyang) != 1 {
				t.Fatalf("found %d 成都东部新区 and %d 简阳市, want one each", len(east), len(jianyang))
			}
			if got, want := east[0].Overlaps, []int64{jianyang[0].ID}; !slices.Equal(got, want) {
				t.Errorf("成都东部新区 overlaps %v, want %v", got, want)
			}
		})

		t.Run("FirstBatchSixOfThirtyFour", func(t *testing.T) {
			batches := listAll(t, s.Batches, map[string]string{"q": "第一批合作项目"})
			if len(batches) != 1 {
				t.Fatalf("first batches = %d, want 1", len(batches))
			}
			b := batches[0]
			if b.DeclaredCount != 34 || b.RecordedCount != 6 || b.Year != 2022 {
				t.Errorf("first batch declared %d, recorded %d, year %d; want 34, 6, 2022", b.DeclaredCount, b.RecordedCount, b.Year)
			}
			var got []string
			for _, it := range listAll(t, s.Items, map[string]string{"batch": itoa(b.ID)}) {
				got = append(got, it.Title)
				if !it.Landmark || it.Status != domain.Advancing || it.Number != "" || len(it.Parties) != 0 {
					t.Errorf("%s: landmark %v, status %s, number %q, %d parties; want landmark, advancing, no number, no parties",
						it.Title, it.Landmark, it.Status, it.Number, len(it.Parties))
				}
			}
			want := []string{"成渝中线高铁", "跨境公路运输联盟", "国际班列海外仓", "重点实验室", "算力资源", "生物医药产业"}
			if !slices.Equal(got, want) {
				t.Errorf("first batch items = %v, want %v", got, want)
			}
		})

		t.Run("TenAgreements", func(t *testing.T) {
			if got := len(listAll(t, s.Agreements, nil)); got != 10 {
				t.Errorf("agreements = %d, want 10", got)
			}
		})

		t.Run("PairingItemsHaveOneLeadPerSide", func(t *testing.T) {
			n := 0
			for _, it := range listAll(t, s.Items, nil) {
				if it.AgreementID == 0 {
					continue
				}
				n++
				if it.Lead("chengdu") == 0 || it.Lead("chongqing") == 0 || len(it.Parties) != 2 {
					t.Errorf("%s: parties %+v, want one lead on each side", it.Title, it.Parties)
				}
			}
			if n == 0 {
				t.Error("no item carries out a pairing")
			}
		})

		t.Run("MeetingDates", func(t *testing.T) {
			type held struct {
				on        string
				precision domain.DatePrecision
			}
			var got []held
			for _, m := range listAll(t, s.Meetings, nil) {
				got = append(got, held{m.HeldOn.String(), m.HeldOnPrecision})
			}
			for _, want := range []held{
				{"2022-04-28", domain.DayPrecision},
				{"2022-09-01", domain.MonthPrecision},
				{"2023-05-12", domain.DayPrecision},
				{"2023-09-27", domain.DayPrecision},
				{"2024-11-25", domain.DayPrecision},
				{"2020-03-17", domain.DayPrecision},
				{"2024-12-30", domain.DayPrecision},
			} {
				if !slices.Contains(got, want) {
					t.Errorf("no meeting held on %s (precision %s); got %v", want.on, want.precision, got)
				}
			}
			if len(got) != 7 {
				t.Errorf("meetings = %d, want 7", len(got))
			}
		})

		t.Run("CatalogsCarryDeclaredCounts", func(t *testing.T) {
			want := map[string]int{"新龙通办事项清单/1": 71, "企业经营通办清单/1": 152, "临床检验结果互认项目/1": 45,
				"医学影像检查互认项目/1": 67, "川渝通办事项清单/1": 95, "川渝通办事项清单/2": 115}
			for _, c := range listAll(t, s.Catalogs, nil) {
				key := c.Name + "/" + itoa(int64(c.Edition))
				if n, ok := want[key]; ok && c.DeclaredCount != n {
					t.Errorf("%s declares %d, want %d", key, c.DeclaredCount, n)
				}
				if c.RecordedCount != 0 {
					t.Errorf("%s records %d entries, want none (no entries are invented)", key, c.RecordedCount)
				}
				delete(want, key)
			}
			if len(want) > 0 {
				t.Errorf("missing catalogs: %v", want)
			}
		})

		t.Run("EveryRecordHasASource", func(t *testing.T) {
			counts := map[string]int{
				"jurisdictions": mustHaveSources(t, s.Jurisdictions),
				"organizations": mustHaveSources(t, s.Organizations),
				"mechanisms":    mustHaveSources(t, s.Mechanisms),
				"meetings":      mustHaveSources(t, s.Meetings),
				"batches":       mustHaveSources(t, s.Batches),
				"items":         mustHaveSources(t, s.Items),
				"agreements":    mustHaveSources(t, s.Agreements),
				"catalogs":      mustHaveSources(t, s.Catalogs),
				"indicators":    mustHaveSources(t, s.Indicators),
			}
			for noun, n := range counts {
				if n == 0 {
					t.Errorf("no %s loaded", noun)
				}
			}
			for _, in := range listAll(t, s.Indicators, nil) {
				for _, v := range in.Values {
					if v.Source == "" {
						t.Errorf("indicator %s, value of %s has no source", in.Name, v.ObservedOn)
					}
				}
			}
		})

		// A second Load is refused with Conflict and writes nothing; callers
		// that only want the data present check IsLoaded first.
		t.Run("SecondLoadRefused", func(t *testing.T) {
			err := demo.Load(ctx, s)
			if got := domain.ErrorCode(err); got != domain.Conflict {
				t.Fatalf("second Load: code %q (%v), want %q", got, err, domain.Conflict)
			}
			if got := len(listAll(t, s.Jurisdictions, nil)); got != 50 {
				t.Errorf("jurisdictions after a second Load = %d, want 50", got)
			}
			if got := len(listAll(t, s.Mechanisms, nil)); got != 3 {
				t.Errorf("mechanisms after a second Load = %d, want 3", got)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFactsCarryTheirDays: each fact of the demo is dated by the day it
// happened, not the day the demo was loaded: the first batch and its items
// by the meeting of September 2022 that fixed them (to the month, as the
// seed gives it), their advancing by the seed's report of 12 May 2023, the
// agreements by their signing day, the lists by their publication day. The
// trail still says when each was recorded.
func TestFactsCarryTheirDays(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		occurred := func(entity string, id int64) []string {
			t.Helper()
			evs, err := s.History(ctx, entity, id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, ev := range evs {
				out = append(out, ev.Action+" "+ev.OccurredOn.String()+" "+string(ev.OccurredPrecision))
				if ev.At.IsZero() {
					t.Errorf("%s %d: an event without the moment it was recorded", entity, id)
				}
			}
			return out
		}
		rail := listAll(t, s.Items, map[string]string{"q": "成渝中线高铁"})
		if len(rail) != 1 {
			t.Fatalf("成渝中线高铁: %d items", len(rail))
		}
		if got := occurred("items", rail[0].ID); !slices.Equal(got, []string{"create 2022-09-01 month", "update 2023-05-12 day"}) {
			t.Errorf("成渝中线高铁 happened %q", got)
		}
		first := listAll(t, s.Batches, map[string]string{"q": "第一批"})
		if got := occurred("batches", first[0].ID); !slices.Equal(got, []string{"create 2022-09-01 month"}) {
			t.Errorf("the first batch happened %q", got)
		}
		for _, a := range listAll(t, s.Agreements, nil) {
			got := occurred("agreements", a.ID)
			if !a.SignedOn.IsZero() && !slices.Equal(got, []string{"create " + a.SignedOn.String() + " day"}) {
				t.Errorf("%s signed %s happened %q", a.Title, a.SignedOn, got)
			}
		}
		for _, c := range listAll(t, s.Catalogs, nil) {
			if got := occurred("catalogs", c.ID); !c.PublishedOn.IsZero() && !slices.Equal(got, []string{"create " + c.PublishedOn.String() + " day"}) {
				t.Errorf("%s published %s happened %q", c.Name, c.PublishedOn, got)
			}
		}
	})
}
