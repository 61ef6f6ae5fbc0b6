package domain_test

import (
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestColumnMappingLayoutRefused: each field of a mapping's layout is
// checked, and a refusal names the field.
func TestColumnMappingLayoutRefused(t *testing.T) {
	for field, layout := range map[string]domain.LedgerLayout{
		"header_rows":     {HeaderRows: []int{3, 2}},
		"data_first_row":  {HeaderRows: []int{2, 3}, DataFirstRow: 3},
		"data_last_row":   {DataFirstRow: 5, DataLastRow: 4},
		"fill_down":       {FillDown: []string{"unit"}},
		"unit_separators": {UnitSeparators: "和"},
		"match_key":       {MatchKey: "id"},
		"sheet":           {Sheet: "一个远远超过三十一个字符的工作表名称一个远远超过三十一个字符的工作表名称"},
	} {
		m := domain.ColumnMapping{MechanismID: 1, Name: "台账", Columns: map[string]string{"编号": "number"}, LedgerLayout: layout}
		fields := domain.ErrorFields(m.Validate())
		if len(fields) != 1 || fields[0].Field != field {
			t.Errorf("layout %+v: %v, want one error naming %s", layout, fields, field)
		}
	}
	ok := domain.ColumnMapping{MechanismID: 1, Name: "台账", Columns: map[string]string{"进度安排 › 二季度": "schedule.q2", "成都牵头单位": "lead"},
		LedgerLayout: domain.LedgerLayout{Sheet: "重点任务", HeaderRows: []int{2, 3}, DataFirstRow: 4, DataLastRow: 40, FillDown: []string{"lead"}, UnitSeparators: "、;\n", MatchKey: "title"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a valid layout refused: %v", err)
	}
}

// TestOrganizationAliases: an alias may not repeat the name or another alias.
func TestOrganizationAliases(t *testing.T) {
	o := domain.Organization{JurisdictionID: 1, Name: "成都市发展和改革委员会", Kind: domain.Department, Aliases: []string{"成都市发改委", "成都市发展和改革委员会"}}
	if f := domain.ErrorFields(o.Validate()); len(f) != 1 || f[0].Field != "aliases[1]" {
		t.Fatalf("%v, want aliases[1] refused", f)
	}
}
