package domain

import (
	"strings"
	"testing"
)

// TestLeadRule checks the mechanism's lead rule: at most one lead per side
// by default, at most one for the whole item when the mechanism says so,
// and never a lead required on a side.
func TestLeadRule(t *testing.T) {
	sides := []Side{{Key: "chengdu", Name: "成都"}, {Key: "chongqing", Name: "重庆"}}
	perSide := &Mechanism{Sides: sides}
	overall := &Mechanism{Sides: sides, Rules: Rules{Leads: LeadsOverall}}
	party := func(side string, unit int64, role PartyRole) Party {
		return Party{Side: side, OrganizationID: unit, Role: role}
	}
	leadEach := []Party{party("chengdu", 1, LeadUnit), party("chongqing", 2, LeadUnit)}
	oneLead := []Party{party("chengdu", 1, LeadUnit), party("chongqing", 2, CooperatingUnit), party("chengdu", 3, CooperatingUnit)}
	noLead := []Party{party("chongqing", 2, CooperatingUnit), party("chengdu", 3, CooperatingUnit)}
	for _, tc := range []struct {
		name    string
		m       *Mechanism
		parties []Party
		want    string // the field error, "" when valid
	}{
		{"PerSideTwoLeads", perSide, leadEach, ""},
		{"PerSideOneLead", perSide, oneLead, ""},
		{"PerSideNoLead", perSide, noLead, ""},
		{"OverallOneLead", overall, oneLead, ""},
		{"OverallNoLead", overall, noLead, ""},
		{"OverallTwoLeadsRefused", overall, leadEach, "parties[1].role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := &Item{MechanismID: 1, Title: "项目", Status: NotStarted, Parties: tc.parties}
			if err := it.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			err := it.CheckAgainst(tc.m)
			var got string
			for _, f := range ErrorFields(err) {
				got = f.Field
			}
			if got != tc.want {
				t.Fatalf("CheckAgainst gave %v; want a problem with %q", err, tc.want)
			}
		})
	}
	t.Run("TwoLeadsOnASideRefused", func(t *testing.T) {
		it := &Item{MechanismID: 1, Title: "项目", Status: NotStarted, Parties: []Party{party("chengdu", 1, LeadUnit), party("chengdu", 3, LeadUnit)}}
		if got := fieldReasons(it.Validate()); got != "parties[1].role: a side has one lead unit" {
			t.Fatalf("Validate gave %s", got)
		}
	})
	t.Run("RuleChecked", func(t *testing.T) {
		m := &Mechanism{Name: "组", Tier: Execution, Cadence: Monthly, TimeZone: "Asia/Shanghai", Sides: sides, Rules: Rules{Leads: "every", UnledSideConfirmer: "anyone"}}
		got := fieldReasons(m.Validate())
		if got != "rules.leads: must be one of per_side, overall; rules.unled_side_confirmer: must be one of convener, secretariat, member" {
			t.Fatalf("Validate gave %s", got)
		}
	})
}

// fieldReasons writes err's field errors as "field: reason; …".
func fieldReasons(err error) string {
	var out []string
	for _, f := range ErrorFields(err) {
		out = append(out, f.Field+": "+f.Reason)
	}
	return strings.Join(out, "; ")
}
