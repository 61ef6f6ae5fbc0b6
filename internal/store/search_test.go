package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestSearchAgreesWithSubstring checks the text index against the plain
// substring match it stands in for, for one-, two- and longer Chinese terms,
// on both databases.
func TestSearchAgreesWithSubstring(t *testing.T) {
	names := []string{"成渝中线高铁", "成渝地区双城经济圈", "生物医药产业高地", "医药健康", "铁路货运", "中欧班列(成渝)",
		"跨境公路运输联盟", "国际班列海外仓", "重点实验室", "算力资源", "西部科学城", "高铁站点配套", "成都东部新区医疗中心", "中线工程"}
	terms := []string{"铁", "医药", "成渝", "高铁", "中线高铁", "班列", "生物医药", "医", "区", "成都东部", "不存在", "渝中", "海外仓"}
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		for i, title := range names {
			it := w.item(title, nil, "")
			it.Content = strings.Repeat("推进", i%3) + names[(i+5)%len(names)]
			mustCreate(t, s.Items, it)
		}
		all, _ := s.Items.List(ctx, domain.ListQuery{Limit: 200})
		for _, term := range terms {
			var want []string
			for _, it := range all.Items {
				if strings.Contains(it.Number+" "+it.Title+" "+it.Content, term) {
					want = append(want, it.Title)
				}
			}
			page, err := s.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": term}, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			got := titles(page)
			sort.Strings(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("q=%s: index finds %v, substring finds %v", term, got, want)
			}
			// Page by page, both ways, the pages add up to the same
			// items in id order, each once: with the search alone (on
			// SQLite the index drives the list) and with another filter
			// (the list's rows are checked against the index).
			alone := map[string]string{"q": term}
			filtered := map[string]string{"q": term, "mechanism": fmt.Sprint(w.mech.ID)}
			for _, c := range []struct {
				filters map[string]string
				desc    bool
			}{{alone, false}, {alone, true}, {filtered, false}, {filtered, true}} {
				desc := c.desc
				var ids []int64
				q := domain.ListQuery{Filters: c.filters, Limit: 2, Desc: desc}
				for {
					page, err := s.Items.List(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range page.Items {
						ids = append(ids, it.ID)
					}
					if page.NextCursor == "" {
						break
					}
					q.Cursor = page.NextCursor
				}
				ordered := sort.SliceIsSorted(ids, func(i, j int) bool { return (ids[i] < ids[j]) != desc })
				if len(ids) != len(want) || !ordered {
					t.Errorf("%v desc=%v: pages of two give ids %v, want %d items in order", c.filters, desc, ids, len(want))
				}
			}
		}
	})
}

// TestSearchIndexWrittenAtCommit: a transaction that writes many records,
// one of them twice, leaves each findable by its last text and by none of
// its earlier text; a transaction that fails leaves the index untouched.
func TestSearchIndexWrittenAtCommit(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		var made []*domain.Item
		err := s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
			for _, title := range []string{"乙号铁路", "甲号公路", "丙号航道"} {
				it := w.item(title, nil, "")
				if err := s.Items.CreateTx(ctx, tx, it); err != nil {
					return err
				}
				made = append(made, it)
			}
			first := made[0]
			first.Title = "乙号医药园"
			return s.Items.UpdateTx(ctx, tx, first)
		})
		if err != nil {
			t.Fatal(err)
		}
		for term, want := range map[string]string{"医药园": "[乙号医药园]", "铁路": "[]", "公路": "[甲号公路]", "号": "[丙号航道 乙号医药园 甲号公路]"} {
			page, err := s.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": term}})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(titles(page)); got != want {
				t.Errorf("q=%s finds %s, want %s", term, got, want)
			}
		}
		failed := fmt.Errorf("refused on purpose")
		err = s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
			if err := s.Items.CreateTx(ctx, tx, w.item("丁号隧道", nil, "")); err != nil {
				return err
			}
			return failed
		})
		if err == nil {
			t.Fatal("the failing transaction committed")
		}
		if page, _ := s.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "隧道"}}); len(page.Items) != 0 {
			t.Errorf("a rolled-back item is found: %v", titles(page))
		}
	})
}
