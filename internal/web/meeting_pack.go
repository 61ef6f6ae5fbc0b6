package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/policy"
)

// meetingPack answers GET /meetings/{id}/pack.html (and .md, .docx): what
// changed since the previous meeting of the mechanism, for those who
// oversee it. The HTML is the print-ready page; its one inline style is
// allowed by hash, so the policy still allows nothing else inline.
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
		p, err := pack.Build(ctx, h.store, id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d := p.Doc()
		b, err := d.Bytes(f)
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
		name := "meeting-" + strconv.FormatInt(id, 10) + "-pack." + f.Ext()
		w.Header().Set("Content-Disposition", disposition+`; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape(d.Title+"."+f.Ext()))
		w.Header().Set("Content-Type", f.ContentType())
		w.Write(b)
	}
}
