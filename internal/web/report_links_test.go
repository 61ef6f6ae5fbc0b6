package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
)

// TestReportFormOfferedToWhomItWorks: a liaison granted on a jurisdiction
// acts for every unit in it, so the report form opens for the district's
// government; and an item's page offers "report for the lead unit" only on
// the side the viewer reports for, not on the other side, whose form would
// refuse them.
func TestReportFormOfferedToWhomItWorks(t *testing.T) {
	st := mustStartSite(t)
	wenjiang := st.orgID(t, "温江区人民政府")
	banan := st.orgID(t, "巴南区人民政府")
	c := st.importUser(t, "wenjiang-liaison@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.JurisdictionScope, ScopeID: st.jurisdictionID(t, "温江区")}})

	res, body := c.get(fmt.Sprintf("/report?unit=%d", wenjiang))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "成渝双城生物医药产业高地") {
		t.Fatalf("a jurisdiction liaison opens the form of its district's government: %d", res.StatusCode)
	}
	if res, _ := c.get(fmt.Sprintf("/report?unit=%d", banan)); res.StatusCode != http.StatusForbidden {
		t.Errorf("the form of the other side's unit: %d, want 403", res.StatusCode)
	}

	items, err := st.Store.Items.List(t.Context(), domain.ListQuery{Filters: map[string]string{"q": "成渝双城生物医药产业高地"}})
	if err != nil || len(items.Items) != 1 {
		t.Fatalf("the joint item: %v", err)
	}
	_, page := c.get(fmt.Sprintf("/items/%d", items.Items[0].ID))
	if !strings.Contains(page, fmt.Sprintf(`href="/report?unit=%d"`, wenjiang)) {
		t.Error("the item page does not offer the liaison its own side's report form")
	}
	if strings.Contains(page, fmt.Sprintf(`href="/report?unit=%d"`, banan)) {
		t.Error("the item page offers the liaison the other side's report form, which refuses it")
	}
}

// TestItemsListOffersWritesToWriters: a leader, who reads, is not offered
// "new item" nor the bulk edit, which would answer 403; the secretariat is.
func TestItemsListOffersWritesToWriters(t *testing.T) {
	st := mustStartSite(t)
	m, _ := st.workingGroup(t)
	leader := st.importUser(t, "leader@example.gov.cn", []domain.Grant{{Role: domain.Leader, ScopeKind: domain.MechanismScope, ScopeID: m.ID}})
	secretariat := st.importUser(t, "sec@example.gov.cn", []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: m.ID}})
	for _, c := range []struct {
		who    string
		c      *client
		offers bool
	}{{"leader", leader, false}, {"secretariat", secretariat, true}} {
		res, body := c.c.get(fmt.Sprintf("/items?mechanism=%d", m.ID))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "成渝中线高铁") {
			t.Fatalf("%s: the list = %d", c.who, res.StatusCode)
		}
		for _, control := range []string{`href="/items/new`, `id="bulk-form"`, `name="item"`} {
			if strings.Contains(body, control) != c.offers {
				t.Errorf("%s: offered %s = %v, want %v", c.who, control, !c.offers, c.offers)
			}
		}
	}
}
