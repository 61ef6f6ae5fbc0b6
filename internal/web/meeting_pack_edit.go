package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/pack"
	"github.com/liandong/liandong/internal/policy"
)

// packEditData is the page where the secretariat finishes a meeting's pack
// and issues it.
type packEditData struct {
	Meeting   *domain.Meeting
	Mechanism *domain.Mechanism
	Sections  []packSectionForm
	Issued    *domain.IssuedPack // set once issued: the page then only says so
}

// packSectionForm is one section's textarea: the secretariat's words when
// it edited the section, else the generated text.
type packSectionForm struct {
	Key, Title string
	Text       string
	Edited     bool
}

// meetingPackEdit answers GET /meetings/{id}/pack/edit: a textarea per
// section of the pack, prefilled with its generated text or the
// secretariat's saved words, and the issuing of the pack.
func (h *Handler) meetingPackEdit(w http.ResponseWriter, r *http.Request) {
	mt, ok := h.packToEdit(w, r)
	if !ok {
		return
	}
	h.packEditPage(w, r, http.StatusOK, mt, nil, nil)
}

// meetingPackSave answers POST /meetings/{id}/pack/edit: the sections'
// words are saved (an emptied textarea takes the generated text back) and
// the page shows the pack. Refused, the page shows again with what was
// typed and why.
func (h *Handler) meetingPackSave(w http.ResponseWriter, r *http.Request) {
	mt, ok := h.packToEdit(w, r)
	if !ok {
		return
	}
	p, err := pack.Build(r.Context(), h.store, mt.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	posted := domain.PackEdits{}
	for _, s := range p.Sections() {
		text, sent := r.PostForm["section-"+s.Key]
		if !sent {
			continue
		}
		body := normalizeNewlines(text[0])
		if body == normalizeNewlines(s.Text()) {
			body = "" // unchanged: the generated text stays generated
		}
		posted[s.Key] = body
	}
	err = h.store.SavePackEdits(r.Context(), actor(r), mt.ID, posted)
	if err == nil {
		http.Redirect(w, r, "/meetings/"+strconv.FormatInt(mt.ID, 10)+"/pack/edit?done=saved", http.StatusSeeOther)
		return
	}
	h.packRefused(w, r, mt, posted, err)
}

// meetingPackIssue answers POST /meetings/{id}/pack/issue: the pack is
// frozen as it reads now, its checksum recorded in the audit log, and the
// issued pack is shown. Refused, the edit page says why.
func (h *Handler) meetingPackIssue(w http.ResponseWriter, r *http.Request) {
	mt, ok := h.packToEdit(w, r)
	if !ok {
		return
	}
	issued, err := pack.Issue(r.Context(), h.store, actor(r), mt.ID)
	if err != nil {
		h.packRefused(w, r, mt, nil, err)
		return
	}
	// Issued is issued: a channel that cannot be reached is said on the
	// page and in the delivery log, and does not undo it.
	sent, err := h.announceIssued(r, mt, issued)
	if err != nil {
		h.log.Error("announce issued pack", "meeting", mt.ID, "err", err)
	}
	http.Redirect(w, r, fmt.Sprintf("/meetings/%d/pack/edit?done=issued&channels=%d&told=%d", mt.ID, sent.Channels, sent.Delivered), http.StatusSeeOther)
}

// packRefused shows the edit page again with why the store refused (the
// pack issued meanwhile, the role taken away); other errors get their page.
func (h *Handler) packRefused(w http.ResponseWriter, r *http.Request, mt *domain.Meeting, posted domain.PackEdits, err error) {
	status := map[domain.Code]int{domain.Conflict: http.StatusConflict, domain.Forbidden: http.StatusForbidden, domain.Invalid: http.StatusUnprocessableEntity}[domain.ErrorCode(err)]
	if status == 0 {
		h.fail(w, r, err)
		return
	}
	msg := message.Of(state(r).locale, err).Message
	h.packEditPage(w, r, status, mt, posted, &msg)
}

// packToEdit reads the meeting of the path whose pack the user finishes,
// or answers the refusal: only who oversees the mechanism to write (its
// secretariat, administrators) may.
func (h *Handler) packToEdit(w http.ResponseWriter, r *http.Request) (*domain.Meeting, bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	mt, err := h.store.Meetings.GetAs(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	if err := h.store.Oversee(r.Context(), actor(r), mt.MechanismID, policy.Write); err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return mt, true
}

// packEditPage renders the edit page; posted are the words typed when a
// save was refused, msg why.
func (h *Handler) packEditPage(w http.ResponseWriter, r *http.Request, status int, mt *domain.Meeting, posted domain.PackEdits, msg *string) {
	ctx := r.Context()
	t := h.tr(state(r).locale)
	m, err := h.store.Mechanisms.Get(ctx, mt.MechanismID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := packEditData{Meeting: mt, Mechanism: m}
	if ip, err := h.store.IssuedPack(ctx, mt.ID); err == nil {
		d.Issued = ip
	} else if domain.ErrorCode(err) != domain.NotFound {
		h.fail(w, r, err)
		return
	}
	if d.Issued == nil {
		p, err := pack.Build(ctx, h.store, mt.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		saved, err := h.store.PackEdits(ctx, actor(r), mt.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, s := range p.Sections() {
			f := packSectionForm{Key: s.Key, Title: pack.SectionTitle(s.Key), Text: s.Text()}
			if body, ok := saved[s.Key]; ok {
				f.Text, f.Edited = body, true
			}
			if body, ok := posted[s.Key]; ok && body != "" {
				f.Text, f.Edited = body, true
			}
			d.Sections = append(d.Sections, f)
		}
	}
	v := h.newView(r, t.T("pack.edit_title"), "meetings")
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Message = t.T("pack.saved")
	case "issued":
		channels, _ := strconv.Atoi(r.URL.Query().Get("channels"))
		told, _ := strconv.Atoi(r.URL.Query().Get("told"))
		switch {
		case channels == 0:
			v.Message = t.T("pack.issued_no_channels")
		case told == channels:
			v.Message = t.F("pack.issued_sent", told)
		default:
			v.Message = t.F("pack.issued_sent_partly", told, channels)
		}
	}
	if msg != nil {
		v.Error = *msg
	}
	v.Data = d
	h.render(w, r, status, "meeting_pack_edit", v)
}

// normalizeNewlines makes a textarea's CRLF line ends plain ones.
func normalizeNewlines(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' {
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}
