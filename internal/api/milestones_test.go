package api_test

import (
	"fmt"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestMilestonesFromSchedule: the API derives a milestone per quarter of
// the schedule with a text, once; on a two-side item one side's request
// waits for the other, as any change of milestones does.
func TestMilestonesFromSchedule(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		chengdu := c.as(w.tokens["liaison"]) // acts for 温江区人民政府 (A)
		schedule := domain.Schedule{Q1: "完成立项", Q3: "主体开工"}
		own := must(t, s.Items, &domain.Item{MechanismID: w.mech.ID, Title: "成都一方事项", Status: domain.Advancing, Schedule: schedule,
			StartOn: domain.MustDate("2024-01-01"), EndOn: domain.MustDate("2024-12-31"),
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.a.ID, Role: domain.LeadUnit}}})
		path := fmt.Sprintf("/api/v1/items/%d/milestones/from-schedule", own.ID)

		wantProblem(t, chengdu.do(t, "POST", path, map[string]any{}), "version", 428)
		r := chengdu.do(t, "POST", path, map[string]any{"version": own.Version})
		wantStatus(t, r, 200)
		ms := r.json(t)["milestones"].([]any)
		if len(ms) != 2 || fmt.Sprintf("%v %v %v", ms[0].(map[string]any)["title"], ms[0].(map[string]any)["due_on"], ms[1].(map[string]any)["due_on"]) != "完成立项 2024-03-31 2024-09-30" {
			t.Fatalf("milestones %v", ms)
		}
		wantProblem(t, chengdu.do(t, "POST", path, map[string]any{}, "If-Match", fmt.Sprintf(`"%d"`, own.Version+1)), "schedule", 422)

		joint := must(t, s.Items, &domain.Item{MechanismID: w.mech.ID, Title: "两方事项", Status: domain.Advancing, Schedule: schedule,
			StartOn: domain.MustDate("2024-01-01"), EndOn: domain.MustDate("2024-12-31"),
			Parties: []domain.Party{{Side: "chengdu", OrganizationID: w.a.ID, Role: domain.LeadUnit}, {Side: "chongqing", OrganizationID: w.c.ID, Role: domain.CooperatingUnit}}})
		r = chengdu.do(t, "POST", fmt.Sprintf("/api/v1/items/%d/milestones/from-schedule", joint.ID), map[string]any{"version": joint.Version})
		wantStatus(t, r, 200)
		if len(r.json(t)["milestones"].([]any)) != 0 {
			t.Fatalf("one side added milestones to a two-side item alone: %s", r.body)
		}
		heldChange(t, r, "milestones")
	})
}
