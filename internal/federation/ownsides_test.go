package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// TestFederationOwnUnitsWhileTheKeeperIsAway: a side's own units of a
// shared item are its own (issue 14, point 4). Chongqing's lead changes
// Chongqing's units on its own installation while Chengdu, which keeps the
// item, is out of reach: the change takes effect there at once, and
// nothing waits. Chengdu changes its own units meanwhile. Neither stales
// the other: the keeper's states received meanwhile keep Chongqing's
// change, the keeper lands it beside its own, and both installations end
// with the same parties. A change of Chongqing's own that the keeper
// refuses (the unit left the working group meanwhile) is set back to the
// keeper's units on Chongqing. The joint fields still wait for both.
func TestFederationOwnUnitsWhileTheKeeperIsAway(t *testing.T) {
	ctx := context.Background()
	cd, cq, w, rail, railOnCQ, cqUnit := sharedRail(t)
	// More member units on each side, which both installations hold.
	unit := func(name string, jurisdiction int64) *domain.Organization {
		return mustCreate(t, cd.store, cd.store.Organizations, &domain.Organization{JurisdictionID: jurisdiction, Name: name, Kind: domain.Department})
	}
	cdTransport := unit("成都市交通运输局", w.cdDRC.JurisdictionID)
	cqTransport := unit("重庆市交通运输委员会", w.cqDRC.JurisdictionID)
	cqHousing := unit("重庆市住房和城乡建设委员会", w.cqDRC.JurisdictionID)
	m, err := cd.store.Mechanisms.Get(ctx, w.mech.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.Members = append(m.Members, domain.Member{OrganizationID: cdTransport.ID, Side: "chengdu", Role: domain.MemberUnit},
		domain.Member{OrganizationID: cqTransport.ID, Side: "chongqing", Role: domain.MemberUnit},
		domain.Member{OrganizationID: cqHousing.ID, Side: "chongqing", Role: domain.MemberUnit})
	if err := cd.store.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
		t.Fatal(err)
	}
	sync(t, cd, cq)
	onCQ := func(g int64) int64 {
		t.Helper()
		id, ok, err := cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "organizations", ID: g})
		if err != nil || !ok {
			t.Fatalf("Chongqing holds no unit %d of Chengdu's (%v)", g, err)
		}
		return id
	}
	cqLead := liaisonOf(t, cq, "lead@cq.example", "重庆牵头单位联络员", cqUnit)
	cdLead := liaisonOf(t, cd, "lead@cd.example", "成都牵头单位联络员", w.cdDRC.ID)
	// edit has who edit the item on in, and returns what waits.
	edit := func(t *testing.T, in *installation, id int64, who *domain.User, change func(*domain.Item)) []domain.ItemChange {
		t.Helper()
		it, err := in.store.Items.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		change(it)
		var held []domain.ItemChange
		err = in.store.Write(ctx, domain.ActorFor(who), func(tx *store.Tx) error {
			if err := in.store.Items.UpdateTx(ctx, tx, it); err != nil {
				return err
			}
			held = tx.Held()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return held
	}
	coop := func(side string, unit int64) domain.Party {
		return domain.Party{Side: side, OrganizationID: unit, Role: domain.CooperatingUnit}
	}
	units := func(in *installation, id int64) string {
		it, err := in.store.Items.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(sharedItems(t, in, w.globalMech)[fmt.Sprint(cd.name, ":items:", rail)], len(it.Pending))
	}
	same := func(t *testing.T) {
		t.Helper()
		if a, b := units(cd, rail), units(cq, railOnCQ); a != b {
			t.Fatalf("the item differs:\nChengdu   %s\nChongqing %s", a, b)
		}
	}

	t.Run("TakesEffectAtOnceAndLandsBesideTheOtherSides", func(t *testing.T) {
		if held := edit(t, cq, railOnCQ, cqLead, func(it *domain.Item) {
			it.Parties = append(it.Parties, coop("chongqing", onCQ(cqTransport.ID)))
		}); len(held) != 0 {
			t.Fatalf("Chongqing's change to its own units waits: %+v", held)
		}
		it, _ := cq.store.Items.Get(ctx, railOnCQ)
		if len(domain.SideParties(it.Parties, "chongqing")) != 2 {
			t.Fatalf("before any sync, Chongqing's units on its installation are %+v; want its change in effect", it.Parties)
		}
		ps, err := cq.store.Proposals(ctx, "items", railOnCQ)
		if err != nil || len(ps) != 1 || ps[0].State != store.ProposalSent || !slices.Equal(ps[0].OwnSides, []string{"chongqing"}) {
			t.Fatalf("the proposals made on Chongqing are %+v (%v); want one sent, set here for Chongqing's side", ps, err)
		}
		// Meanwhile Chengdu changes its own units: at once, too.
		if held := edit(t, cd, rail, cdLead, func(it *domain.Item) { it.Parties = append(it.Parties, coop("chengdu", cdTransport.ID)) }); len(held) != 0 {
			t.Fatalf("Chengdu's change to its own units waits: %+v", held)
		}
		// Chengdu's state reaches Chongqing before Chongqing's change
		// reaches Chengdu: Chongqing's change stays.
		if _, err := cd.node.Export(ctx); err != nil {
			t.Fatal(err)
		}
		peer, err := cq.store.Peer(ctx, cd.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cq.node.Pull(ctx, peer); err != nil {
			t.Fatal(err)
		}
		it, _ = cq.store.Items.Get(ctx, railOnCQ)
		if fmt.Sprint(it.Parties) != fmt.Sprint([]domain.Party{it.Parties[0], it.Parties[1], coop("chongqing", onCQ(cqTransport.ID)), coop("chengdu", onCQ(cdTransport.ID))}) {
			t.Fatalf("after Chengdu's state arrived, Chongqing holds %+v; want both sides' new units", it.Parties)
		}
		sync(t, cq, cd, cq)
		same(t)
		onCD, _ := cd.store.Items.Get(ctx, rail)
		if len(onCD.Parties) != 4 || len(onCD.Pending) != 0 {
			t.Fatalf("Chengdu holds %+v, pending %+v; want both sides' units, nothing waiting", onCD.Parties, onCD.Pending)
		}
		if ps, _ := cq.store.Proposals(ctx, "items", railOnCQ); ps[0].State != store.ProposalApplied {
			t.Fatalf("the proposal is %s (%s), want applied", ps[0].State, ps[0].Reason)
		}
		// The keeper's states that only say what Chongqing holds already
		// leave no empty change in its history.
		rows, err := cq.store.DB().QueryContext(ctx, "SELECT id, before_json, after_json FROM audit_events WHERE entity = 'items' AND entity_id = "+itoa(railOnCQ)+" AND action = 'update'")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var before, after string
			rows.Scan(&id, &before, &after)
			var b, a map[string]any
			json.Unmarshal([]byte(before), &b)
			json.Unmarshal([]byte(after), &a)
			for _, k := range []string{"version", "updated_at", "pending"} {
				delete(b, k)
				delete(a, k)
			}
			if fmt.Sprint(b) == fmt.Sprint(a) {
				t.Errorf("Chongqing's history holds an update that changed nothing (audit event %d)", id)
			}
		}
	})

	t.Run("RefusedByTheKeeperIsSetBack", func(t *testing.T) {
		// Chengdu's secretariat takes the housing commission out of the
		// working group while Chongqing, not yet told, names it.
		m, _ := cd.store.Mechanisms.Get(ctx, w.mech.ID)
		m.Members = slices.DeleteFunc(m.Members, func(mb domain.Member) bool { return mb.OrganizationID == cqHousing.ID })
		if err := cd.store.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
		edit(t, cq, railOnCQ, cqLead, func(it *domain.Item) { it.Parties = append(it.Parties, coop("chongqing", onCQ(cqHousing.ID))) })
		if it, _ := cq.store.Items.Get(ctx, railOnCQ); len(domain.SideParties(it.Parties, "chongqing")) != 3 {
			t.Fatalf("Chongqing's change is not in effect on its installation: %+v", it.Parties)
		}
		sync(t, cq, cd, cq)
		ps, _ := cq.store.Proposals(ctx, "items", railOnCQ)
		if ps[0].State != store.ProposalRefused || !strings.Contains(ps[0].Reason, "not a member unit") {
			t.Fatalf("the proposal is %s (%s), want refused: the unit is no member", ps[0].State, ps[0].Reason)
		}
		same(t)
		if it, _ := cq.store.Items.Get(ctx, railOnCQ); len(domain.SideParties(it.Parties, "chongqing")) != 2 {
			t.Fatalf("after the refusal Chongqing holds %+v; want its units as the keeper holds them", it.Parties)
		}
	})

	t.Run("AnotherSidesUnitsRefusedOnTheReplica", func(t *testing.T) {
		// A side writes only its own: Chongqing's lead cannot name a unit
		// for Chengdu's side from its installation.
		it, _ := cq.store.Items.Get(ctx, railOnCQ)
		proposals, _ := cq.store.Proposals(ctx, "items", railOnCQ)
		it.Parties = append(it.Parties, coop("chengdu", onCQ(w.cdEconomy.ID)))
		err := cq.store.Items.Update(ctx, domain.ActorFor(cqLead), it)
		if domain.ErrorCode(err) != domain.Forbidden || len(domain.ErrorFields(err)) != 1 || domain.ErrorFields(err)[0].Field != "parties" || !strings.Contains(err.Error(), "side chengdu") {
			t.Fatalf("Chongqing's lead naming a Chengdu unit: %v; want it refused, naming the parties and Chengdu's side", err)
		}
		if after, _ := cq.store.Proposals(ctx, "items", railOnCQ); len(after) != len(proposals) {
			t.Fatalf("the refused change was proposed to the keeper all the same")
		}
		if again, _ := cq.store.Items.Get(ctx, railOnCQ); again.Version != it.Version {
			t.Fatalf("the refused change changed the replica")
		}
	})

	// park is an item Chongqing takes part in with a cooperating unit
	// only, the economy commission, which the mechanism names to speak
	// for Chongqing's side as its secretariat unit there: on Chongqing's
	// installation its liaison changes Chongqing's units at once.
	setRole := func(t *testing.T, role domain.MemberRole) {
		m, _ := cd.store.Mechanisms.Get(ctx, w.mech.ID)
		for i := range m.Members {
			if m.Members[i].OrganizationID == w.cqEconomy.ID {
				m.Members[i].Role = role
			}
		}
		if role == "" {
			m.Members = slices.DeleteFunc(m.Members, func(mb domain.Member) bool { return mb.OrganizationID == w.cqEconomy.ID })
		}
		if err := cd.store.Mechanisms.Update(ctx, domain.Actor{}, m); err != nil {
			t.Fatal(err)
		}
	}
	office := liaisonOf(t, cq, "office@cq.example", "重庆经信委联络员", onCQ(w.cqEconomy.ID))
	park := func(t *testing.T, title string) (id, replica int64) {
		setRole(t, domain.Secretariat)
		it := mustCreate(t, cd.store, cd.store.Items, &domain.Item{MechanismID: w.mech.ID, Title: title, Status: domain.Advancing,
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.cdDRC.ID, Role: domain.LeadUnit}, coop("chongqing", w.cqEconomy.ID)}})
		sync(t, cd, cq)
		replica, _, _ = cq.store.LocalID(ctx, domain.GlobalID{Origin: cd.name, Entity: "items", ID: it.ID})
		if held := edit(t, cq, replica, office, func(it *domain.Item) { it.Parties = append(it.Parties, coop("chongqing", onCQ(cqTransport.ID))) }); len(held) != 0 {
			t.Fatalf("Chongqing's secretariat unit's change to its side's units waits: %+v", held)
		}
		if it, _ := cq.store.Items.Get(ctx, replica); len(it.Parties) != 3 {
			t.Fatalf("the change is not in effect on Chongqing: %+v", it.Parties)
		}
		return it.ID, replica
	}
	setBack := func(t *testing.T, id, replica int64, state, reason string) {
		t.Helper()
		sync(t, cq, cd, cq)
		ps, _ := cq.store.Proposals(ctx, "items", replica)
		if len(ps) != 1 || ps[0].State != state || !strings.Contains(ps[0].Reason, reason) {
			t.Fatalf("the proposals are %+v; want one %s (%s)", ps, state, reason)
		}
		onCD, _ := cd.store.Items.Get(ctx, id)
		it, _ := cq.store.Items.Get(ctx, replica)
		if len(onCD.Parties) != 2 || len(it.Parties) != 2 {
			t.Fatalf("Chengdu holds %+v, Chongqing %+v; want the keeper's two units on both", onCD.Parties, it.Parties)
		}
	}

	t.Run("HeldByTheKeeperIsSetBackAndWaits", func(t *testing.T) {
		id, replica := park(t, "成渝数字经济产业园")
		// Meanwhile Chengdu's secretariat makes the commission a plain
		// member: on the keeper it no longer speaks for its side, so the
		// change waits for whom the mechanism names now.
		setRole(t, domain.MemberUnit)
		setBack(t, id, replica, store.ProposalHeld, "")
		if it, _ := cq.store.Items.Get(ctx, replica); len(it.Pending) != 1 || fmt.Sprint(it.Pending[0].Fields) != "[parties]" {
			t.Fatalf("on Chongqing the held change is not pending: %+v", it.Pending)
		}
	})

	t.Run("WrongSideRefusedByTheKeeper", func(t *testing.T) {
		id, replica := park(t, "成渝数字文创产业园")
		// Meanwhile Chengdu's secretariat takes the commission out of the
		// working group: on the keeper it is no unit of Chongqing's side,
		// and writes Chongqing's units from the wrong side.
		setRole(t, "")
		setBack(t, id, replica, store.ProposalRefused, "wrong side")
		if outcomes, _ := cd.store.Outcomes(ctx, mustPeer(t, cd, cq.name)); !slices.ContainsFunc(outcomes, func(o store.InboxOutcome) bool {
			return strings.Contains(o.EventID, "#proposal-") && o.Outcome == store.Refused && strings.Contains(o.Reason, "wrong side")
		}) {
			t.Fatalf("the keeper kept no evidence of the wrong-side write it refused")
		}
	})

	t.Run("JointFieldsStillWaitForBoth", func(t *testing.T) {
		// Still out of reach of its keeper, Chongqing's lead changes its
		// own units (the transport commission leaves), then proposes a new
		// deadline, whose item carries them: the keeper, having landed the
		// first, holds the second.
		edit(t, cq, railOnCQ, cqLead, func(it *domain.Item) {
			it.Parties = slices.DeleteFunc(it.Parties, func(pt domain.Party) bool { return pt.OrganizationID == onCQ(cqTransport.ID) })
		})
		held := edit(t, cq, railOnCQ, cqLead, func(it *domain.Item) { it.EndOn = domain.MustDate("2030-12-31") })
		if len(held) != 1 {
			t.Fatalf("a new deadline proposed on Chongqing holds %+v; want it waiting for the keeper", held)
		}
		sync(t, cq, cd, cq)
		ps, _ := cq.store.Proposals(ctx, "items", railOnCQ)
		if ps[0].State != store.ProposalHeld || ps[1].State != store.ProposalApplied {
			t.Fatalf("the deadline is %s (%s) and the units %s (%s); want the deadline held and the units applied", ps[0].State, ps[0].Reason, ps[1].State, ps[1].Reason)
		}
		onCD, _ := cd.store.Items.Get(ctx, rail)
		if !onCD.EndOn.IsZero() || len(onCD.Pending) != 1 || fmt.Sprint(onCD.Pending[0].Fields, onCD.Pending[0].Awaiting) != "[period] [chengdu]" {
			t.Fatalf("on Chengdu the deadline is %s with pending %+v; want it waiting for Chengdu's side", onCD.EndOn, onCD.Pending)
		}
		same(t)
	})
}

func mustPeer(t *testing.T, in *installation, name string) *domain.Peer {
	t.Helper()
	p, err := in.store.Peer(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
