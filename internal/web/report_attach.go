package web

import (
	"io"
	"net/http"
	"path"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
)

// reportAttach answers POST /reports/{id}/attachments: a photo or a PDF
// sent from the report page's file field. The store checks it (type by
// content, size, count) and keeps it in the database.
func (h *Handler) reportAttach(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	rep, ok := h.reportToAct(w, r)
	if !ok {
		return
	}
	msg := t.T("report.attach_missing")
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		// One byte past the limit is enough for the check to refuse it.
		data, err := io.ReadAll(io.LimitReader(file, domain.MaxAttachmentBytes+1))
		if err == nil {
			if _, err = h.store.AttachToReport(r.Context(), actor(r), rep.ID, path.Base(hdr.Filename), data); err == nil {
				h.reportDone(w, r, rep, "attached")
				return
			}
		}
		if msg = h.refusal(w, r, t, err); msg == "" {
			return
		}
	}
	h.reportRefused(w, r, rep, msg, func(*reportEntry) {})
}

// reportAttachment answers GET /reports/{id}/attachments/{attachment}: the
// file, to whoever may read the report, as a download of its own type.
func (h *Handler) reportAttachment(w http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	att, err2 := strconv.ParseInt(r.PathValue("attachment"), 10, 64)
	if err1 != nil || err2 != nil {
		h.notFound(w, r)
		return
	}
	meta, data, err := h.store.ReportAttachment(r.Context(), actor(r), id, att)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, h := range meta.Headers() {
		w.Header().Set(h[0], h[1])
	}
	w.Write(data)
}
