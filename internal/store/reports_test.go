package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// secretariatOf returns an actor holding the secretariat of mechanism.
func secretariatOf(t *testing.T, s *store.Store, email string, mechanism int64) domain.Actor {
	t.Helper()
	u := &domain.User{Email: email, Name: email, Locale: "zh-CN",
		Grants: []domain.Grant{{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: mechanism}}}
	mustCreate(t, s.Users, u)
	return domain.ActorFor(u)
}

// reportWorld is the test world with one item led by 温江 and 巴南, and a
// liaison of each.
func reportWorld(t *testing.T, s *store.Store) (w *world, it *domain.Item, wj, bn domain.Actor) {
	t.Helper()
	w = newWorld(t, s)
	it = mustCreate(t, s.Items, w.item("生物医药产业高地", map[string]int64{"chengdu": w.wjGov.ID, "chongqing": w.bnGov.ID}, ""))
	return w, it, liaisonOf(t, s, "wj@example.org", w.wjGov.ID), liaisonOf(t, s, "bn@example.org", w.bnGov.ID)
}

// TestReportsHold: a report handed in is locked against plain writes (the
// bug: saving a draft after submitting rewrote the submitted text), is
// changed by an explicit correction with a reason, and is accepted or
// returned by the secretariat only.
func TestReportsHold(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w, it, wj, bn := reportWorld(t, s)
		sec := secretariatOf(t, s, "sec@example.org", w.mech.ID)
		submitted := func(t *testing.T, period string) *domain.Report {
			t.Helper()
			r := &domain.Report{ItemID: it.ID, OrganizationID: w.wjGov.ID, Period: period, Progress: "园区二期开工", NextSteps: "完成主体结构",
				Highlight: "两地共建首个医药中试平台", InvestmentDone: 1200, Percent: 40, Status: domain.Submitted}
			if err := s.Reports.Create(ctx, wj, r); err != nil {
				t.Fatal(err)
			}
			return r
		}

		t.Run("SavingDraftAfterSubmitChangesNothing", func(t *testing.T) {
			r := submitted(t, "2024-05")
			draft := *r
			draft.Progress, draft.Text, draft.Status = "改写", "改写", domain.Draft
			err := s.Reports.Update(ctx, wj, &draft)
			wantCode(t, err, domain.Conflict)
			wantField(t, err, "status")
			if !strings.Contains(err.Error(), "locked") {
				t.Fatalf("the refusal %q does not say the report is locked", err)
			}
			got, _ := s.Reports.Get(ctx, r.ID)
			if got.Progress != "园区二期开工" || got.Text != "园区二期开工" || got.Status != domain.Submitted || got.Version != r.Version {
				t.Fatalf("after the refused draft the report is %q %s v%d, want the submitted text unchanged", got.Progress, got.Status, got.Version)
			}
			// Neither may the secretariat edit it in place.
			again := *got
			again.Percent = 90
			wantCode(t, s.Reports.Update(ctx, sec, &again), domain.Conflict)
		})
		t.Run("CreatedOnlyAsDraftOrSubmitted", func(t *testing.T) {
			r := &domain.Report{ItemID: it.ID, OrganizationID: w.wjGov.ID, Period: "2024-01", Progress: "x", Status: domain.Accepted}
			err := s.Reports.Create(ctx, wj, r)
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "status")
		})
		t.Run("DraftStillEditable", func(t *testing.T) {
			r := &domain.Report{ItemID: it.ID, OrganizationID: w.wjGov.ID, Period: "2024-02", Text: "初稿", Status: domain.Draft}
			mustCreate(t, s.Reports, r)
			if r.Progress != "初稿" {
				t.Fatalf("text %q was not taken as the progress (%q)", r.Text, r.Progress)
			}
			r.Text, r.Status = "定稿", domain.Submitted // an old client writes text only
			if err := s.Reports.Update(ctx, wj, r); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Reports.Get(ctx, r.ID)
			if got.Progress != "定稿" || got.Status != domain.Submitted || got.SubmittedAt == nil {
				t.Fatalf("got %q %s", got.Progress, got.Status)
			}
		})
		t.Run("CorrectionIsANewVersionWithReason", func(t *testing.T) {
			r := submitted(t, "2024-06")
			want := &domain.Report{Progress: "园区二期主体封顶", NextSteps: "设备进场", Highlight: "提前一月", InvestmentDone: 1500, Percent: 55}
			_, err := s.CorrectReport(ctx, wj, r.ID, r.Version, want, " ")
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "reason")
			_, err = s.CorrectReport(ctx, bn, r.ID, r.Version, want, "数据有误")
			wantCode(t, err, domain.NotFound) // the other side's liaison does not see it
			_, err = s.CorrectReport(ctx, wj, r.ID, r.Version-1, want, "数据有误")
			wantCode(t, err, domain.Conflict)

			got, err := s.CorrectReport(ctx, wj, r.ID, r.Version, want, "投资额统计口径有误")
			if err != nil {
				t.Fatal(err)
			}
			if got.Progress != "园区二期主体封顶" || got.Text != got.Progress || got.InvestmentDone != 1500 || got.Percent != 55 || got.Version != r.Version+1 || got.Status != domain.Submitted {
				t.Fatalf("corrected report %+v", got)
			}
			if len(got.Corrections) != 1 || got.Corrections[0].Reason != "投资额统计口径有误" || got.Corrections[0].Version != got.Version || got.Corrections[0].By != wj.UserID || got.Corrections[0].At.IsZero() {
				t.Fatalf("corrections %+v", got.Corrections)
			}
			if acts := entityActions(t, s, "reports", r.ID); strings.Join(acts, ",") != "create,correct" {
				t.Fatalf("history %v, want create,correct", acts)
			}
			h, _ := s.History(ctx, "reports", r.ID)
			if !strings.Contains(h[1].Before, "园区二期开工") || !strings.Contains(h[1].After, "园区二期主体封顶") || !strings.Contains(h[1].After, "投资额统计口径有误") {
				t.Fatalf("the correcting event does not keep both texts and the reason: %+v", h[1])
			}
			if n, err := s.VerifyAudit(ctx); err != nil || n == 0 {
				t.Fatalf("VerifyAudit = %d, %v", n, err)
			}
		})
		t.Run("DraftIsNotCorrected", func(t *testing.T) {
			r := &domain.Report{ItemID: it.ID, OrganizationID: w.wjGov.ID, Period: "2024-03", Status: domain.Draft}
			mustCreate(t, s.Reports, r)
			_, err := s.CorrectReport(ctx, wj, r.ID, r.Version, &domain.Report{Progress: "x"}, "因为")
			wantCode(t, err, domain.Conflict)
		})
		t.Run("ReviewBySecretariatOnly", func(t *testing.T) {
			r := submitted(t, "2024-07")
			_, err := s.ReviewReport(ctx, wj, r.ID, r.Version, true, "")
			wantCode(t, err, domain.Forbidden) // its own unit's liaison
			_, err = s.ReviewReport(ctx, bn, r.ID, r.Version, false, "不行")
			wantCode(t, err, domain.NotFound) // the other side's liaison
			_, err = s.ReviewReport(ctx, sec, r.ID, r.Version, false, "")
			wantCode(t, err, domain.Invalid)
			wantField(t, err, "reason")

			got, err := s.ReviewReport(ctx, sec, r.ID, r.Version, false, "缺少投资完成数据")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != domain.Returned || got.ReviewNote != "缺少投资完成数据" || got.ReviewedBy != sec.UserID || got.ReviewedAt == nil {
				t.Fatalf("returned report %+v", got)
			}
			// A returned report is not accepted again before its unit corrects it.
			_, err = s.ReviewReport(ctx, sec, got.ID, got.Version, true, "")
			wantCode(t, err, domain.Conflict)
			// Nor is it edited in place by its unit: it corrects it.
			edit := *got
			edit.Progress = "补充"
			wantCode(t, s.Reports.Update(ctx, wj, &edit), domain.Conflict)
			fixed, err := s.CorrectReport(ctx, wj, got.ID, got.Version, &domain.Report{Progress: "补充了投资完成数据", InvestmentDone: 800}, "按退回意见补充")
			if err != nil {
				t.Fatal(err)
			}
			if fixed.Status != domain.Submitted || fixed.ReviewNote != "" {
				t.Fatalf("corrected after return: %s %q, want submitted awaiting review", fixed.Status, fixed.ReviewNote)
			}
			accepted, err := s.ReviewReport(ctx, sec, fixed.ID, fixed.Version, true, "")
			if err != nil {
				t.Fatal(err)
			}
			if accepted.Status != domain.Accepted {
				t.Fatalf("status %s, want accepted", accepted.Status)
			}
			if acts := entityActions(t, s, "reports", r.ID); strings.Join(acts, ",") != "create,return,correct,accept" {
				t.Fatalf("history %v", acts)
			}
			// Readers see reports past their draft: accepted and returned too.
			page, err := s.Reports.List(ctx, domain.ListQuery{Filters: map[string]string{"status": "accepted,returned", "item": fmt.Sprint(it.ID)}})
			if err != nil || len(page.Items) != 1 || page.Items[0].ID != r.ID {
				t.Fatalf("list of accepted or returned: %v, %v", page.Items, err)
			}
		})
	})
}

// TestReportAttachments: a photo or PDF is kept with its report, its type
// judged by its content; other files, oversized files and strangers are
// refused; only who may read the report reads it.
func TestReportAttachments(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w, it, wj, bn := reportWorld(t, s)
		r := &domain.Report{ItemID: it.ID, OrganizationID: w.wjGov.ID, Period: "2024-05", Progress: "开工", Status: domain.Submitted}
		mustCreate(t, s.Reports, r)
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 300)...)
		png[300] = 0xAB // the bytes must come back as they were: no text conversion
		a, err := s.AttachToReport(ctx, wj, r.ID, "工地照片.png", png)
		if err != nil {
			t.Fatal(err)
		}
		if a.ContentType != "image/png" || a.Size != int64(len(png)) {
			t.Fatalf("attachment %+v", a)
		}
		got, data, err := s.ReportAttachment(ctx, wj, r.ID, a.ID)
		if err != nil || string(data) != string(png) || got.Name != "工地照片.png" {
			t.Fatalf("read back %+v, %d bytes, %v", got, len(data), err)
		}
		_, _, err = s.ReportAttachment(ctx, bn, r.ID, a.ID)
		wantCode(t, err, domain.NotFound) // the other side may not read the report
		_, err = s.AttachToReport(ctx, bn, r.ID, "x.pdf", []byte("%PDF-1.7"))
		wantCode(t, err, domain.NotFound)

		_, err = s.AttachToReport(ctx, wj, r.ID, "伪装.png", []byte("<html><script>alert(1)</script>"))
		wantCode(t, err, domain.Invalid)
		wantField(t, err, "file")
		_, err = s.AttachToReport(ctx, wj, r.ID, "大.pdf", append([]byte("%PDF-1.7"), make([]byte, domain.MaxAttachmentBytes)...))
		wantCode(t, err, domain.TooLarge)
		_, err = s.AttachToReport(ctx, wj, r.ID, "../etc.pdf", []byte("%PDF-1.7"))
		wantField(t, err, "name")
		list, err := s.ReportAttachments(ctx, wj, r.ID)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("attachments %+v, %v; the refused files must not be stored", list, err)
		}
	})
}
