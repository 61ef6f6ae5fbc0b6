package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/liandong/liandong/internal/domain"
)

// TestSecretariatImportsLedgerInTheBrowser is the "done when" for
// the import: signed in as the demo's administrator, with the pages alone,
// a new batch is created and a ledger in a layout never seen before —
// headers over two rows, a merged group column, one unit by an alias and
// one no unit answers to — is uploaded, its columns pointed to fields on a
// 360 px phone (the grid scrolls in its own box), the unknown name mapped
// to the unit it stands for, the mapping saved, the preview read and the
// import applied; the items then show in the batch's list and on the item
// page with their parties in the file's order and their quarterly schedule,
// and the dashboard counts them.
func TestSecretariatImportsLedgerInTheBrowser(t *testing.T) {
	b := mustStartBrowser(t)
	st := mustStartSite(t)
	ctx := context.Background()
	m, _ := st.workingGroup(t)
	drc, culture := st.orgID(t, "成都市发展和改革委员会"), st.orgID(t, "成都市文化广电旅游局")
	o, _ := st.Store.Organizations.Get(ctx, drc)
	o.Aliases = append(o.Aliases, "成都市发改委")
	if err := st.Store.Organizations.Update(ctx, domain.Actor{}, o); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "推进台账.xlsx")
	if err := os.WriteFile(file, importLedgerXLSX(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b.signIn(st.URL, st.User.Email)

	b.do("new batch",
		chromedp.Click(chromedp.ID(fmt.Sprintf("new-batch-%d", m.ID))),
		chromedp.WaitVisible(chromedp.ID("batch-form")),
		chromedp.SetValue(chromedp.ID("b-name"), "2026年合作事项"),
		chromedp.SetValue(chromedp.ID("b-year"), "2026"),
		chromedp.SetValue(chromedp.ID("b-declared"), "2"),
	)
	b.checkPage("new batch")
	b.do("create the batch", chromedp.Click(chromedp.ID("create-batch")), chromedp.WaitVisible(chromedp.ID("import-ledger")))
	batchID, _ := strconv.ParseInt(strings.TrimPrefix(b.eval(`new URLSearchParams(location.search).get("batch")`), ""), 10, 64)
	if batchID == 0 {
		t.Fatalf("not on the new batch's items: %s", b.eval(`location.href`))
	}
	b.checkPage("batch created")

	b.do("upload",
		chromedp.Click(chromedp.ID("import-ledger")),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
	)
	if got := b.eval(`document.getElementById("i-batch").value`); got != strconv.FormatInt(batchID, 10) {
		t.Errorf("the upload form has batch %s chosen, want the new batch %d", got, batchID)
	}
	b.checkPage("upload")
	b.do("send the file",
		chromedp.SetUploadFiles(chromedp.ID("i-file"), []string{file}),
		chromedp.Click(chromedp.ID("upload")),
		chromedp.WaitVisible(chromedp.ID("map-form")),
	)

	// Map on a phone: the grid scrolls inside its box, the page does not.
	b.viewport(360, 740, true)
	b.do("two header rows",
		chromedp.SetValue(chromedp.ID("m-header-first"), "2"),
		chromedp.SetValue(chromedp.ID("m-header-last"), "3"),
		chromedp.Click(chromedp.ID("refresh")),
	)
	b.waitFor("header paths", `!!document.querySelector('label[for="c3"]') && document.querySelector('label[for="c3"]').textContent.includes("牵头单位 › 成都")`)
	if got := b.eval(`document.getElementById("c6").value + " " + document.getElementById("c5").value`); got != "schedule.q2 cooperating" {
		t.Errorf("the standard headers under a group are not read as their fields: %q", got)
	}
	b.do("point columns to fields",
		chromedp.SetValue(chromedp.ID("c2"), "title"),
		chromedp.SetValue(chromedp.ID("c3"), "lead"),
		chromedp.SetValue(chromedp.ID("c4"), "lead"),
	)
	if v := b.eval(`(() => { const g = document.getElementById("sheet-grid"); return String(g.scrollWidth > g.clientWidth); })()`); v != "true" {
		t.Errorf("at 360 px the grid does not scroll inside its box")
	}
	b.screenshot("import-map-360")
	b.checkPage("mapping at 360 px")
	b.viewport(1280, 900, false)

	b.do("preview", chromedp.Click(chromedp.ID("to-preview")), chromedp.WaitVisible(chromedp.ID("preview-counts")))
	if got := b.text("#unresolved"); !strings.Contains(got, "成都市文旅局") || !strings.Contains(got, "成都市文化广电旅游局") {
		t.Fatalf("the unknown unit is not listed with the closest units: %q", got)
	}
	if got := b.text("#refused"); !strings.Contains(got, "重点事项!5") || !strings.Contains(got, "D (牵头单位 › 成都)") {
		t.Errorf("the refused row is not named by its row and column: %q", got)
	}
	b.checkPage("preview with an unknown unit")
	b.viewport(360, 740, true)
	b.screenshot("import-unresolved-360")
	b.checkPage("preview with an unknown unit at 360 px")
	b.viewport(1280, 900, false)
	b.do("map the name to its unit",
		chromedp.SetValue(chromedp.ID("alias-unit-0"), strconv.FormatInt(culture, 10)),
		chromedp.Click(chromedp.ID("alias-0")),
		chromedp.WaitVisible(chromedp.ID("apply")),
	)
	if got := b.text("#count-added"); got != "2" {
		t.Fatalf("after resolving, %s items to add, want 2", got)
	}
	b.do("save the mapping",
		chromedp.SetValue(chromedp.ID("mapping-name"), "推进台账（两行表头）"),
		chromedp.Click(chromedp.CSS("#save-mapping button")),
		chromedp.WaitVisible(chromedp.ID("map-form")),
	)
	b.checkPage("mapping saved")
	b.do("preview again", chromedp.Click(chromedp.ID("to-preview")), chromedp.WaitVisible(chromedp.ID("apply")))
	b.screenshot("import-preview-1280")
	b.checkPage("preview")
	b.do("apply", chromedp.Click(chromedp.ID("apply")), chromedp.WaitVisible(chromedp.ID("import-counts")))
	b.checkPage("applied")

	b.do("the batch's items", chromedp.Click(chromedp.ID("to-batch")), chromedp.WaitVisible(chromedp.ID("items-table")))
	list := b.text("#items-table")
	for _, want := range []string{"成渝城际快线", "双城文旅年卡", "成都市发展和改革委员会 / 重庆市交通运输主管部门"} {
		if !strings.Contains(list, want) {
			t.Errorf("the batch's items do not show %q: %q", want, list)
		}
	}
	items, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": strconv.FormatInt(batchID, 10)}, Sort: "number"})
	if len(items.Items) != 2 {
		t.Fatalf("%d items in the batch, want 2", len(items.Items))
	}
	j1 := items.Items[0]
	b.do("the item", chromedp.Navigate(fmt.Sprintf("%s/items/%d", st.URL, j1.ID)), chromedp.WaitVisible(chromedp.ID("item-title")))
	parties := b.text(".sides")
	order := []string{"成都市发展和改革委员会", "成都市交通运输局", "重庆市交通运输主管部门", "重庆市发展和改革委员会"}
	at := -1
	for _, name := range order {
		i := strings.Index(parties, name)
		if i <= at {
			t.Fatalf("the item page does not show the parties in the file's order %v: %q", order, parties)
		}
		at = i
	}
	// The quarterly schedule, on the item page, as the file gave it.
	if got := b.text("#schedule"); !strings.Contains(got, "开工建设") || !strings.Contains(got, "通车运营") {
		t.Errorf("the item page does not show the schedule: %q", got)
	}
	b.checkPage("imported item")

	// And the dashboard counts them.
	b.do("the dashboard", chromedp.Navigate(fmt.Sprintf("%s/mechanisms/%d", st.URL, m.ID)), chromedp.WaitVisible(chromedp.ID("reports-missing")))
	if got := b.eval(fmt.Sprintf(`(() => { const a = document.querySelector('a[href="/items?mechanism=%d"]'); const c = a.closest("tr").querySelectorAll("td.num"); return c[c.length-1].textContent.trim(); })()`, m.ID)); got != "11" {
		t.Errorf("the dashboard counts %s items; the demo's 9 and the 2 imported make 11", got)
	}
	b.screenshot("import-dashboard-1280")
}
