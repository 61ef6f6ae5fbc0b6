package federation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationPacksCross: the pack Chengdu's secretariat issues for a
// meeting of the shared mechanism reaches Chongqing byte for byte, with the
// SHA-256 Chengdu's audit log recorded, readable by who may read packs of
// that mechanism there; a page changed on its way is refused.
func TestFederationPacksCross(t *testing.T) {
	ctx := context.Background()
	cd, cq, w := sharingPair(t)
	admin := &domain.User{Email: "admin@cq.example", Name: "重庆管理员", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Admin}}}
	if err := cq.store.Users.Create(ctx, domain.Actor{}, admin); err != nil {
		t.Fatal(err)
	}
	sync(t, cd, cq)
	_, _, cqUnit, _ := w.on(t, cq)
	liaison := liaisonOf(t, cq, "liaison@cq.example", "重庆联络员", cqUnit) // reads items, not packs
	issue := func(title, page string) *domain.Meeting {
		t.Helper()
		mt := mustCreate(t, cd.store, cd.store.Meetings, &domain.Meeting{MechanismID: w.mech.ID, Title: title, HeldOn: domain.MustDate("2024-11-20"), HeldOnPrecision: domain.DayPrecision, Format: domain.InPerson})
		if _, err := cd.store.IssuePack(ctx, domain.Actor{}, mt.ID, []byte("{}"), []byte(page), map[string]int{"items": 2}); err != nil {
			t.Fatal(err)
		}
		return mt
	}
	page := "<!doctype html><title>成渝双核联动工作组第3次会议会议材料</title><h1>会议材料</h1>"
	mt := issue("第3次会议", page)
	sync(t, cd, cq)

	packs, err := cq.store.PeerPacks(ctx, domain.ActorFor(admin))
	if err != nil || len(packs) != 1 {
		t.Fatalf("Chongqing lists %d packs of Chengdu's (%v), want 1", len(packs), err)
	}
	got, err := cq.store.PeerPackAs(ctx, domain.ActorFor(admin), packs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	issued, _ := cd.store.IssuedPack(ctx, mt.ID)
	if string(got.HTML) != page || got.SHA256 != issued.SHA256 || got.Title != "第3次会议" || got.Peer != cd.name || got.Figures["items"] != 2 {
		t.Fatalf("Chongqing holds %q (%s) titled %q from %s, want Chengdu's page with SHA-256 %s", got.HTML, got.SHA256, got.Title, got.Peer, issued.SHA256)
	}
	if mech, _, _ := cq.store.LocalID(ctx, mustParse(t, w.globalMech)); got.MechanismID != mech {
		t.Fatalf("the pack is filed under mechanism %d, want the replica %d", got.MechanismID, mech)
	}
	if _, err := cq.store.PeerPackAs(ctx, domain.ActorFor(liaison), got.ID); domain.ErrorCode(err) != domain.NotFound {
		t.Fatalf("a liaison reading the pack, as a liaison may not read its own installation's: got %v, want not found", err)
	}
	if packs, _ := cq.store.PeerPacks(ctx, domain.ActorFor(liaison)); len(packs) != 0 {
		t.Fatalf("a liaison lists %d packs", len(packs))
	}

	// A page changed in Chengdu's database after it was issued is refused.
	mt2 := issue("第4次会议", page)
	if _, err := cd.store.DB().ExecContext(ctx, "UPDATE issued_packs SET html = REPLACE(html, '会议材料</h1>', '改过的材料</h1>') WHERE meeting_id = ?", mt2.ID); err != nil {
		t.Fatal(err)
	}
	sync(t, cd, cq)
	q, _ := cq.store.Peer(ctx, cd.name)
	outcomes, _ := cq.store.Outcomes(ctx, q)
	last := outcomes[len(outcomes)-1]
	if last.Outcome != store.Refused || !strings.Contains(last.Reason, "SHA-256") {
		t.Fatalf("the changed page: %s %s, want refused for its SHA-256", last.Outcome, last.Reason)
	}
	if packs, _ := cq.store.PeerPacks(ctx, domain.ActorFor(admin)); len(packs) != 1 {
		t.Fatalf("Chongqing lists %d packs after a changed one, want still 1", len(packs))
	}
}

func mustParse(t *testing.T, g string) domain.GlobalID {
	t.Helper()
	id, err := domain.ParseGlobalID(g)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
