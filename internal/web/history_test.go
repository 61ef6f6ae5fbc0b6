package web

import (
	"slices"
	"testing"
)

// TestChangedFieldsLeavesOutTheDerived: an item's history names what its
// writer changed; the changes it holds for a side to confirm ("pending")
// are derived and have entries of their own, so their coming and going is
// not listed as a change to the item.
func TestChangedFieldsLeavesOutTheDerived(t *testing.T) {
	before := `{"id":1,"version":3,"title":"成渝中线高铁","status":"advancing","pending":[{"id":4,"fields":["status"]}]}`
	after := `{"id":1,"version":4,"title":"成渝中线高铁","status":"completed","pending":[]}`
	if got := changedFields(before, after); !slices.Equal(got, []string{"status"}) {
		t.Errorf("changedFields = %v, want [status]", got)
	}
}
