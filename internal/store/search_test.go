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
		}
	})
}
