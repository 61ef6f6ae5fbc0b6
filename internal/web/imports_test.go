package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liandong/liandong/internal/domain"
)

// importLayoutSheet is the sheet of the test ledger: laid out as no
// standard ledger is — a title row, headers over two rows (牵头单位 merged
// over a column per side, 进度安排 over two quarters, the others merged down
// both rows), a category merged down its group, one unit written by an
// alias (成都市发改委), one no unit answers to (成都市文旅局), and notes.
const importLayoutSheet = "重点事项"

func importLedgerXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", importLayoutSheet); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"2026年成渝合作事项推进台账"},
		{"类别", "编号", "事项名称", "牵头单位", "", "配合单位", "进度安排", ""},
		{"", "", "", "成都", "重庆", "", "二季度", "四季度"},
		{"交通", "J1", "成渝城际快线", "成都市发改委", "重庆市交通运输主管部门", "成都市交通运输局、重庆市发展和改革委员会", "开工建设", "通车运营"},
		{"", "J2", "双城文旅年卡", "成都市文旅局", "重庆市文化和旅游发展委员会", "成都市商务局", "发行年卡", "评估成效"},
		{"注：牵头单位每方一个，配合单位以顿号分隔。"},
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(importLayoutSheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range [][2]string{{"A1", "H1"}, {"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "E2"}, {"F2", "F3"}, {"G2", "H2"}, {"A4", "A5"}, {"A6", "H6"}} {
		if err := f.MergeCell(importLayoutSheet, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importLayoutQuery is the layout and columns the secretariat sets for the
// test ledger: headers in rows 2–3, each column pointed to a field.
var importLayoutQuery = url.Values{"set": {"1"}, "header_first": {"2"}, "header_last": {"3"}, "c1": {"number"}, "c2": {"title"},
	"c3": {"lead"}, "c4": {"lead"}, "c5": {"cooperating"}, "c6": {"schedule.q2"}, "c7": {"schedule.q4"}}

// upload posts a file to /imports/new as a browser's multipart form does.
func (c *client) upload(fields map[string]string, name string, file []byte) (*http.Response, string) {
	c.t.Helper()
	return c.postFile("/imports/new", fields, name, file)
}

// postFile posts fields and, when name is set, a file to path as a
// browser's multipart form does.
func (c *client) postFile(path string, fields map[string]string, name string, file []byte) (*http.Response, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(file)
	}
	mw.Close()
	res, err := c.http.Post(c.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// importUser adds a user with grants and signs them in.
func (st *site) importUser(t *testing.T, email string, grants []domain.Grant) *client {
	t.Helper()
	u := &domain.User{Email: email, Name: email, Locale: "zh-CN", Password: testPassword, Grants: grants}
	if err := st.Store.Users.Create(context.Background(), domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	c := st.client(t)
	if res := c.signIn(email, testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return c
}

// TestImportLedgerThroughThePages walks every step of the import as the
// pages' handlers answer it, on both databases: a batch is created (a
// missing name shown again), a ledger uploaded (an .xls refused with the
// engine's reason), its columns pointed to fields on the grid, the preview
// showing the refused row with its sheet, row and column and the unknown
// unit with the closest units, the name mapped to a unit (the alias kept),
// the mapping saved, the import applied and the upload gone. A viewer may
// take none of the steps, a liaison may not create a batch, save a
// mapping, resolve a unit name nor open another user's upload, and a form
// without the CSRF token is refused.
func TestImportLedgerThroughThePages(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, _ := st.workingGroup(t)
		drc := st.orgID(t, "成都市发展和改革委员会")
		culture := st.orgID(t, "成都市文化广电旅游局")
		o, _ := st.Store.Organizations.Get(ctx, drc)
		o.Aliases = append(o.Aliases, "成都市发改委")
		if err := st.Store.Organizations.Update(ctx, domain.Actor{}, o); err != nil {
			t.Fatal(err)
		}
		c := st.client(t)
		c.signIn(st.User.Email, testPassword)

		// A batch.
		_, form := c.get(fmt.Sprintf("/batches/new?mechanism=%d", m.ID))
		csrf := c.csrf(form)
		newBatch := url.Values{"csrf": {csrf}, "mechanism": {fmt.Sprint(m.ID)}, "year": {"2026"}, "declared_count": {"2"}}
		if res, body := c.post("/batches/new", newBatch); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="b-name-err"`) || !strings.Contains(body, `value="2026"`) {
			t.Fatalf("a batch without a name: %d, not shown again with the reason", res.StatusCode)
		}
		meetings, _ := st.Store.Meetings.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "工作组第二次会议"}})
		if len(meetings.Items) != 1 || !strings.Contains(form, fmt.Sprintf(`<option value="%d">`, meetings.Items[0].ID)) {
			t.Fatal("the batch form does not offer the working group's meeting no. 2")
		}
		newBatch.Set("meeting", fmt.Sprint(meetings.Items[0].ID))
		newBatch.Set("name", "2026年合作事项")
		res, _ := c.post("/batches/new", newBatch)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/items?batch=") {
			t.Fatalf("create a batch: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		page, _ := st.Store.Batches.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "2026年合作事项"}})
		if len(page.Items) != 1 || page.Items[0].Year != 2026 || page.Items[0].DeclaredCount != 2 || page.Items[0].MeetingID != meetings.Items[0].ID {
			t.Fatalf("stored batch %+v", page.Items)
		}
		batch := page.Items[0]
		if _, list := c.get(res.Header.Get("Location")); !strings.Contains(list, fmt.Sprintf(`href="/imports/new?batch=%d"`, batch.ID)) {
			t.Fatal("the batch's items do not offer the import")
		}

		// Upload: an .xls is refused with the engine's reason; the ledger is kept.
		fields := map[string]string{"csrf": csrf, "batch": fmt.Sprint(batch.ID)}
		if res, body := c.upload(fields, "旧台账.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), ".xlsx") {
			t.Fatalf("an .xls: %d, the reason is not shown", res.StatusCode)
		}
		if res, _ := c.upload(map[string]string{"batch": fmt.Sprint(batch.ID)}, "台账.xlsx", importLedgerXLSX(t)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an upload without the CSRF token: %d, want 403", res.StatusCode)
		}
		if res, body := c.upload(fields, "大台账.csv", bytes.Repeat([]byte("编号,项目名称\n"), 600_000)); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "10 MB") {
			t.Errorf("a file over 10 MB: %d, not said to be too large", res.StatusCode)
		}
		res, _ = c.upload(fields, "推进台账.xlsx", importLedgerXLSX(t))
		step := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/imports/\d+$`).MatchString(step) {
			t.Fatalf("upload: %d %s", res.StatusCode, step)
		}

		// The grid, then the columns pointed to fields.
		_, grid := c.get(step)
		if !strings.Contains(grid, `id="sheet-grid"`) || !strings.Contains(grid, "<th scope=\"col\">H</th>") || !strings.Contains(grid, "成都市文旅局") {
			t.Fatal("the mapping step does not show the sheet's rows and column letters")
		}
		_, grid = c.get(step + "?" + importLayoutQuery.Encode())
		for _, want := range []string{"牵头单位 › 成都", "进度安排 › 四季度"} {
			if !strings.Contains(html.UnescapeString(grid), want) {
				t.Errorf("the grid does not show the header path %s", want)
			}
		}
		if !regexp.MustCompile(`name="c6">.*?<option value="schedule.q2" selected>`).MatchString(grid) {
			t.Error("column G is not shown pointed to the second quarter")
		}

		// Preview: the row naming 成都市文旅局 is refused, with where and why.
		_, preview := c.get(step + "/preview?" + importLayoutQuery.Encode())
		text := html.UnescapeString(preview)
		for _, want := range []string{"重点事项!5", "D (牵头单位 › 成都)", "成都市文旅局", `id="unresolved"`, "成都市文化广电旅游局", `id="cannot-apply"`} {
			if !strings.Contains(text, want) {
				t.Errorf("the preview does not show %q", want)
			}
		}
		if strings.Contains(preview, `id="apply"`) {
			t.Error("the preview offers to apply while a row is refused")
		}
		q := importLayoutQuery.Encode()

		// A viewer and a liaison.
		viewer := st.importUser(t, "import-viewer@example.gov.cn", []domain.Grant{{Role: domain.Viewer}})
		_, vpage := viewer.get("/")
		for path, code := range map[string]int{"/imports/new": http.StatusForbidden, "/batches/new": http.StatusForbidden, step: http.StatusNotFound} {
			if res, _ := viewer.get(path); res.StatusCode != code {
				t.Errorf("a viewer opening %s: %d, want %d", path, res.StatusCode, code)
			}
		}
		if res, _ := viewer.upload(map[string]string{"csrf": viewer.csrf(vpage), "batch": fmt.Sprint(batch.ID)}, "台账.xlsx", importLedgerXLSX(t)); res.StatusCode != http.StatusForbidden {
			t.Errorf("a viewer uploading: %d, want 403", res.StatusCode)
		}
		liaison := st.importUser(t, "import-liaison@example.gov.cn", []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: drc}})
		_, lpage := liaison.get("/")
		lcsrf := liaison.csrf(lpage)
		if res, _ := liaison.get("/batches/new"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a liaison opening the batch form: %d, want 403", res.StatusCode)
		}
		if res, _ := liaison.post("/batches/new", url.Values{"csrf": {lcsrf}, "mechanism": {fmt.Sprint(m.ID)}, "name": {"越权批次"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a liaison creating a batch: %d, want 403", res.StatusCode)
		}
		if res, _ := liaison.get(step); res.StatusCode != http.StatusNotFound {
			t.Errorf("a liaison opening another user's upload: %d, want 404", res.StatusCode)
		}
		res, _ = liaison.upload(map[string]string{"csrf": lcsrf, "batch": fmt.Sprint(batch.ID)}, "台账.xlsx", importLedgerXLSX(t))
		lstep := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a liaison uploading: %d", res.StatusCode)
		}
		if _, body := liaison.get(lstep + "/preview?" + q); strings.Contains(body, `id="alias-0"`) || !strings.Contains(body, "只有本机制的秘书处") {
			t.Error("a liaison is offered to resolve unit names")
		}
		if res, _ := liaison.post(lstep+"/units", url.Values{"csrf": {lcsrf}, "q": {q}, "action": {"alias"}, "name": {"成都市文旅局"}, "unit": {fmt.Sprint(culture)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a liaison adding an alias: %d, want 403", res.StatusCode)
		}
		if res, _ := liaison.post(lstep+"/mapping", url.Values{"csrf": {lcsrf}, "q": {q}, "name": {"越权"}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("a liaison saving a mapping: %d, want a refusal", res.StatusCode)
		}
		if res, _ := liaison.post(lstep+"/apply", url.Values{"csrf": {lcsrf}, "q": {q}}); res.StatusCode == http.StatusOK {
			t.Error("a liaison applied a ledger with a refused row")
		}
		if got, _ := st.Store.Organizations.Get(ctx, culture); len(got.Aliases) != 0 {
			t.Fatalf("refused users changed the unit: %v", got.Aliases)
		}

		// Resolve: 成都市文旅局 is 成都市文化广电旅游局, and stays so.
		if res, _ := c.post(step+"/units", url.Values{"q": {q}, "action": {"alias"}, "name": {"成都市文旅局"}, "unit": {fmt.Sprint(culture)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("resolving without the CSRF token: %d, want 403", res.StatusCode)
		}
		res, _ = c.post(step+"/units", url.Values{"csrf": {csrf}, "q": {q}, "action": {"alias"}, "name": {"成都市文旅局"}, "unit": {fmt.Sprint(culture)}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), step+"/preview?") {
			t.Fatalf("map the name to a unit: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if got, _ := st.Store.Organizations.Get(ctx, culture); len(got.Aliases) != 1 || got.Aliases[0] != "成都市文旅局" {
			t.Fatalf("the alias was not kept: %v", got.Aliases)
		}
		_, preview = c.get(res.Header.Get("Location"))
		if !strings.Contains(preview, `id="apply"`) || strings.Contains(preview, `id="unresolved"`) || !strings.Contains(preview, `<dd id="count-added">2</dd>`) {
			t.Fatal("after resolving, the preview does not offer to add the two items")
		}

		// Save the mapping, then apply.
		if res, _ := c.post(step+"/mapping", url.Values{"csrf": {csrf}, "q": {q}, "name": {"推进台账（两行表头）"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the mapping: %d", res.StatusCode)
		}
		maps, _ := st.Store.ColumnMappings().List(ctx, domain.ListQuery{Filters: map[string]string{"mechanism": fmt.Sprint(m.ID)}})
		if len(maps.Items) != 1 || maps.Items[0].Columns["进度安排 › 二季度"] != "schedule.q2" || maps.Items[0].Columns["牵头单位 › 重庆"] != "lead" ||
			len(maps.Items[0].HeaderRows) != 2 {
			t.Fatalf("stored mapping %+v", maps.Items)
		}
		res, done := c.post(step+"/apply", url.Values{"csrf": {csrf}, "q": {q}})
		if res.StatusCode != http.StatusOK || !strings.Contains(done, fmt.Sprintf(`href="/items?batch=%d"`, batch.ID)) {
			t.Fatalf("apply: %d", res.StatusCode)
		}
		items, _ := st.Store.Items.List(ctx, domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(batch.ID)}, Sort: "number"})
		if len(items.Items) != 2 {
			t.Fatalf("%d items in the batch, want 2", len(items.Items))
		}
		j1 := items.Items[0]
		// The units in the file's order: the two leads, then the
		// cooperating units as the cell lists them.
		want := []int64{drc, st.orgID(t, "重庆市交通运输主管部门"), st.orgID(t, "成都市交通运输局"), st.orgID(t, "重庆市发展和改革委员会")}
		var got []int64
		for _, p := range j1.Parties {
			got = append(got, p.OrganizationID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || j1.Schedule.Q2 != "开工建设" || j1.Schedule.Q4 != "通车运营" || j1.Title != "成渝城际快线" {
			t.Fatalf("J1: parties %v (want %v), schedule %+v", got, want, j1.Schedule)
		}
		if res, _ := c.get(step); res.StatusCode != http.StatusNotFound {
			t.Errorf("the upload is still there after the import: %d", res.StatusCode)
		}

		// The next ledger of that layout starts from the saved mapping.
		res, _ = c.upload(fields, "推进台账（二）.xlsx", importLedgerXLSX(t))
		if _, again := c.get(res.Header.Get("Location")); !strings.Contains(again, `id="started-from"`) ||
			!regexp.MustCompile(`name="c4">.*?<option value="lead" selected>`).MatchString(again) || !strings.Contains(again, `name="header_first" type="number" min="1" max="100" value="2"`) {
			t.Error("a second ledger of the layout does not start from the saved mapping")
		}

		// A CSV saved by Excel on a Chinese Windows (GBK) naming a unit that
		// does not exist yet: the unit is created from the preview, refused
		// first without its jurisdiction.
		gbk, _ := simplifiedchinese.GBK.NewEncoder().String("编号,项目名称,牵头单位,二季度\nJ3,数据共享平台,成都市数据局、重庆市发展和改革委员会,上线\n")
		res, _ = c.upload(fields, "数据台账.csv", []byte(gbk))
		csvStep := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload a GBK CSV: %d", res.StatusCode)
		}
		cq := url.Values{"set": {"1"}, "c0": {"number"}, "c1": {"title"}, "c2": {"lead"}, "c3": {"schedule.q2"}}.Encode()
		if _, body := c.get(csvStep + "/preview?" + cq); !strings.Contains(body, "成都市数据局") || !strings.Contains(body, `id="create-0"`) {
			t.Fatal("the CSV's unknown unit is not offered to be created")
		}
		create := url.Values{"csrf": {csrf}, "q": {cq}, "action": {"create"}, "name": {"成都市数据局"}, "kind": {"department"}}
		if res, body := c.post(csvStep+"/units", create); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "jurisdiction_id") {
			t.Fatalf("creating a unit without its jurisdiction: %d, the field is not named", res.StatusCode)
		}
		create.Set("jurisdiction", fmt.Sprint(st.jurisdictionID(t, "成都市")))
		if res, _ := c.post(csvStep+"/units", create); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create the unit: %d", res.StatusCode)
		}
		if _, body := c.get(csvStep + "/preview?" + cq); !strings.Contains(body, `<dd id="count-added">1</dd>`) || !strings.Contains(body, `id="apply"`) {
			t.Fatal("after creating the unit the CSV's row is not ready to add")
		}
	})
}

// TestSecretariatResolvesUnitNamesInThePages: the working group's
// secretariat, not an administrator, is offered to map an unknown name of
// its ledger to a unit and does; the alias is kept for the next ledger.
func TestSecretariatResolvesUnitNamesInThePages(t *testing.T) {
	st := mustStartSite(t)
	ctx := context.Background()
	m, first := st.workingGroup(t)
	culture := st.orgID(t, "成都市文化广电旅游局")
	c := st.importUser(t, "secretariat@example.gov.cn", []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: m.ID}})
	_, form := c.get(fmt.Sprintf("/imports/new?batch=%d", first.ID))
	csrf := c.csrf(form)
	res, _ := c.upload(map[string]string{"csrf": csrf, "batch": fmt.Sprint(first.ID)}, "台账.xlsx", importLedgerXLSX(t))
	step := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the secretariat uploads: %d", res.StatusCode)
	}
	q := importLayoutQuery.Encode()
	if _, body := c.get(step + "/preview?" + q); !strings.Contains(body, `id="alias-unit-0"`) {
		t.Fatal("the secretariat is not offered to map the unknown name")
	}
	res, _ = c.post(step+"/units", url.Values{"csrf": {csrf}, "q": {q}, "action": {"alias"}, "name": {"成都市文旅局"}, "unit": {fmt.Sprint(culture)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the secretariat maps the name: %d", res.StatusCode)
	}
	if o, _ := st.Store.Organizations.Get(ctx, culture); !slices.Contains(o.Aliases, "成都市文旅局") {
		t.Errorf("the alias is not kept: %v", o.Aliases)
	}
}
