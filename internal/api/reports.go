package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// ReportCorrection is the body of a report's correction (更正): the
// report's new texts, investment and percent, and why it is corrected.
type ReportCorrection struct {
	Version        int64   `json:"version"`
	Reason         string  `json:"reason"`
	Progress       string  `json:"progress"`
	Text           string  `json:"text"` // the progress under its older name
	NextSteps      string  `json:"next_steps"`
	Problems       string  `json:"problems"`
	Coordination   string  `json:"coordination"`
	Highlight      string  `json:"highlight"`
	InvestmentDone float64 `json:"investment_done"`
	Percent        int     `json:"percent"`
}

// ReportReview is the body of the secretariat's accepting or returning a
// report; a return needs the reason.
type ReportReview struct {
	Version int64  `json:"version"`
	Reason  string `json:"reason"`
}

// reportRoutes are the actions on a report handed in: its unit corrects
// it, the secretariat accepts or returns it.
func (a *API) reportRoutes() []route {
	path := Prefix + "/reports/{id}"
	return []route{
		{method: "POST", path: path + "/correct", op: "correctReport", tag: tagWork,
			summary: "Correct (更正) a report handed in: its new version, with the reason, submitted again for review; the earlier text stays in the history",
			body:    ReportCorrection{}, response: domain.Report{}, status: 200, errors: []int{400, 401, 403, 404, 409, 413, 422, 428}, handler: a.correctReport},
		{method: "POST", path: path + "/accept", op: "acceptReport", tag: tagWork,
			summary: "Accept a submitted report (the secretariat of its mechanism)",
			body:    ReportReview{}, response: domain.Report{}, status: 200, errors: []int{400, 401, 403, 404, 409, 413, 422, 428}, handler: a.reviewReport(true)},
		{method: "POST", path: path + "/return", op: "returnReport", tag: tagWork,
			summary: "Return (退回) a submitted report to its unit with a reason (the secretariat of its mechanism); the unit is told and corrects it",
			body:    ReportReview{}, response: domain.Report{}, status: 200, errors: []int{400, 401, 403, 404, 409, 413, 422, 428}, handler: a.reviewReport(false)},
	}
}

// reportAction reads the report id of the path and the body of an action
// on it into dst, and returns the id and the version the action is based
// on (If-Match, or the body's version).
func (a *API) reportAction(w http.ResponseWriter, r *http.Request, dst any) (id, version int64, err error) {
	if err := a.allow(r, policy.Write, "reports"); err != nil {
		return 0, 0, err
	}
	if id, err = strconv.ParseInt(r.PathValue("id"), 10, 64); err != nil || id <= 0 {
		return 0, 0, domain.Errorf(domain.NotFound, "no such report")
	}
	b, err := readBody(w, r)
	if err != nil {
		return 0, 0, err
	}
	var fields map[string]any
	if err := decodeNumbers(b, &fields); err != nil {
		return 0, 0, err
	}
	if version, err = basedOn(r, fields); err != nil {
		return 0, 0, err
	}
	return id, version, decodeStrict(b, dst)
}

func (a *API) correctReport(w http.ResponseWriter, r *http.Request) {
	var body ReportCorrection
	id, version, err := a.reportAction(w, r, &body)
	if err == nil {
		want := &domain.Report{Progress: body.Progress, Text: body.Text, NextSteps: body.NextSteps, Problems: body.Problems,
			Coordination: body.Coordination, Highlight: body.Highlight, InvestmentDone: body.InvestmentDone, Percent: body.Percent}
		var rep *domain.Report
		if rep, err = a.store.CorrectReport(r.Context(), actor(r), id, version, want, body.Reason); err == nil {
			writeRecord(w, http.StatusOK, rep)
			return
		}
	}
	a.writeError(w, r, err)
}

func (a *API) reviewReport(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body ReportReview
		id, version, err := a.reportAction(w, r, &body)
		if err == nil {
			var rep *domain.Report
			if rep, err = a.store.ReviewReport(r.Context(), actor(r), id, version, accept, body.Reason); err == nil {
				writeRecord(w, http.StatusOK, rep)
				return
			}
		}
		a.writeError(w, r, err)
	}
}

// AttachmentList is the files attached to a report.
type AttachmentList struct {
	Items []domain.Attachment `json:"items"`
}

// attachmentRoutes serve the photos and PDFs attached to a report.
func (a *API) attachmentRoutes() []route {
	path := Prefix + "/reports/{id}/attachments"
	return []route{
		{method: "GET", path: path, op: "listReportAttachments", tag: tagWork, summary: "The files attached to a report",
			response: AttachmentList{}, status: 200, errors: []int{401, 403, 404}, handler: a.listAttachments},
		{method: "POST", path: path, op: "attachToReport", tag: tagWork,
			summary:  "Attach a photo or a PDF (at most 10 MB, its type judged by its content) to a report; the body is the file",
			consumes: domain.AttachmentTypes(), query: []param{{"name", "the file's name (required)"}},
			response: domain.Attachment{}, status: 201, errors: []int{400, 401, 403, 404, 409, 413, 422}, handler: a.attach},
		{method: "GET", path: path + "/{attachment}", op: "getReportAttachment", tag: tagWork, summary: "Download a file attached to a report, served as its own type (a PDF or an image)",
			produces: "*/*", status: 200, errors: []int{401, 403, 404}, handler: a.getAttachment},
	}
}

func (a *API) listAttachments(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		var list []domain.Attachment
		if list, err = a.store.ReportAttachments(r.Context(), actor(r), id); err == nil {
			writeJSON(w, http.StatusOK, AttachmentList{Items: list})
			return
		}
	} else {
		err = domain.Errorf(domain.NotFound, "no such report")
	}
	a.writeError(w, r, err)
}

func (a *API) attach(w http.ResponseWriter, r *http.Request) {
	if err := a.allow(r, policy.Write, "reports"); err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.writeError(w, r, domain.Errorf(domain.NotFound, "no such report"))
		return
	}
	// One byte past the limit is enough for the check to refuse the file
	// as too large.
	data, err := io.ReadAll(io.LimitReader(r.Body, domain.MaxAttachmentBytes+1))
	if err != nil {
		a.writeError(w, r, fieldError(badRequest, "body", "could not be read"))
		return
	}
	att, err := a.store.AttachToReport(r.Context(), actor(r), id, r.URL.Query().Get("name"), data)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/reports/%d/attachments/%d", Prefix, id, att.ID))
	writeJSON(w, http.StatusCreated, att)
}

func (a *API) getAttachment(w http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	att, err2 := strconv.ParseInt(r.PathValue("attachment"), 10, 64)
	if err1 != nil || err2 != nil {
		a.writeError(w, r, domain.Errorf(domain.NotFound, "no such attachment"))
		return
	}
	meta, data, err := a.store.ReportAttachment(r.Context(), actor(r), id, att)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	for _, h := range meta.Headers() {
		w.Header().Set(h[0], h[1])
	}
	w.Write(data)
}
