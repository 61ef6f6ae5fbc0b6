package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// cycleRoutes are the rhythm of a mechanism: its current reporting period,
// the recomputation of traffic lights, overdue problems, the escalation
// ladder, and the papers compiled from the data — the meeting pack and a
// batch's annual report, each as HTML, Markdown and DOCX.
func cycleRoutes(a *API) []route {
	mech, meeting, batch := Prefix+"/mechanisms/{id}", Prefix+"/meetings/{id}", Prefix+"/batches/{id}"
	rs := []route{
		{method: "GET", path: mech + "/periods/current", op: "getCurrentPeriod", summary: "The reports each item expects in the mechanism's current period (in its time zone): in, late or pending", tag: tagMechanisms,
			response: cycle.PeriodStatus{}, status: 200, errors: []int{401, 403, 404, 422},
			query: []param{{"period", "another period instead of the current one: 2023-05 or 2023-Q2"}}, handler: a.currentPeriod},
		{method: "POST", path: mech + "/lights", op: "recomputeLights", summary: "Recompute the traffic light of every item of the mechanism by its rules, each with its reason", tag: tagMechanisms,
			response: cycle.Recomputed{}, status: 200, errors: []int{401, 403, 404, 409}, handler: a.recomputeLights},
		{method: "GET", path: mech + "/problems/overdue", op: "listOverdueProblems", summary: "Open problems of the mechanism past their tier's time limit, the most late first", tag: tagWork,
			response: OverdueList{}, status: 200, errors: []int{401, 403, 404}, handler: a.overdueProblems},
		{method: "POST", path: Prefix + "/problems/{id}/escalate", op: "escalateProblem", summary: "Move a problem one tier up (execution → coordination → decision) onto the agenda of the next meeting at that tier", tag: tagWork,
			body: EscalateRequest{}, response: store.EscalationResult{}, status: 200, errors: []int{400, 401, 403, 404, 409, 412, 413, 422, 428}, handler: a.escalate},
	}
	for _, f := range pack.Formats {
		packErrors, annualErrors := []int{401, 403, 404}, []int{401, 403, 404, 422}
		if f == pack.PDF {
			packErrors, annualErrors = append(packErrors, 503), append(annualErrors, 503)
		}
		rs = append(rs,
			route{method: "GET", path: meeting + "/pack." + f.Ext(), op: "getMeetingPack" + formatOp(f), summary: "The meeting pack as " + formatName(f) + ": the briefing for the meeting, frozen once the secretariat issued it", tag: tagMechanisms,
				produces: mediaType(f), status: 200, errors: packErrors, handler: a.meetingPack(f)},
			route{method: "GET", path: batch + "/annual-report." + f.Ext(), op: "getAnnualReport" + formatOp(f), summary: "The batch's annual completion report as " + formatName(f), tag: tagWork,
				produces: mediaType(f), status: 200, errors: annualErrors,
				query: []param{{"year", "the year, YYYY (required)"}}, handler: a.annualReport(f)})
	}
	return rs
}

// OverdueList is the answer of listOverdueProblems.
type OverdueList struct {
	Items []cycle.OverdueProblem `json:"items"`
}

// EscalateRequest asks to move a problem up one tier. The version is the
// problem's version the caller saw, here or as If-Match.
type EscalateRequest struct {
	Version int64  `json:"version,omitempty"`
	Note    string `json:"note"`
}

func (q *EscalateRequest) stated() int64 { return q.Version }

// versioned is a request body of an action that states, as a version
// field or as If-Match, the version of the record it is based on.
type versioned interface{ stated() int64 }

// decodeBasedOn reads the JSON body of an action into req and returns the
// version it is based on: If-Match, else the body's version field.
func decodeBasedOn(w http.ResponseWriter, r *http.Request, req versioned) (int64, error) {
	b, err := readBody(w, r)
	if err != nil {
		return 0, err
	}
	if err := decodeStrict(b, req); err != nil {
		return 0, err
	}
	fields := map[string]any{}
	if v := req.stated(); v != 0 {
		fields["version"] = jsonNumber(v)
	}
	return basedOn(r, fields)
}

func formatOp(f pack.Format) string {
	return map[pack.Format]string{pack.HTML: "HTML", pack.Markdown: "Markdown", pack.DOCX: "DOCX", pack.PDF: "PDF"}[f]
}

func formatName(f pack.Format) string {
	return map[pack.Format]string{pack.HTML: "a print-ready HTML page", pack.Markdown: "Markdown", pack.DOCX: "a Word document (DOCX)",
		pack.PDF: "PDF, printed from the HTML page by headless Chromium (503 when the server has none)"}[f]
}

// mediaType is the format's media type without parameters, as documented.
func mediaType(f pack.Format) string {
	return map[pack.Format]string{pack.HTML: "text/html", pack.Markdown: "text/markdown", pack.DOCX: pack.DOCX.ContentType(), pack.PDF: pack.PDF.ContentType()}[f]
}

// overseen answers for the handlers of views and actions that span a
// whole mechanism: the {id} of the mechanism, once the caller may act on
// entity at all and on the whole mechanism; otherwise it has written the
// refusal and returns false.
func (a *API) overseen(w http.ResponseWriter, r *http.Request, action policy.Action, entity string) (int64, bool) {
	err := a.allow(r, action, entity)
	var id int64
	if err == nil {
		id, err = pathID(r, "mechanisms")
	}
	if err == nil {
		err = a.store.Oversee(r.Context(), actor(r), id, action)
	}
	if err != nil {
		a.writeError(w, r, err)
		return 0, false
	}
	return id, true
}

// answer writes v, or the error that kept it from being made.
func (a *API) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) currentPeriod(w http.ResponseWriter, r *http.Request) {
	if id, ok := a.overseen(w, r, policy.Read, "reports"); ok {
		st, err := cycle.CurrentStatus(r.Context(), a.store, id, r.URL.Query().Get("period"), a.store.Now())
		a.answer(w, r, st, err)
	}
}

func (a *API) recomputeLights(w http.ResponseWriter, r *http.Request) {
	if id, ok := a.overseen(w, r, policy.Write, "items"); ok {
		out, err := cycle.RecomputeLights(r.Context(), a.store, actor(r), id, a.store.Now())
		a.answer(w, r, out, err)
	}
}

func (a *API) overdueProblems(w http.ResponseWriter, r *http.Request) {
	if id, ok := a.overseen(w, r, policy.Read, "problems"); ok {
		out, err := cycle.Overdue(r.Context(), a.store, id, a.store.Now())
		a.answer(w, r, OverdueList{Items: out}, err)
	}
}

func (a *API) escalate(w http.ResponseWriter, r *http.Request) {
	if err := a.allow(r, policy.Write, "problems"); err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "problems")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var req EscalateRequest
	version, err := decodeBasedOn(w, r, &req)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.store.Escalate(r.Context(), actor(r), id, version, req.Note)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(out.Problem.Version))
	writeJSON(w, http.StatusOK, out)
}

func (a *API) meetingPack(f pack.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.allow(r, policy.Read, "meetings"); err != nil {
			a.writeError(w, r, err)
			return
		}
		m, err := loadAs(r, a.store.Meetings)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if err := a.store.Oversee(r.Context(), actor(r), m.MechanismID, policy.Read); err != nil {
			a.writeError(w, r, err)
			return
		}
		cur, err := pack.Load(r.Context(), a.store, m.ID)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		b, err := cur.Bytes(r.Context(), f)
		a.writeRendered(w, r, cur.Doc, b, err, f, fmt.Sprintf("meeting-%d-pack", m.ID))
	}
}

func (a *API) annualReport(f pack.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.allow(r, policy.Read, "items"); err != nil {
			a.writeError(w, r, err)
			return
		}
		id, err := pathID(r, "batches")
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		year, err := strconv.Atoi(r.URL.Query().Get("year"))
		if err != nil {
			a.writeError(w, r, &domain.Error{Code: domain.Invalid, Message: "state the year of the report",
				Fields: []domain.FieldError{{Field: "year", Reason: "is required: a year such as 2024"}}})
			return
		}
		rep, err := pack.AnnualFor(r.Context(), a.store, actor(r), id, year)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		a.writeDoc(w, r, rep.Doc(), f, fmt.Sprintf("batch-%d-annual-report-%d", id, year))
	}
}

// writeDoc renders d in f; a DOCX is offered as a download named after the
// document's title.
func (a *API) writeDoc(w http.ResponseWriter, r *http.Request, d *pack.Doc, f pack.Format, fallback string) {
	var buf bytes.Buffer
	err := d.RenderContext(r.Context(), &buf, f)
	a.writeRendered(w, r, d, buf.Bytes(), err, f, fallback)
}

// writeRendered sends d rendered in f as b, or the error of rendering it:
// 503 with the reason when the server cannot print PDF.
func (a *API) writeRendered(w http.ResponseWriter, r *http.Request, d *pack.Doc, b []byte, err error, f pack.Format, fallback string) {
	if pack.IsPDFUnavailable(err) {
		lang := language(r)
		text := pack.UnavailableText(err)
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Content-Language", lang)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(ProblemDetails{Type: "about:blank", Title: message.Title(lang, http.StatusServiceUnavailable), Status: http.StatusServiceUnavailable,
			Detail: message.Format(lang, text), Code: "unavailable", DetailCode: MessageCode(message.Code(text))})
		return
	}
	if err != nil {
		a.writeError(w, r, domain.Internalf(err, "render %s", f))
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Cache-Control", "no-store")
	if f == pack.HTML {
		// A browser opens it as a page: under the page's own policy.
		w.Header().Set("Content-Security-Policy", pack.ContentSecurityPolicy())
	}
	disposition := "inline"
	if f == pack.DOCX {
		disposition = "attachment"
	}
	w.Header().Set("Content-Disposition", disposition+`; filename="`+fallback+"."+f.Ext()+`"; filename*=UTF-8''`+url.PathEscape(d.Title+"."+f.Ext()))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func jsonNumber(v int64) json.Number { return json.Number(strconv.FormatInt(v, 10)) }
