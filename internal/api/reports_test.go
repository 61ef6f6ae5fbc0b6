package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestReportsHoldThroughTheAPI: a submitted report refuses a plain edit,
// takes a correction with a reason from its unit, and is accepted or
// returned by the secretariat only; each refusal changes nothing.
func TestReportsHoldThroughTheAPI(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		liaison, viewer := c.as(w.tokens["liaison"]), c.as(w.tokens["viewer"])
		sec, otherSec := c.as(w.tokens["secretariat"]), c.as(w.tokens["other secretariat"])
		own, theirs := w.submitted["own"], w.submitted["other side"]
		path := func(rep *domain.Report, action string) string {
			return fmt.Sprintf("/api/v1/reports/%d/%s", rep.ID, action)
		}
		stored := func(t *testing.T, rep *domain.Report) *domain.Report {
			t.Helper()
			got, err := s.Reports.Get(ctx, rep.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		unchanged := func(t *testing.T, rep *domain.Report, version int64) {
			t.Helper()
			if got := stored(t, rep); got.Version != version {
				t.Fatalf("report %d is at version %d after a refused call, want %d", rep.ID, got.Version, version)
			}
		}

		t.Run("PlainEditOfSubmittedRefused", func(t *testing.T) {
			r := liaison.do(t, "PATCH", fmt.Sprintf("/api/v1/reports/%d", own.ID), map[string]any{"version": own.Version, "status": "draft", "text": "改写"})
			wantProblem(t, r, "status", http.StatusConflict)
			unchanged(t, own, own.Version)
		})
		t.Run("CorrectionRefusals", func(t *testing.T) {
			body := map[string]any{"version": own.Version, "progress": "更正后的进展", "reason": "数据有误"}
			wantProblem(t, viewer.do(t, "POST", path(own, "correct"), body), "", http.StatusForbidden)
			wantProblem(t, liaison.do(t, "POST", path(theirs, "correct"), map[string]any{"version": theirs.Version, "progress": "x", "reason": "y"}), "", http.StatusNotFound)
			wantProblem(t, liaison.do(t, "POST", path(own, "correct"), map[string]any{"version": own.Version, "progress": "x"}), "reason", http.StatusUnprocessableEntity)
			wantProblem(t, liaison.do(t, "POST", path(own, "correct"), map[string]any{"progress": "x", "reason": "y"}), "version", http.StatusPreconditionRequired)
			wantProblem(t, liaison.do(t, "POST", path(own, "correct"), map[string]any{"version": own.Version, "progress": "x", "reason": "y", "colour": 1}), "colour", http.StatusBadRequest)
			unchanged(t, own, own.Version)
			unchanged(t, theirs, theirs.Version)
		})
		t.Run("ReviewRefusals", func(t *testing.T) {
			wantProblem(t, liaison.do(t, "POST", path(own, "accept"), map[string]any{"version": own.Version}), "", http.StatusForbidden)
			wantProblem(t, liaison.do(t, "POST", path(theirs, "return"), map[string]any{"version": theirs.Version, "reason": "不行"}), "", http.StatusNotFound)
			wantProblem(t, otherSec.do(t, "POST", path(own, "accept"), map[string]any{"version": own.Version}), "", http.StatusNotFound)
			wantProblem(t, viewer.do(t, "POST", path(own, "accept"), map[string]any{"version": own.Version}), "", http.StatusForbidden)
			wantProblem(t, sec.do(t, "POST", path(own, "return"), map[string]any{"version": own.Version}), "reason", http.StatusUnprocessableEntity)
			unchanged(t, own, own.Version)
			unchanged(t, theirs, theirs.Version)
		})
		t.Run("ReturnCorrectAccept", func(t *testing.T) {
			r := sec.do(t, "POST", path(own, "return"), map[string]any{"version": own.Version, "reason": "请补充投资完成额"})
			wantStatus(t, r, http.StatusOK)
			got := r.json(t)
			if got["status"] != "returned" || got["review_note"] != "请补充投资完成额" {
				t.Fatalf("returned report %v", got)
			}
			v := int64(got["version"].(float64))
			r = liaison.do(t, "POST", path(own, "correct"), map[string]any{"version": v, "progress": "九月进展（补充）", "investment_done": 350.5, "highlight": "首单跨省通办", "reason": "按退回意见补充投资"})
			wantStatus(t, r, http.StatusOK)
			got = r.json(t)
			corr := got["corrections"].([]any)
			if got["status"] != "submitted" || got["text"] != "九月进展（补充）" || got["investment_done"] != 350.5 || len(corr) != 1 ||
				corr[0].(map[string]any)["reason"] != "按退回意见补充投资" {
				t.Fatalf("corrected report %v", got)
			}
			v = int64(got["version"].(float64))
			r = sec.do(t, "POST", path(own, "accept"), map[string]any{"version": v})
			wantStatus(t, r, http.StatusOK)
			if st := stored(t, own); st.Status != domain.Accepted || st.Progress != "九月进展（补充）" {
				t.Fatalf("stored %s %q, want accepted with the corrected text", st.Status, st.Progress)
			}
			hist := sec.do(t, "GET", fmt.Sprintf("/api/v1/reports/%d/history", own.ID), nil)
			wantStatus(t, hist, http.StatusOK)
		})
	})
}

// TestReportAttachmentsThroughTheAPI: a PDF uploaded to a report comes
// back with its type and a download disposition; a file that is not what
// it claims is refused; a reader of the report downloads it, a stranger
// does not see it.
func TestReportAttachmentsThroughTheAPI(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		c := newClient(t, s)
		w := newAccessWorld(t, s)
		liaison, leader := c.as(w.tokens["liaison"]), c.as(w.tokens["leader"])
		own, theirs := w.submitted["own"], w.submitted["other side"]
		coll := fmt.Sprintf("/api/v1/reports/%d/attachments", own.ID)
		pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
		r := liaison.do(t, "POST", coll+"?name="+url.QueryEscape("现场照片说明.pdf"), pdf, "Content-Type", "application/pdf")
		wantStatus(t, r, http.StatusCreated)
		att := r.json(t)
		if att["content_type"] != "application/pdf" || att["size"] != float64(len(pdf)) {
			t.Fatalf("attachment %v", att)
		}
		one := fmt.Sprintf("%s/%d", coll, int64(att["id"].(float64)))
		got := leader.do(t, "GET", one, nil)
		wantStatus(t, got, http.StatusOK)
		if got.header.Get("Content-Type") != "application/pdf" || string(got.body) != string(pdf) ||
			!strings.Contains(got.header.Get("Content-Disposition"), "attachment;") ||
			!strings.Contains(got.header.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("现场照片说明.pdf")) {
			t.Fatalf("download: %v %q", got.header, got.body)
		}
		// A file larger than any JSON write, sent without its type,
		// arrives whole: it is judged by its content, not cut at 1 MB.
		big := append(append([]byte{}, pdf...), bytes.Repeat([]byte{'0'}, 3<<20)...)
		r = liaison.do(t, "POST", coll+"?name=big.pdf", big, "Content-Type", "")
		wantStatus(t, r, http.StatusCreated)
		if size := r.json(t)["size"]; size != float64(len(big)) {
			t.Errorf("a 3 MB file sent without its type stored as %v bytes", size)
		}
		list := liaison.do(t, "GET", coll, nil)
		wantStatus(t, list, http.StatusOK)
		if n := len(list.json(t)["items"].([]any)); n != 2 {
			t.Fatalf("%d attachments listed, want 2", n)
		}

		disguised := liaison.do(t, "POST", coll+"?name=photo.png", []byte("<svg onload=alert(1)>"), "Content-Type", "image/png")
		wantProblem(t, disguised, "file", http.StatusUnprocessableEntity)
		wantProblem(t, liaison.do(t, "POST", coll, pdf, "Content-Type", "application/pdf"), "name", http.StatusUnprocessableEntity)
		wantProblem(t, liaison.do(t, "POST", fmt.Sprintf("/api/v1/reports/%d/attachments?name=a.pdf", theirs.ID), pdf, "Content-Type", "application/pdf"), "", http.StatusNotFound)
		stranger := c.as(w.tokens["other secretariat"])
		wantProblem(t, stranger.do(t, "GET", one, nil), "", http.StatusNotFound)
		if n := len(liaison.do(t, "GET", coll, nil).json(t)["items"].([]any)); n != 2 {
			t.Fatalf("refused uploads stored something: %d attachments, want the 2 accepted", n)
		}
	})
}
