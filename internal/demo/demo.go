// Package demo holds the demo dataset: the Chengdu–Chongqing twin-core
// linkage as public sources describe it (shared/domain/FACTS.md beside the repository), and
// nothing more. Every record carries its source. Where a source gives a
// count without the items (34 projects, 71 services) the record carries the
// declared count and no entries are made up to fill the gap; where a source
// is silent (lead units of the first batch, item numbers, administrative
// codes below the city) the field stays empty.
//
// The data are Go literals in one file per group (jurisdictions,
// organizations, mechanisms, meetings, agreements, items, lists,
// indicators); Load writes them in one transaction.
package demo

import (
	"context"
	"fmt"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// The sources, as FACTS.md gives them: [seed] facts name the seed article,
// [web] facts their address, [check] facts their address marked "reported".
const (
	srcSeed              = "成都日报 2023-05 (seed)"
	srcJointMeetings     = "https://difang.gmw.cn/cq/2024-12/31/content_37770353.htm"
	srcJointMeeting2     = "https://www.cqspb.gov.cn/bm/qfzggw_63461/sy_63495/gzdt_63496/202309/t20230928_12395560.html"
	srcJointMeeting3     = "https://difang.gmw.cn/cq/2024-11/26/content_37699947.htm"
	srcChengduUnits      = "https://juke.outofmemory.cn/read/3639122.html (reported)"
	srcChongqingDists    = "成都日报 2023-05 (seed) for the 21 districts; their names from a secondary source without an address (reported)"
	srcChongqingZones    = "https://cqrd.gov.cn/site/article/1217487279544619008/web/content_1217487279544619008.html"
	srcScienceCities     = "http://cqcb.com/hot/2021-12-19/4680485_pc.html"
	srcWuhouShapingba    = "http://ttt.tibet.cn/cn/Instant/domestic/202309/t20230901_7477422.html"
	srcShuangliuYubei    = "http://sc.china.com.cn/2020/difang/1325/0529/371867.html"
	srcTianfuBeibei      = "http://www.cdeiie.org.cn/cpzxs_detail/586.html"
	srcPengzhouChangshou = "http://51si.cn/bwbd/2023-04-06/184992.html (reported)"
	srcChuanyuTongban    = "http://sc.people.com.cn/BIG5/n2/2020/1104/c379470-34392962.html"
)

// The side keys of the mechanisms.
const (
	sideChengdu   = "chengdu"
	sideChongqing = "chongqing"
	sideSichuan   = "sichuan"
)

// decisionMechanism names the mechanism whose presence marks the dataset as
// loaded.
const decisionMechanism = "重庆四川党政联席会议"

// Load writes the whole demo dataset in one transaction (all or nothing) as
// the system actor. It refuses with domain.Conflict when the dataset is
// already present, so a second Load adds nothing. On SQLite the check runs
// after the write lock is taken, so two concurrent loads cannot both pass;
// on PostgreSQL callers should not race two loads.
func Load(ctx context.Context, s *store.Store) error {
	return s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
		loaded, err := IsLoaded(ctx, s)
		if err != nil {
			return err
		}
		if loaded {
			return domain.Errorf(domain.Conflict, "the demo dataset is already loaded")
		}
		l := &loader{ctx: ctx, s: s, tx: tx,
			jurisdictions: map[string]int64{},
			organizations: map[string]int64{},
			meetings:      map[string]*domain.Meeting{},
			agreements:    map[string]int64{},
		}
		for _, step := range []func() error{
			l.loadJurisdictions,
			l.loadOrganizations,
			l.loadMechanisms,
			l.loadMeetings,
			l.loadAgreements,
			l.loadItems,
			l.loadLists,
			l.loadIndicators,
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

// IsLoaded reports whether the dataset is already present: whether the
// decision-tier mechanism exists, archived or not.
func IsLoaded(ctx context.Context, s *store.Store) (bool, error) {
	page, err := s.Mechanisms.List(ctx, domain.ListQuery{
		Filters:  map[string]string{"tier": string(domain.Decision), "q": decisionMechanism},
		Limit:    1,
		Archived: true,
	})
	if err != nil {
		return false, err
	}
	return len(page.Items) > 0, nil
}

// loader carries the transaction and the ids of the records written so far,
// by name, so that later records can refer to earlier ones.
type loader struct {
	ctx context.Context
	s   *store.Store
	tx  *store.Tx

	jurisdictions map[string]int64 // by full name
	organizations map[string]int64 // by full name
	meetings      map[string]*domain.Meeting
	agreements    map[string]int64 // by pairing key

	decision, coordination, workingGroup int64 // mechanism ids
	firstBatch                           int64
}

// at is the loader's context for writes of a fact that happened on day on,
// known to precision: the store records that day beside the day it loads
// the demo.
func (l *loader) at(on domain.Date, precision domain.DatePrecision) context.Context {
	return store.WithOccurred(l.ctx, on, precision)
}

// jurisdiction returns the id of a jurisdiction written earlier; a name
// missing from the tables is a fault of this package.
func (l *loader) jurisdiction(name string) (int64, error) {
	id, ok := l.jurisdictions[name]
	if !ok {
		return 0, fmt.Errorf("demo: no jurisdiction %q in the dataset", name)
	}
	return id, nil
}

// organization returns the id of an organization written earlier.
func (l *loader) organization(name string) (int64, error) {
	id, ok := l.organizations[name]
	if !ok {
		return 0, fmt.Errorf("demo: no organization %q in the dataset", name)
	}
	return id, nil
}

// refused names the record a write was refused for, keeping the store's
// error (and its code and fields) inside.
func refused(noun, name string, err error) error {
	return fmt.Errorf("demo: %s %s: %w", noun, name, err)
}
