package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

func init() {
	// The papers are files: the document's validator checks their media
	// type and takes their bodies as they are.
	for _, mt := range []string{"text/html", "text/markdown", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.FileBodyDecoder)
	}
}

func TestCycleOnTheDemo(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, s)
		group := only(t, s.Mechanisms, map[string]string{"q": "成渝双核联动工作组"})
		meeting := only(t, s.Meetings, map[string]string{"q": "成渝双核联动工作组第二次会议"})
		first := only(t, s.Batches, map[string]string{"q": "第一批"})

		t.Run("MeetingPackInEveryFormat", func(t *testing.T) {
			for ext, want := range map[string]string{"html": "text/html", "md": "text/markdown", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"} {
				r := c.do(t, "GET", fmt.Sprintf("/api/v1/meetings/%d/pack.%s", meeting.ID, ext), nil)
				wantStatus(t, r, 200)
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
					t.Errorf("%s: Content-Type %q", ext, ct)
				}
				if ext == "pdf" && !strings.HasPrefix(string(r.body), "%PDF") {
					t.Error("pack.pdf is no PDF")
				}
				if ext == "md" && !strings.Contains(string(r.body), "新签署结对合作协议2项") {
					t.Errorf("the Markdown pack does not state the pairings signed since meeting no. 1:\n%s", r.body)
				}
			}
			wantStatus(t, c.do(t, "GET", "/api/v1/meetings/999999/pack.md", nil), 404)
		})

		t.Run("AnnualReportNeedsAYear", func(t *testing.T) {
			r := c.do(t, "GET", fmt.Sprintf("/api/v1/batches/%d/annual-report.md?year=2024", first.ID), nil)
			wantStatus(t, r, 200)
			if !strings.Contains(string(r.body), "系统已录入6个") {
				t.Errorf("annual report:\n%s", r.body)
			}
			wantProblem(t, c.do(t, "GET", fmt.Sprintf("/api/v1/batches/%d/annual-report.md", first.ID), nil), "year", 422)
		})

		t.Run("CurrentPeriod", func(t *testing.T) {
			r := c.do(t, "GET", fmt.Sprintf("/api/v1/mechanisms/%d/periods/current", group.ID), nil)
			wantStatus(t, r, 200)
			m := r.json(t)
			if p := m["period"].(map[string]any)["key"]; p != "2024-11" {
				t.Errorf("period %v, want 2024-11 (the fixed clock's month in Asia/Shanghai)", p)
			}
			// The four pairing items have a lead on each side; the first
			// batch's six name none.
			if m["expected"].(float64) != 6 || m["pending"].(float64) != 6 {
				t.Errorf("expected %v pending %v, want 6 and 6", m["expected"], m["pending"])
			}
			wantProblem(t, c.do(t, "GET", fmt.Sprintf("/api/v1/mechanisms/%d/periods/current?period=2024-13", group.ID), nil), "period", 422)
		})

		t.Run("RecomputeLights", func(t *testing.T) {
			r := c.do(t, "POST", fmt.Sprintf("/api/v1/mechanisms/%d/lights", group.ID), nil)
			wantStatus(t, r, 200)
			items := r.json(t)["items"].([]any)
			if len(items) == 0 || !strings.Contains(items[0].(map[string]any)["reason"].(string), "未评定") {
				t.Errorf("lights: %s", r.body)
			}
		})

		t.Run("EscalateOntoTheNextMeeting", func(t *testing.T) {
			p := &domain.Problem{MechanismID: group.ID, Title: "跨市审批标准不一", Tier: domain.Execution, Status: domain.ProblemOpen}
			if err := s.Problems.Create(ctx, domain.Actor{}, p); err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/api/v1/problems/%d/escalate", p.ID)
			wantProblem(t, c.do(t, "POST", path, map[string]any{"note": "提请联建会议研究"}), "version", 428)
			r := c.do(t, "POST", path, map[string]any{"version": p.Version, "note": "提请联建会议研究"})
			wantStatus(t, r, 200)
			m := r.json(t)
			if tier := m["problem"].(map[string]any)["tier"]; tier != "coordination" {
				t.Errorf("tier %v", tier)
			}
			// The working group sits at the coordination tier itself
			// (FACTS.md) and has no meeting after the fixed clock's day.
			if mech, ok := m["mechanism"].(map[string]any); !ok || mech["name"] != "成渝双核联动工作组" || m["meeting"] != nil {
				t.Errorf("first step: %s", r.body)
			}
			wantStatus(t, c.do(t, "POST", path, map[string]any{"version": p.Version}), 409)
			wantProblem(t, c.do(t, "POST", path, map[string]any{"version": p.Version + 1}, "If-Match", `"1"`), "version", 412)
			// One step more reaches the provinces' joint meeting, whose
			// tenth session (30 December 2024) is the next one.
			r = c.do(t, "POST", path, map[string]any{"version": p.Version + 1, "note": "提请党政联席会议研究"})
			wantStatus(t, r, 200)
			m = r.json(t)
			if tier := m["problem"].(map[string]any)["tier"]; tier != "decision" {
				t.Errorf("tier %v", tier)
			}
			if mt, ok := m["meeting"].(map[string]any); !ok || mt["title"] != "重庆四川党政联席会议第十次会议" {
				t.Errorf("meeting: %s", r.body)
			}
		})

		t.Run("OverdueProblems", func(t *testing.T) {
			r := c.do(t, "GET", fmt.Sprintf("/api/v1/mechanisms/%d/problems/overdue", group.ID), nil)
			wantStatus(t, r, 200)
		})
	})
}

func only[T any, P interface {
	*T
	domain.Entity
}](t *testing.T, rs *store.Records[T, P], filters map[string]string) P {
	t.Helper()
	vs, err := store.All(context.Background(), rs, filters, false)
	if err != nil || len(vs) != 1 {
		t.Fatalf("want one record for %v: %v, %d", filters, err, len(vs))
	}
	return vs[0]
}

// TestPackPDFUnavailableOverTheAPI: without Chromium, pack.pdf answers 503
// with the reason and its code, not a bare failure.
func TestPackPDFUnavailableOverTheAPI(t *testing.T) {
	t.Setenv("LIANDONG_CHROMIUM", "/nonexistent/chromium")
	s := storetest.MustOpenSQLite(t)
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s)
	meeting := only(t, s.Meetings, map[string]string{"q": "成渝双核联动工作组第二次会议"})
	r := c.do(t, "GET", fmt.Sprintf("/api/v1/meetings/%d/pack.pdf", meeting.ID), nil)
	wantStatus(t, r, 503)
	if p := r.json(t); p["detail_code"] != "pdf_unavailable" || !strings.Contains(fmt.Sprint(p["detail"]), "Chromium") {
		t.Errorf("503 without the reason: %s", r.body)
	}
}
