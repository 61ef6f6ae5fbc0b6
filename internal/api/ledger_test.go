package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"

	"github.com/liandong/liandong/internal/api"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func init() {
	openapi3filter.RegisterBodyDecoder(xlsxType, openapi3filter.FileBodyDecoder)
}

func setCells(t *testing.T, file []byte, cells map[string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for c, v := range cells {
		f.SetCellStr(ledger.SheetName, c, v)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLedgerRoundTripOverHTTP(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		base := fmt.Sprintf("/api/v1/batches/%d/ledger", f.batch.ID)
		res := c.do(t, "GET", base+".xlsx", nil)
		wantStatus(t, res, 200)
		if ct := res.header.Get("Content-Type"); ct != xlsxType {
			t.Fatalf("Content-Type %q", ct)
		}
		// Completing an item with lead units on two sides, or changing its
		// targets (the schedule), waits for their confirmation; pausing it
		// or rewriting its content does not.
		edited := setCells(t, res.body, map[string]string{"J2": "已暂停", "C2": "完成初步设计并报批"})
		res = c.do(t, "POST", base+"/preview", edited, "Content-Type", xlsxType)
		wantStatus(t, res, 200)
		var p ledger.Preview
		json.Unmarshal(res.body, &p)
		if p.Changed != 1 || len(p.Changes[0].Fields) != 2 || p.Applied {
			t.Fatalf("preview %s", res.body)
		}
		for _, fc := range p.Changes[0].Fields {
			if fc.Note != "" {
				t.Errorf("pausing and the content need no one's confirmation, yet %s notes %q", fc.Field, fc.Note)
			}
		}
		res = c.do(t, "POST", base+"/import", edited, "Content-Type", xlsxType)
		wantStatus(t, res, 200)
		got, _ := s.Items.Get(context.Background(), f.item.ID)
		if got.Status != domain.Paused || got.Content != "完成初步设计并报批" || got.Version != f.item.Version+1 {
			t.Fatalf("item after import: %s %q v%d", got.Status, got.Content, got.Version)
		}
		res = c.do(t, "POST", base+"/import", edited, "Content-Type", xlsxType)
		json.Unmarshal(res.body, &p)
		if res.status != 200 || p.Changed != 0 {
			t.Fatalf("second import: %d %s", res.status, res.body)
		}
		// Completion is held for both sides; importing it again adds nothing.
		res = c.do(t, "GET", base+".xlsx", nil)
		done := setCells(t, res.body, map[string]string{"J2": "已完成", "D2": "完成初步设计"})
		res = c.do(t, "POST", base+"/import", done, "Content-Type", xlsxType)
		json.Unmarshal(res.body, &p)
		if res.status != 200 || p.Changed != 1 || len(p.Changes[0].Fields) != 2 {
			t.Fatalf("completing import: %d %s", res.status, res.body)
		}
		for _, fc := range p.Changes[0].Fields {
			if !strings.Contains(fc.Note, "to confirm") {
				t.Errorf("%s is not noted as waiting for confirmation: %q", fc.Field, fc.Note)
			}
		}
		got, _ = s.Items.Get(context.Background(), f.item.ID)
		if got.Status != domain.Paused || got.Schedule.Q1 != "" || len(got.Pending) != 1 || fmt.Sprint(got.Pending[0].Fields) != "[targets status]" {
			t.Fatalf("completion and schedule not held: %s %+v, pending %+v", got.Status, got.Schedule, got.Pending)
		}
		res = c.do(t, "POST", base+"/import", done, "Content-Type", xlsxType)
		json.Unmarshal(res.body, &p)
		if res.status != 200 || p.Changed != 0 {
			t.Fatalf("completing import again: %d %s", res.status, res.body)
		}
		if again, _ := s.Items.Get(context.Background(), f.item.ID); len(again.Pending) != 1 {
			t.Fatalf("%d pending changes after importing twice", len(again.Pending))
		}
		// One bad row: nothing imported, the problem names sheet, row and column.
		res = c.do(t, "GET", base+".xlsx", nil)
		bad := setCells(t, res.body, map[string]string{"J2": "完成了吧", "C2": "改了内容"})
		res = c.do(t, "POST", base+"/import", bad, "Content-Type", xlsxType)
		wantProblem(t, res, "台账!2 J (状态)", 422)
		if again, _ := s.Items.Get(context.Background(), f.item.ID); again.Version != got.Version {
			t.Fatal("a refused ledger changed the item")
		}
	})
}

func TestLedgerCSVMultipartAndMapping(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	c := newClient(t, s)
	f := newFixture(t, s)
	base := fmt.Sprintf("/api/v1/batches/%d/ledger", f.batch.ID)
	res := c.do(t, "GET", base+".csv?unit="+fmt.Sprint(f.cdDRC.ID), nil)
	wantStatus(t, res, 200)
	if !strings.Contains(string(res.body), "成渝中线高铁") || !strings.Contains(string(res.body), "成都：成都市发展和改革委员会") {
		t.Fatalf("csv %s", res.body)
	}
	res = c.do(t, "POST", "/api/v1/column-mappings", map[string]any{"mechanism_id": f.mech.ID, "name": "外部台账",
		"columns": map[string]string{"事项": "title", "进度状态": "status"}})
	wantStatus(t, res, 201)
	mapping := res.json(t)["id"]
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "外部台账.csv")
	io.WriteString(part, "事项,进度状态,备注\r\n成渝中线高铁,已暂停,等待批复\r\n")
	mw.Close()
	res = c.do(t, "POST", fmt.Sprintf("%s/preview?mapping=%v", base, mapping), body.Bytes(), "Content-Type", mw.FormDataContentType())
	wantStatus(t, res, 200)
	var p ledger.Preview
	json.Unmarshal(res.body, &p)
	if p.Changed != 1 || p.Changes[0].Fields[0].To != "已暂停" || len(p.Ignored) != 1 {
		t.Fatalf("preview %s", res.body)
	}
}

func TestLedgerUploadLimits(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	c := newClient(t, s)
	f := newFixture(t, s)
	a := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/batches/%d/ledger/import", f.batch.ID), bytes.NewReader(make([]byte, 50<<20)))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", xlsxType)
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "10 MB") {
		t.Fatalf("50 MB upload: %d %s", rec.Code, rec.Body)
	}
}

func TestChannelsAndDeliveries(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	c := newClient(t, s)
	f := newFixture(t, s)
	res := c.do(t, "POST", "/api/v1/notification-channels", map[string]any{"mechanism_id": f.mech.ID, "name": "秘书处", "kind": "webhook",
		"target": "https://example.org/hook", "secret": "s3cret"})
	wantStatus(t, res, 201)
	if strings.Contains(string(res.body), "s3cret") {
		t.Fatalf("the secret was sent back: %s", res.body)
	}
	id := res.json(t)["id"]
	res = c.do(t, "PATCH", fmt.Sprintf("/api/v1/notification-channels/%v", id), map[string]any{"version": 1, "name": "秘书处回调"})
	wantStatus(t, res, 200)
	stored, _ := s.NotificationChannels().Get(context.Background(), int64(res.json(t)["id"].(float64)))
	if stored.Secret != "s3cret" {
		t.Fatalf("an update without a secret lost it: %q", stored.Secret)
	}
	res = c.do(t, "POST", "/api/v1/notification-channels", map[string]any{"mechanism_id": f.mech.ID, "name": "坏的", "kind": "smtp", "target": "not an address"})
	wantProblem(t, res, "target", 422)
	s.LogDelivery(context.Background(), &domain.Delivery{MechanismID: f.mech.ID, ChannelID: stored.ID, ReminderKey: "k", Subject: "请报送", Status: domain.Failed, Attempt: 1, Error: "the receiver answered 500"})
	res = c.do(t, "GET", fmt.Sprintf("/api/v1/deliveries?mechanism=%d&status=failed", f.mech.ID), nil)
	wantStatus(t, res, 200)
	if items := res.json(t)["items"].([]any); len(items) != 1 {
		t.Fatalf("deliveries %s", res.body)
	}
	res = c.do(t, "GET", "/api/v1/deliveries?colour=red", nil)
	wantProblem(t, res, "colour", 400)
}

// TestLedgerKeepsToWhatTheActorMay: a liaison's ledger holds the items its
// unit takes part in, and a row it may not change refuses the whole file.
func TestLedgerKeepsToWhatTheActorMay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		b := must(t, s.Batches, &domain.Batch{MechanismID: w.mech.ID, Name: "第一批"})
		for _, it := range w.items {
			it.BatchID = b.ID
			if err := s.Items.Update(ctx, domain.Actor{}, it); err != nil {
				t.Fatal(err)
			}
		}
		base := fmt.Sprintf("/api/v1/batches/%d/ledger", b.ID)
		liaison, secretariat := c.as(w.tokens["liaison"]), c.as(w.tokens["secretariat"])
		mine := liaison.do(t, "GET", base+".xlsx", nil)
		wantStatus(t, mine, 200)
		all := secretariat.do(t, "GET", base+".xlsx", nil)
		wantStatus(t, all, 200)
		rows := func(file []byte) [][]string {
			f, err := excelize.OpenReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, _ := f.GetRows(ledger.SheetName)
			return r[1:]
		}
		if got := rows(mine.body); len(got) != 1 || got[0][1] != "事项 own" {
			t.Fatalf("the liaison's ledger: %v", got)
		}
		if got := rows(all.body); len(got) != 4 {
			t.Fatalf("the secretariat's ledger has %d rows, want 4", len(got))
		}
		// The liaison edits every row of the secretariat's ledger.
		edits := map[string]string{}
		for i := range rows(all.body) {
			edits[fmt.Sprintf("C%d", i+2)] = "联络员改的内容"
		}
		res := liaison.do(t, "POST", base+"/import", setCells(t, all.body, edits), "Content-Type", xlsxType)
		wantStatus(t, res, 422)
		var p api.ProblemDetails
		json.Unmarshal(res.body, &p)
		if len(p.Errors) != 3 {
			t.Fatalf("errors %v, want the three rows of items the liaison may not change", p.Errors)
		}
		if got, _ := s.Items.Get(ctx, w.items["own"].ID); got.Content == "联络员改的内容" {
			t.Fatal("a refused ledger changed the liaison's own item")
		}
		res = liaison.do(t, "POST", base+"/import", setCells(t, mine.body, map[string]string{"C2": "联络员改的内容"}), "Content-Type", xlsxType)
		wantStatus(t, res, 200)
		if got, _ := s.Items.Get(ctx, w.items["own"].ID); got.Content != "联络员改的内容" {
			t.Fatalf("content %q after the liaison's import", got.Content)
		}
	})
}

// TestLedgerLayoutOverHTTP: a column mapping states a layout (two header
// rows, a merged 进度安排 over its quarters); the preview lists a unit name
// it cannot resolve with the closest unit; once the unit has the name as an
// alias the ledger imports as an addition, and a second import changes
// nothing.
func TestLedgerLayoutOverHTTP(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		columns := map[string]string{"序号": "number", "项目名称": "title", "牵头单位": "lead", "进度安排 › 二季度": "schedule.q2"}
		res := c.do(t, "POST", "/api/v1/column-mappings", map[string]any{"mechanism_id": f.mech.ID, "name": "两行表头", "header_rows": []int{3, 2}, "columns": columns})
		wantProblem(t, res, "header_rows", 422)
		res = c.do(t, "POST", "/api/v1/column-mappings", map[string]any{"mechanism_id": f.mech.ID, "name": "两行表头", "header_rows": []int{2, 3},
			"match_key": "number", "unit_separators": "、", "columns": columns})
		wantStatus(t, res, 201)
		mapping := res.json(t)
		if fmt.Sprint(mapping["header_rows"]) != "[2 3]" {
			t.Fatalf("mapping %s", res.body)
		}
		x := excelize.NewFile()
		for cell, v := range map[string]string{"A1": "推进表", "A2": "序号", "B2": "项目名称", "C2": "牵头单位", "D2": "进度安排", "D3": "一季度", "E3": "二季度",
			"A4": "9", "B4": "成渝氢走廊", "C4": "成都市发改委、重庆市发展和改革委员会", "D4": "立项", "E4": "开工", "A5": "注：本表按季度更新"} {
			x.SetCellStr("Sheet1", cell, v)
		}
		for _, m := range [][2]string{{"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "E2"}} {
			x.MergeCell("Sheet1", m[0], m[1])
		}
		buf, _ := x.WriteToBuffer()
		file := buf.Bytes()
		base := fmt.Sprintf("/api/v1/batches/%d/ledger", f.batch.ID)
		query := fmt.Sprintf("?mapping=%v", mapping["id"])
		res = c.do(t, "POST", base+"/preview"+query, file, "Content-Type", xlsxType)
		wantStatus(t, res, 200)
		var p ledger.Preview
		json.Unmarshal(res.body, &p)
		if len(p.Unresolved) != 1 || p.Unresolved[0].Name != "成都市发改委" || len(p.Unresolved[0].Suggestions) == 0 || p.Unresolved[0].Suggestions[0].ID != f.cdDRC.ID {
			t.Fatalf("preview %s", res.body)
		}
		res = c.do(t, "POST", base+"/import"+query, file, "Content-Type", xlsxType)
		wantProblem(t, res, "Sheet1!4 C (牵头单位)", 422)
		res = c.do(t, "PATCH", fmt.Sprintf("/api/v1/organizations/%d", f.cdDRC.ID), map[string]any{"version": f.cdDRC.Version, "aliases": []string{"成都市发改委"}})
		wantStatus(t, res, 200)
		res = c.do(t, "POST", base+"/import"+query, file, "Content-Type", xlsxType)
		wantStatus(t, res, 200)
		json.Unmarshal(res.body, &p)
		if p.Added != 1 || p.Rows != 1 || !p.Applied || p.Outcomes[0].Kind != ledger.RowAdded || p.Outcomes[0].ItemID == 0 || p.Changes[0].ItemID != p.Outcomes[0].ItemID {
			t.Fatalf("import %s", res.body)
		}
		page, _ := s.Items.List(context.Background(), domain.ListQuery{Filters: map[string]string{"batch": fmt.Sprint(f.batch.ID), "q": "氢走廊"}})
		if len(page.Items) != 1 {
			t.Fatalf("%d items added", len(page.Items))
		}
		it := page.Items[0]
		if it.Number != "9" || it.Schedule.Q1 != "立项" || it.Schedule.Q2 != "开工" || len(it.Parties) != 2 || it.Lead("chengdu") != f.cdDRC.ID || it.Lead("chongqing") != f.cqDRC.ID {
			t.Fatalf("item added %+v", it)
		}
		res = c.do(t, "POST", base+"/import"+query, file, "Content-Type", xlsxType)
		json.Unmarshal(res.body, &p)
		if res.status != 200 || p.Added != 0 || p.Unchanged != 1 || p.Applied {
			t.Fatalf("second import %d %s", res.status, res.body)
		}
	})
}
