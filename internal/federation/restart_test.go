package federation_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/federation"
	"github.com/liandong/liandong/internal/federation/fedtest"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestFederationRestartConverges is the "done when": cut off from
// Chengdu, both sides work; then Chongqing's installation stops while
// Chengdu goes on working, and starts again (another instance on the same
// PostgreSQL database, with the same key). Once they reach each other
// both hold the same items and two-side changes, nothing lost, every
// proposal answered alike, and each side's history names who made each
// change on the other: person, unit and installation.
func TestFederationRestartConverges(t *testing.T) {
	ctx := context.Background()
	instances := storetest.MustOpenPostgresInstances(t, 2)
	if instances == nil {
		if os.Getenv("LIANDONG_REQUIRE_POSTGRES") != "" {
			t.Fatal("LIANDONG_TEST_POSTGRES_URL is not set")
		}
		t.Skip("a restart on the same database needs PostgreSQL (LIANDONG_TEST_POSTGRES_URL)")
	}
	cd := newInstallation(t, storetest.MustOpenSQLite(t), "liandong/chengdu")
	cq := newInstallation(t, instances[0], "liandong/chongqing")
	network := fedtest.NewNetwork()
	links := 0
	connect(t, cd, cq, func(rt http.RoundTripper) http.RoundTripper {
		links++
		return network.Link(rt, uint64(links), fedtest.Schedule{})
	})
	w := newTwinCore(t, cd)
	agree(t, cd, cq, w.globalMech)
	agree(t, cq, cd, w.globalMech)
	rail := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成渝中线高铁", Status: domain.Advancing,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: w.cqDRC.ID, Role: domain.LeadUnit}}})
	sync(t, cd, cq)
	mech, _, cqUnit, ok := w.on(t, cq)
	if !ok {
		t.Fatal("the shared mechanism did not reach Chongqing")
	}
	railOnCQ, _, _ := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "items", ID: rail.ID})
	cdLiaison := liaisonOf(t, cd, "liaison@cd.example", "成都联络员", w.cdDRC.ID)
	cqLiaison := liaisonOf(t, cq, "liaison@cq.example", "重庆联络员", cqUnit)

	network.Partition()
	// Cut off, both work: Chengdu's lead completes the railway (held for
	// Chongqing); Chongqing's creates an item led by both sides (Chengdu's
	// lead held for Chengdu) and proposes new content for the railway.
	it, _ := cd.store.Items.Get(ctx, rail.ID)
	it.Status = domain.Completed
	if err := cd.store.Items.Update(ctx, domain.ActorFor(cdLiaison), it); err != nil {
		t.Fatal(err)
	}
	cdUnitOnCQ, _, _ := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "organizations", ID: w.cdDRC.ID})
	bio := &domain.Item{MechanismID: mech, Title: "成渝生物医药产业协作", Status: domain.NotStarted,
		Parties: []domain.Party{{Side: "chongqing", OrganizationID: cqUnit, Role: domain.LeadUnit}, {Side: "chengdu", OrganizationID: cdUnitOnCQ, Role: domain.LeadUnit}}}
	if err := cq.store.Items.Create(ctx, domain.ActorFor(cqLiaison), bio); err != nil {
		t.Fatal(err)
	}
	onCQ, _ := cq.store.Items.Get(ctx, railOnCQ)
	onCQ.Content = "重庆段先行开工"
	if err := cq.store.Items.Update(ctx, domain.ActorFor(cqLiaison), onCQ); err != nil {
		t.Fatal(err)
	}
	for _, in := range []*installation{cd, cq} {
		if err := in.node.Sync(ctx); err == nil {
			t.Fatalf("%s synced through the partition", in.name)
		}
	}

	// Chongqing stops; Chengdu goes on.
	if err := cq.store.Close(); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: "川渝电网一体化", Status: domain.NotStarted,
		Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}}})
	if err := cd.node.Sync(ctx); err == nil {
		t.Fatal("Chengdu synced with a stopped Chongqing")
	}

	// Chongqing starts again: another instance, the same database and key.
	restarted, err := federation.NewNode(instances[1], cq.node.Key, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	instances[1].AuditKey = cq.node.Key
	restarted.Client = cq.node.Client
	cq.store, cq.node = instances[1], restarted
	network.Heal()
	for range 3 {
		sync(t, cd, cq)
	}

	got, want := sharedItems(t, cq, w.globalMech), sharedItems(t, cd, w.globalMech)
	if !equal(got, want) || len(got) != 3 {
		t.Fatalf("after the restart Chongqing holds %d items, Chengdu %d, want the same 3; differing: %v", len(got), len(want), diff(got, want))
	}
	if got, want := sharedChanges(t, cq, w.globalMech), sharedChanges(t, cd, w.globalMech); !equal(got, want) || len(got) != 2 {
		t.Fatalf("after the restart the two-side changes differ or are not the 2 made: %v\nChongqing %v\nChengdu %v", diff(got, want), got, want)
	}
	sameOutcome(t, cq, cd)
	sameOutcome(t, cd, cq)
	onCD, _ := cd.store.Items.Get(ctx, rail.ID)
	if onCD.Content != "重庆段先行开工" {
		t.Fatalf("Chongqing's proposal made before it stopped was lost: the content is %q", onCD.Content)
	}

	// Everything attributed: who made each change on the other side.
	attributed := func(in *installation, entity string, id int64, name string, unit int64, peer string) {
		t.Helper()
		actors, err := in.store.RemoteActors(ctx, entity, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range actors {
			if a.Name == name && a.UnitID == unit && a.Peer == peer {
				return
			}
		}
		t.Errorf("%s: no change to %s %d attributed to %s of unit %d at %s: %+v", in.name, entity, id, name, unit, peer, actors)
	}
	attributed(cq, "items", railOnCQ, "成都联络员", cdUnitOnCQ, cd.name)
	bioOnCD, _, _ := cd.store.LocalID(ctx, domain.GlobalID{Origin: cq.name, Entity: "items", ID: bio.ID})
	attributed(cd, "items", bioOnCD, "重庆联络员", w.cqDRC.ID, cq.name)
	attributed(cd, "items", rail.ID, "重庆联络员", w.cqDRC.ID, cq.name) // the content it proposed
}
