package domain

import (
	"fmt"
	"testing"
	"time"
)

// TestTwoSide states the two-side rule case by case: what a change holds,
// and for whom, by who proposes it.
func TestTwoSide(t *testing.T) {
	const cd, cq, wj = 1, 2, 3 // a Chengdu unit, a Chongqing unit, another Chengdu unit
	lead := func(side string, unit int64) Party { return Party{Side: side, OrganizationID: unit, Role: LeadUnit} }
	joint := func(edit func(*Item)) *Item {
		it := &Item{Record: Record{Version: 4}, MechanismID: 1, BatchID: 1, Status: Advancing, Parties: []Party{lead("chengdu", cd), lead("chongqing", cq)}}
		if edit != nil {
			edit(it)
		}
		return it
	}
	chengdu, both, secretariat := Proposer{Units: []int64{cd}}, Proposer{Units: []int64{cd, cq}}, Proposer{Secretariat: true}
	now := time.Now()
	for _, tc := range []struct {
		name         string
		before, want *Item
		by           Proposer
		fields       string // held fields, or "" when nothing is held
		awaiting     string
	}{
		{"Complete", joint(nil), joint(func(it *Item) { it.Status = Completed }), chengdu, "[status]", "[chongqing]"},
		{"Reopen", joint(func(it *Item) { it.Status = Completed }), joint(nil), chengdu, "[status]", "[chongqing]"},
		{"PauseIsOneSidesOwn", joint(nil), joint(func(it *Item) { it.Status = Paused }), chengdu, "", ""},
		{"ContentIsOneSidesOwn", joint(nil), joint(func(it *Item) { it.Content = "新内容" }), chengdu, "", ""},
		{"Archive", joint(nil), joint(func(it *Item) { it.ArchivedAt = &now }), chengdu, "[archived]", "[chongqing]"},
		{"Restore", joint(func(it *Item) { it.ArchivedAt = &now }), joint(nil), chengdu, "[archived]", "[chongqing]"},
		{"Move", joint(nil), joint(func(it *Item) { it.MechanismID, it.BatchID = 2, 0 }), chengdu, "[mechanism_id batch_id]", "[chongqing]"},
		{"SecondLeadNamed", joint(func(it *Item) { it.Parties = it.Parties[:1] }), joint(nil), chengdu, "[parties]", "[chongqing]"},
		{"OtherSidesLeadReplaced", joint(nil), joint(func(it *Item) { it.Parties[1].OrganizationID = 9 }), chengdu, "[parties]", "[chongqing]"},
		{"ProposerForBothSides", joint(nil), joint(func(it *Item) { it.Status = Completed }), both, "", ""},
		{"SecretariatActsForNoSide", joint(nil), joint(func(it *Item) { it.Status = Completed }), secretariat, "[status]", "[chengdu chongqing]"},
		{"SecretariatOnOneSidesItem", joint(func(it *Item) { it.Parties = it.Parties[:1] }), joint(func(it *Item) { it.Parties, it.Status = it.Parties[:1], Completed }), secretariat, "", ""},
		{"CooperatingUnitIsNotTheLead", joint(func(it *Item) { it.Parties = []Party{lead("chengdu", wj)} }), joint(func(it *Item) { it.Parties, it.Status = []Party{lead("chengdu", wj)}, Completed }), chengdu, "[status]", "[chengdu]"},
		{"CreateCompletedNamingTheOtherSide", nil, joint(func(it *Item) {
			it.Status, it.Milestones = Completed, []Milestone{{Title: "竣工", DueOn: MustDate("2024-06-30"), DoneOn: MustDate("2024-06-01")}}
		}), chengdu, "[status parties milestones]", "[chongqing]"},
		{"CreateAdvancingWithOwnSideOnly", nil, joint(func(it *Item) { it.Parties = it.Parties[:1] }), chengdu, "", ""},
		{"SecretariatCreatesWithBothLeads", nil, joint(nil), secretariat, "", ""},
		{"SecretariatCreatesCompleted", nil, joint(func(it *Item) { it.Status = Completed }), secretariat, "[status]", "[chengdu chongqing]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := TwoSide(tc.before, tc.want, tc.by)
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
			// What goes through at once leaves nothing the rule would hold.
			if again := TwoSide(tc.before, &want, tc.by); tc.before != nil && again.Held() {
				t.Fatalf("after withholding, %v is still held", again.Fields)
			}
			// Confirmed, the change gives the item as wanted.
			if got := ch.Proposed(&want, now); fmt.Sprint(got.Status, got.Parties, got.MechanismID, got.BatchID, got.ArchivedAt != nil) !=
				fmt.Sprint(tc.want.Status, tc.want.Parties, tc.want.MechanismID, tc.want.BatchID, tc.want.ArchivedAt != nil) {
				t.Fatalf("the change applied gives %+v, want %+v", got, tc.want)
			}
		})
	}
}
