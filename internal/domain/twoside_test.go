package domain

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestTwoSide states the two-side rule case by case: what a change holds,
// and for whom, by who proposes it.
func TestTwoSide(t *testing.T) {
	const cd, cq, wj = 1, 2, 3                    // a Chengdu unit, a Chongqing unit, another Chengdu unit
	const cqOffice, cqMember, cqCoop = 12, 13, 14 // Chongqing's secretariat unit, another member, a cooperating unit
	lead := func(side string, unit int64) Party { return Party{Side: side, OrganizationID: unit, Role: LeadUnit} }
	coop := func(side string, unit int64) Party {
		return Party{Side: side, OrganizationID: unit, Role: CooperatingUnit}
	}
	// unled is the item as a ledger with one lead per row states it:
	// Chengdu leads, Chongqing takes part with a cooperating unit only.
	unled := func(edit func(*Item)) *Item {
		it := &Item{Record: Record{Version: 4}, MechanismID: 1, BatchID: 1, Status: Advancing, Parties: []Party{lead("chengdu", cd), coop("chongqing", cqCoop)}}
		if edit != nil {
			edit(it)
		}
		return it
	}
	group := &Mechanism{Sides: []Side{{Key: "chengdu"}, {Key: "chongqing"}}, Members: []Member{
		{OrganizationID: cd, Side: "chengdu", Role: Secretariat}, {OrganizationID: cqOffice, Side: "chongqing", Role: Secretariat},
		{OrganizationID: cqMember, Side: "chongqing", Role: MemberUnit}, {OrganizationID: cqCoop, Side: "chongqing", Role: MemberUnit}}}
	noOffice := &Mechanism{Sides: group.Sides}
	conveners := &Mechanism{Sides: group.Sides, Rules: Rules{UnledSideConfirmer: Convener},
		Members: []Member{{OrganizationID: cqOffice, Side: "chongqing", Role: Secretariat}, {OrganizationID: cqMember, Side: "chongqing", Role: Convener}}}
	joint := func(edit func(*Item)) *Item {
		it := &Item{Record: Record{Version: 4}, MechanismID: 1, BatchID: 1, Status: Advancing, Parties: []Party{lead("chengdu", cd), lead("chongqing", cq)}}
		if edit != nil {
			edit(it)
		}
		return it
	}
	chengdu, both, secretariat := Proposer{Units: []int64{cd}}, Proposer{Units: []int64{cd, cq}}, Proposer{Secretariat: true}
	office, member, cooperating := Proposer{Units: []int64{cqOffice}}, Proposer{Units: []int64{cqMember}}, Proposer{Units: []int64{cqCoop}}
	now := time.Now()
	for _, tc := range []struct {
		name         string
		before, want *Item
		m            *Mechanism // nil: group
		by           Proposer
		fields       string // held fields, or "" when nothing is held
		awaiting     string
	}{
		{"Complete", joint(nil), joint(func(it *Item) { it.Status = Completed }), nil, chengdu, "[status]", "[chongqing]"},
		{"Reopen", joint(func(it *Item) { it.Status = Completed }), joint(nil), nil, chengdu, "[status]", "[chongqing]"},
		{"PauseIsOneSidesOwn", joint(nil), joint(func(it *Item) { it.Status = Paused }), nil, chengdu, "", ""},
		{"ContentIsOneSidesOwn", joint(nil), joint(func(it *Item) { it.Content = "新内容" }), nil, chengdu, "", ""},
		{"Archive", joint(nil), joint(func(it *Item) { it.ArchivedAt = &now }), nil, chengdu, "[archived]", "[chongqing]"},
		{"Restore", joint(func(it *Item) { it.ArchivedAt = &now }), joint(nil), nil, chengdu, "[archived]", "[chongqing]"},
		{"Move", joint(nil), joint(func(it *Item) { it.MechanismID, it.BatchID = 2, 0 }), nil, chengdu, "[mechanism_id batch_id]", "[chongqing]"},
		{"SecondLeadNamed", joint(func(it *Item) { it.Parties = it.Parties[:1] }), joint(nil), nil, chengdu, "[parties]", "[chongqing]"},
		{"OtherSidesLeadReplaced", joint(nil), joint(func(it *Item) { it.Parties[1].OrganizationID = 9 }), nil, chengdu, "[parties]", "[chongqing]"},
		{"ProposerForBothSides", joint(nil), joint(func(it *Item) { it.Status = Completed }), nil, both, "", ""},
		{"SecretariatActsForNoSide", joint(nil), joint(func(it *Item) { it.Status = Completed }), nil, secretariat, "[status]", "[chengdu chongqing]"},
		{"SecretariatOnOneSidesItem", joint(func(it *Item) { it.Parties = it.Parties[:1] }), joint(func(it *Item) { it.Parties, it.Status = it.Parties[:1], Completed }), nil, secretariat, "", ""},
		{"CooperatingUnitIsNotTheLead", joint(func(it *Item) { it.Parties = []Party{lead("chengdu", wj)} }), joint(func(it *Item) { it.Parties, it.Status = []Party{lead("chengdu", wj)}, Completed }), nil, chengdu, "[status]", "[chengdu]"},
		{"CreateCompletedNamingTheOtherSide", nil, joint(func(it *Item) {
			it.Status, it.Milestones = Completed, []Milestone{{Title: "竣工", DueOn: MustDate("2024-06-30"), DoneOn: MustDate("2024-06-01")}}
		}), nil, chengdu, "[status parties milestones]", "[chongqing]"},
		{"CreateAdvancingWithOwnSideOnly", nil, joint(func(it *Item) { it.Parties = it.Parties[:1] }), nil, chengdu, "", ""},
		{"SecretariatCreatesWithBothLeads", nil, joint(nil), nil, secretariat, "", ""},
		{"SecretariatCreatesCompleted", nil, joint(func(it *Item) { it.Status = Completed }), nil, secretariat, "[status]", "[chengdu chongqing]"},
		// A side that takes part with cooperating units only still agrees;
		// its secretariat unit (the mechanism's rule) acts for it.
		{"UnledSideAwaited", unled(nil), unled(func(it *Item) { it.Status = Completed }), nil, chengdu, "[status]", "[chongqing]"},
		{"UnledSideAgreesThroughItsSecretariat", unled(nil), unled(func(it *Item) { it.Status = Completed }), nil, office, "[status]", "[chengdu]"},
		{"UnledSideCooperatingUnitIsNotItsVoice", unled(nil), unled(func(it *Item) { it.Status = Completed }), nil, cooperating, "[status]", "[chengdu chongqing]"},
		{"UnledSideOtherMemberIsNotItsVoice", unled(nil), unled(func(it *Item) { it.Status = Completed }), nil, member, "[status]", "[chengdu chongqing]"},
		{"UnledSideByTheMechanismsRule", unled(nil), unled(func(it *Item) { it.Status = Completed }), conveners, member, "[status]", "[chengdu]"},
		{"UnledSideWithoutOfficeFallsToTheSecretariat", unled(nil), unled(func(it *Item) { it.Status = Completed }), noOffice, chengdu, "[status]", "[chongqing]"},
		{"UnledSideSecretariatConfirmsWhenNoUnitIsNamed", unled(nil), unled(func(it *Item) { it.Status = Completed }), noOffice, secretariat, "[status]", "[chengdu]"},
		{"CooperatingUnitAddedOnAnotherSide", joint(func(it *Item) { it.Parties = it.Parties[:1] }), unled(nil), nil, chengdu, "[parties]", "[chongqing]"},
		{"CreateWithUnledSide", nil, unled(nil), nil, chengdu, "[parties]", "[chongqing]"},
		// Joint fields: both sides agree (issue 14, point 4).
		{"TitleIsJoint", joint(nil), joint(func(it *Item) { it.Title = "新名称" }), nil, chengdu, "[title]", "[chongqing]"},
		{"DeadlineIsJoint", joint(nil), joint(func(it *Item) { it.EndOn = MustDate("2027-12-31") }), nil, chengdu, "[period]", "[chongqing]"},
		{"TargetsAreJoint", joint(nil), joint(func(it *Item) { it.Investment.Total, it.Schedule.Q3 = 5000, "完成主体" }), nil, chengdu, "[targets]", "[chongqing]"},
		{"InvestmentDoneIsProgress", joint(nil), joint(func(it *Item) { it.Investment.Done = 1200 }), nil, chengdu, "", ""},
		{"SecretariatRetitlesForBoth", joint(nil), joint(func(it *Item) { it.Title = "新名称" }), nil, secretariat, "[title]", "[chengdu chongqing]"},
		// A side's own units are its own.
		{"OwnLeadReplaced", joint(nil), joint(func(it *Item) { it.Parties[0].OrganizationID = wj }), nil, chengdu, "", ""},
		{"OwnCooperatingUnitAdded", joint(nil), joint(func(it *Item) { it.Parties = append(it.Parties, coop("chengdu", wj)) }), nil, chengdu, "", ""},
		{"OwnUnitsByItsCooperatingUnit", joint(func(it *Item) { it.Parties = append(it.Parties, coop("chengdu", wj)) }),
			joint(func(it *Item) { it.Parties = append(it.Parties, coop("chengdu", wj))[:2] }), nil, Proposer{Units: []int64{wj}}, "[parties]", "[chengdu]"},
		{"SecretariatChangesOneSidesUnits", joint(nil), joint(func(it *Item) { it.Parties = append(it.Parties, coop("chongqing", cqCoop)) }), nil, secretariat, "[parties]", "[chongqing]"},
		{"OwnUnitsWithAJointField", joint(nil), joint(func(it *Item) { it.Parties[0].OrganizationID, it.Title = wj, "新名称" }), nil, chengdu, "[title]", "[chongqing]"},
		{"OwnUnitsBesideAnotherSidesUnits", joint(nil), joint(func(it *Item) {
			it.Parties = append([]Party{lead("chengdu", wj)}, it.Parties[1], coop("chongqing", cqCoop))
		}), nil, chengdu, "[parties]", "[chongqing]"},
		{"OrderAcrossSidesIsJoint", joint(nil), joint(func(it *Item) { it.Parties[0], it.Parties[1] = it.Parties[1], it.Parties[0] }), nil, chengdu, "[parties]", "[chongqing]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			if m == nil {
				m = group
			}
			c := TwoSide(tc.before, tc.want, m, tc.by)
			if !c.Held() {
				if tc.fields != "" {
					t.Fatalf("nothing held; want %s awaiting %s (rule said %+v)", tc.fields, tc.awaiting, c)
				}
				return
			}
			if tc.fields == "" {
				t.Fatalf("held %v awaiting %v; want nothing held", c.Fields, c.Awaiting(c.Acting))
			}
			want := *tc.want
			ch := c.Withhold(tc.before, &want)
			if got := fmt.Sprint(ch.Fields); got != tc.fields || fmt.Sprint(ch.Awaiting) != tc.awaiting {
				t.Fatalf("held %s awaiting %v; want %s awaiting %s", got, ch.Awaiting, tc.fields, tc.awaiting)
			}
			// What goes through at once includes the proposer's own
			// side's units; the change holds only the other sides'.
			for _, s := range c.OwnSides() {
				if slices.Contains(c.Acting, s) && (fmt.Sprint(SideParties(want.Parties, s)) != fmt.Sprint(SideParties(tc.want.Parties, s)) || slices.Contains(ch.PartySides, s)) {
					t.Fatalf("the proposer's own side %s is held: went through %v, held for %v", s, want.Parties, ch.PartySides)
				}
			}
			// What goes through at once leaves nothing the rule would hold.
			if again := TwoSide(tc.before, &want, m, tc.by); tc.before != nil && again.Held() {
				t.Fatalf("after withholding, %v is still held", again.Fields)
			}
			// Confirmed, the change gives the item as wanted.
			shown := func(it *Item) string {
				return fmt.Sprint(it.Title, it.StartOn, it.EndOn, it.Schedule, it.Investment, it.Status, it.Parties, it.MechanismID, it.BatchID, it.ArchivedAt != nil)
			}
			if got := ch.Proposed(&want, now); shown(got) != shown(tc.want) {
				t.Fatalf("the change applied gives %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestWithSideParties replaces one side's units in their place and leaves
// the other side's as they are.
func TestWithSideParties(t *testing.T) {
	p := func(side string, unit int64, role PartyRole) Party {
		return Party{Side: side, OrganizationID: unit, Role: role}
	}
	parties := []Party{p("chengdu", 1, LeadUnit), p("chongqing", 2, LeadUnit), p("chengdu", 3, CooperatingUnit)}
	for _, tc := range []struct {
		name string
		side string
		own  []Party
		want string
	}{
		{"InPlaceOfItsFirst", "chengdu", []Party{p("chengdu", 4, LeadUnit)}, "[{chengdu 4 lead} {chongqing 2 lead}]"},
		{"OtherSide", "chongqing", []Party{p("chongqing", 5, LeadUnit), p("chongqing", 6, CooperatingUnit)}, "[{chengdu 1 lead} {chongqing 5 lead} {chongqing 6 cooperating} {chengdu 3 cooperating}]"},
		{"NewSideAtTheEnd", "hechuan", []Party{p("hechuan", 7, CooperatingUnit)}, "[{chengdu 1 lead} {chongqing 2 lead} {chengdu 3 cooperating} {hechuan 7 cooperating}]"},
		{"SideLeaves", "chongqing", nil, "[{chengdu 1 lead} {chengdu 3 cooperating}]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmt.Sprint(WithSideParties(parties, tc.side, tc.own)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestWrongSides: a liaison writing the units of a side on which its unit
// is no member writes from the wrong side; its own side's, even when
// another unit confirms for that side, is not.
func TestWrongSides(t *testing.T) {
	const cd, cq, cqCoop, cqOffice = 1, 2, 3, 4
	m := &Mechanism{Sides: []Side{{Key: "chengdu"}, {Key: "chongqing"}}, Members: []Member{{OrganizationID: cd, Side: "chengdu", Role: MemberUnit},
		{OrganizationID: cq, Side: "chongqing", Role: MemberUnit}, {OrganizationID: cqCoop, Side: "chongqing", Role: MemberUnit}, {OrganizationID: cqOffice, Side: "chongqing", Role: Secretariat}}}
	before := &Item{Parties: []Party{{Side: "chengdu", OrganizationID: cd, Role: LeadUnit}, {Side: "chongqing", OrganizationID: cqCoop, Role: CooperatingUnit}}}
	want := &Item{Parties: append(slices.Clone(before.Parties), Party{Side: "chongqing", OrganizationID: cq, Role: CooperatingUnit})}
	for _, tc := range []struct {
		name  string
		by    Proposer
		wrong string
		held  bool
	}{
		{"OtherSidesUnits", Proposer{Units: []int64{cd}}, "[chongqing]", true},
		{"OwnSideNotItsVoice", Proposer{Units: []int64{cqCoop}}, "[]", true},
		{"OwnSidesVoice", Proposer{Units: []int64{cqOffice}}, "[]", false},
		{"Secretariat", Proposer{Secretariat: true}, "[]", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := TwoSide(before, want, m, tc.by)
			if got := fmt.Sprint(nonNil(c.WrongSides())); got != tc.wrong || c.Held() != tc.held {
				t.Fatalf("wrong sides %s, held %v; want %s, held %v", got, c.Held(), tc.wrong, tc.held)
			}
		})
	}
}
