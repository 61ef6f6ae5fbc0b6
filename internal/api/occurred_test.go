package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// lastEvent reads the newest audit event of a record through the API.
func lastEvent(t *testing.T, c *client, path string) map[string]any {
	t.Helper()
	h := c.do(t, "GET", path+"/history", nil)
	wantStatus(t, h, http.StatusOK)
	events := h.json(t)["items"].([]any)
	return events[len(events)-1].(map[string]any)
}

// TestOccurredOn: a write states the day its change happened, in the body
// or the query; the history returns it beside the day it was recorded, and
// a day that is no date or lies after today is refused naming occurred_on.
func TestOccurredOn(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		f := newFixture(t, s)
		item := fmt.Sprintf("/api/v1/items/%d", f.item.ID)

		t.Run("PatchBodyStatesTheDay", func(t *testing.T) {
			r := c.do(t, "PATCH", item, map[string]any{"version": 1, "title": "成渝中线高铁（成都段）", "occurred_on": "2022-09"})
			wantStatus(t, r, http.StatusOK)
			if _, kept := r.json(t)["occurred_on"]; kept {
				t.Error("occurred_on was stored on the item")
			}
			ev := lastEvent(t, c, item)
			if ev["occurred_on"] != "2022-09-01" || ev["occurred_precision"] != "month" {
				t.Fatalf("event %v, want occurred_on 2022-09-01 (month)", ev)
			}
			if at, _ := ev["at"].(string); at[:4] != fmt.Sprint(storetest.Start.Year()) {
				t.Errorf("recorded at %v, want the day it was entered", ev["at"])
			}
		})

		t.Run("QueryStatesTheDay", func(t *testing.T) {
			agreement := fmt.Sprintf("/api/v1/agreements/%d", f.agreement.ID)
			r := c.do(t, "DELETE", agreement+"?version=1&occurred_on=2023-03-01", nil)
			wantStatus(t, r, http.StatusOK)
			if ev := lastEvent(t, c, agreement); ev["occurred_on"] != "2023-03-01" || ev["occurred_precision"] != "day" {
				t.Fatalf("event %v, want occurred_on 2023-03-01 (day)", ev)
			}
			r = c.do(t, "POST", agreement+"/restore?version=2", map[string]any{"occurred_on": "2023"})
			wantStatus(t, r, http.StatusOK)
			if ev := lastEvent(t, c, agreement); ev["occurred_on"] != "2023-01-01" || ev["occurred_precision"] != "year" {
				t.Fatalf("event %v, want occurred_on 2023-01-01 (year)", ev)
			}
		})

		t.Run("WithoutADayNoneIsRecorded", func(t *testing.T) {
			r := c.do(t, "PATCH", item, map[string]any{"version": 2, "title": "成渝中线高铁"})
			wantStatus(t, r, http.StatusOK)
			if ev := lastEvent(t, c, item); ev["occurred_on"] != nil || ev["occurred_precision"] != nil {
				t.Fatalf("event %v states a day it was not given", ev)
			}
		})

		t.Run("BadDaysRefused", func(t *testing.T) {
			for _, day := range []string{"2022-13", "2022-02-30", "22-09", "1899", "yesterday"} {
				wantProblem(t, c.do(t, "PATCH", item, map[string]any{"version": 3, "title": "x", "occurred_on": day}), "occurred_on", http.StatusUnprocessableEntity)
			}
			wantProblem(t, c.do(t, "DELETE", item+"?version=3&occurred_on=2022-9", nil), "occurred_on", http.StatusUnprocessableEntity)
			wantProblem(t, c.do(t, "PATCH", item, map[string]any{"version": 3, "title": "x", "occurred_on": 2022}), "occurred_on", http.StatusBadRequest)
			// The test clock reads 2024-11-25.
			wantProblem(t, c.do(t, "PATCH", item, map[string]any{"version": 3, "title": "x", "occurred_on": "2024-11-26"}), "occurred_on", http.StatusUnprocessableEntity)
			if got, _ := s.Items.Get(t.Context(), f.item.ID); got.Version != 3 {
				t.Fatalf("a refused write changed the item: version %d, want 3", got.Version)
			}
		})
	})
}
