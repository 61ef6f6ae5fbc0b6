package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/policy"
)

// meetingPack answers GET /meetings/{id}/pack.html (and .md, .docx, .pdf):
// the briefing for the meeting, for those who oversee its mechanism — the
// issued pack, frozen, once the secretariat has issued it, until then the
// pack built from the data with the secretariat's edits. The HTML is the
// print-ready page; its one inline style is allowed by hash, so the policy
// still allows nothing else inline. Without Chromium on the server, the
// PDF is answered 503 with the reason.
func (h *Handler) meetingPack(f pack.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		mt, err := h.store.Meetings.GetAs(ctx, actor(r), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := h.store.Oversee(ctx, actor(r), mt.MechanismID, policy.Read); err != nil {
			h.fail(w, r, err)
			return
		}
		cur, err := pack.Load(ctx, h.store, id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		b, err := cur.Bytes(ctx, f)
		if cur.Issued != nil && f == pack.HTML && err == nil {
			// The checksum the audit log recorded when it was issued.
			w.Header().Set("X-Content-SHA256", cur.Issued.SHA256)
		}
		h.sendDocument(w, r, f, b, err, "meeting-"+strconv.FormatInt(id, 10)+"-pack", cur.Doc.Title)
	}
}

// annualReport answers GET /batches/{id}/annual-report?year=2024&format=pdf
// (html, md, docx or pdf; html when none): the batch's completion report
// for the year, for who oversees its mechanism (pack.AnnualFor). The form
// on the batch's item list asks for a year in range; a request without one
// is refused naming the field.
func (h *Handler) annualReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := pack.HTML
	if v := r.URL.Query().Get("format"); v != "" {
		f = pack.Format(v)
		if !slices.Contains(pack.Formats, f) {
			h.fail(w, r, domain.Errorf(domain.Invalid, "no such format for a paper").With(domain.FieldErrorf("format", "must be html, md, docx or pdf")))
			return
		}
	}
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil {
		h.fail(w, r, domain.Errorf(domain.Invalid, "state the year of the report").With(domain.FieldErrorf("year", "is required: a year such as 2024")))
		return
	}
	rep, err := pack.AnnualFor(r.Context(), h.store, actor(r), id, year)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := rep.Doc()
	var buf bytes.Buffer
	err = d.RenderContext(r.Context(), &buf, f)
	h.sendDocument(w, r, f, buf.Bytes(), err, fmt.Sprintf("batch-%d-annual-report-%d", id, year), d.Title)
}

// sendDocument answers a rendered paper (a meeting pack, an annual report):
// a PDF that cannot be printed here is a page saying why, in the reader's
// language; a Word document is a download; the file is named after the
// paper's title, with name as the plain-ASCII fallback.
func (h *Handler) sendDocument(w http.ResponseWriter, r *http.Request, f pack.Format, b []byte, err error, name, title string) {
	if pack.IsPDFUnavailable(err) {
		t := h.tr(state(r).locale)
		v := h.newView(r, t.T("pack.pdf_unavailable"), "")
		v.Error, v.Data = t.F("pack.pdf_unavailable_detail", message.Format(state(r).locale, pack.UnavailableText(err))), errorPage{Status: http.StatusServiceUnavailable, Back: backFrom(r)}
		h.render(w, r, http.StatusServiceUnavailable, "error", v)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f == pack.HTML {
		w.Header().Set("Content-Security-Policy", pack.ContentSecurityPolicy())
	}
	disposition := "inline"
	if f == pack.DOCX {
		disposition = "attachment"
	}
	w.Header().Set("Content-Disposition", disposition+`; filename="`+name+"."+f.Ext()+`"; filename*=UTF-8''`+url.PathEscape(title+"."+f.Ext()))
	w.Header().Set("Content-Type", f.ContentType())
	w.Write(b)
}

// peerPack answers GET /federation/packs/{id}: a pack a peer installation
// issued for a shared mechanism, the page byte for byte as it arrived, with
// the SHA-256 its keeper recorded; for who may read that mechanism's packs
// here (Store.PeerPackAs).
func (h *Handler) peerPack(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.store.PeerPackAs(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("X-Content-SHA256", p.SHA256)
	h.sendDocument(w, r, pack.HTML, p.HTML, nil, "peer-pack-"+strconv.FormatInt(id, 10), p.Title)
}
