package web

import (
	"net/http"
	"net/url"
	"strconv"

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
		if cur.Issued != nil && f == pack.HTML {
			// The checksum the audit log recorded when it was issued.
			w.Header().Set("X-Content-SHA256", cur.Issued.SHA256)
		}
		name := "meeting-" + strconv.FormatInt(id, 10) + "-pack." + f.Ext()
		w.Header().Set("Content-Disposition", disposition+`; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape(cur.Doc.Title+"."+f.Ext()))
		w.Header().Set("Content-Type", f.ContentType())
		w.Write(b)
	}
}
