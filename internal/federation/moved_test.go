package federation_test

import (
	"context"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestFederationItemMovedOutIsArchivedThere: Chengdu moves a shared item
// to a mechanism it does not share with Chongqing. Chongqing's replica is
// archived (it no longer follows the item), its history says so, and
// moving the item back restores it there with the item's state.
func TestFederationItemMovedOutIsArchivedThere(t *testing.T) {
	ctx := context.Background()
	cd, cq, w, rail, railOnCQ, _ := sharedRail(t)
	own := mustCreate(t, cd.store, cd.store.Mechanisms, &domain.Mechanism{Name: "成都市重大项目推进组", Tier: domain.Execution, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides:   []domain.Side{{Key: "chengdu", Name: "成都"}, {Key: "chongqing", Name: "重庆"}},
		Members: []domain.Member{{OrganizationID: w.cdDRC.ID, Side: "chengdu", Role: domain.MemberUnit}, {OrganizationID: w.cqDRC.ID, Side: "chongqing", Role: domain.MemberUnit}}})
	move := func(to int64, title string) {
		t.Helper()
		it, err := cd.store.Items.Get(ctx, rail)
		if err != nil {
			t.Fatal(err)
		}
		it.MechanismID, it.BatchID, it.Title = to, 0, title
		if err := cd.store.Items.Update(ctx, domain.Actor{}, it); err != nil {
			t.Fatal(err)
		}
		sync(t, cd, cq, cd)
	}

	move(own.ID, "成渝中线高铁（成都市推进）")
	got, err := cq.store.Items.Get(ctx, railOnCQ)
	if err != nil || got.ArchivedAt == nil || got.Title != "成渝中线高铁" {
		t.Fatalf("after the item left the shared mechanism Chongqing holds %+v (%v); want its replica archived, as last shared", got, err)
	}
	if _, ok, _ := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "mechanisms", ID: own.ID}); ok {
		t.Fatalf("the mechanism Chengdu does not share crossed to Chongqing")
	}

	move(w.mech.ID, "成渝中线高铁")
	got, err = cq.store.Items.Get(ctx, railOnCQ)
	if err != nil || got.ArchivedAt != nil || got.Title != "成渝中线高铁" {
		t.Fatalf("after the item came back Chongqing holds %+v (%v); want its replica restored", got, err)
	}
	if a, b := sharedItems(t, cd, w.globalMech), sharedItems(t, cq, w.globalMech); !equal(a, b) {
		t.Fatalf("the item differs: %v", diff(a, b))
	}
}
