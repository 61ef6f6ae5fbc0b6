package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/notify"
)

// meetingNotice answers POST /meetings/{id}/notice: the meeting notice
// (会议通知) — title, date, place, mode, chair, the agenda's titles and a
// link to the meeting page — goes out now on every notification channel of
// the mechanism, through the notifier's sending code, and the page says on
// how many channels it went, or that the mechanism has none.
func (h *Handler) meetingNotice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mt, ok := h.meetingToChange(w, r)
	if !ok {
		return
	}
	// The notice is written in Chinese, the language of the working
	// groups' chats and mailboxes, whatever the sender's interface.
	zh := h.tr("zh-CN")
	var b strings.Builder
	fmt.Fprintf(&b, "%s：%s\n", zh.T("meeting.held_on"), zh.Date(mt.HeldOn))
	if mt.Place != "" {
		fmt.Fprintf(&b, "%s：%s\n", zh.T("meeting.place"), mt.Place)
	}
	fmt.Fprintf(&b, "%s：%s\n", zh.T("meeting.format"), zh.T("format."+string(mt.Format)))
	if mt.Chair != "" {
		fmt.Fprintf(&b, "%s：%s\n", zh.T("meeting.chair"), mt.Chair)
	}
	if len(mt.Agenda) > 0 {
		fmt.Fprintf(&b, "%s：\n", zh.T("meeting.agenda"))
		for i, a := range mt.Agenda {
			title := a.Topic
			switch a.Kind {
			case domain.AgendaItemKind:
				if it, err := h.store.Items.GetAs(ctx, actor(r), a.ItemID); err == nil {
					title = it.Title
				}
			case domain.AgendaProblemKind:
				if p, err := h.store.Problems.GetAs(ctx, actor(r), a.ProblemID); err == nil {
					title = p.Title
				}
			}
			fmt.Fprintf(&b, "%d. %s\n", i+1, title)
		}
	}
	fmt.Fprintf(&b, "%s/meetings/%d", h.site(r), mt.ID)
	sent, err := notify.Announce(ctx, h.store, h.notify, notify.Reminder{
		Key:         fmt.Sprintf("%s/%d/%d", notify.NoticeKind, mt.ID, mt.Version),
		MechanismID: mt.MechanismID, Kind: notify.NoticeKind,
		Subject: zh.T("meeting.notice_subject") + "：" + mt.Title, Text: b.String(),
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t := h.tr(state(r).locale)
	v := h.newView(r, mt.Title, "meetings")
	switch {
	case sent.Channels == 0:
		v.Error = t.T("meeting.notice_none")
	case sent.Delivered == sent.Channels:
		v.Message = t.F("meeting.notice_sent", sent.Delivered)
	default:
		v.Error = t.F("meeting.notice_partly", sent.Delivered, sent.Channels)
	}
	h.meetingPage(w, r, http.StatusOK, mt, v, taskForm{})
}

// site is the address people open Liandong at, for links in what leaves
// it: the configured one (LIANDONG_SITE_URL) or else the request's.
func (h *Handler) site(r *http.Request) string {
	if h.notify.SiteURL != "" {
		return strings.TrimSuffix(h.notify.SiteURL, "/")
	}
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// PackIssuedKind is the kind of the message that tells a mechanism's
// channels its meeting pack was issued; a generic webhook receives it so.
const PackIssuedKind = "pack_issued"

// announceIssued sends the issued pack's links — the page, the PDF and
// the Word document, frozen as issued — with its checksum to every channel
// of the mechanism, in Chinese as the meeting notice is. The links, not
// the files: a pack is read where it can be checked against its checksum.
func (h *Handler) announceIssued(r *http.Request, mt *domain.Meeting, p *domain.IssuedPack) (notify.Sent, error) {
	zh := h.tr("zh-CN")
	base := fmt.Sprintf("%s/meetings/%d/pack", h.site(r), mt.ID)
	text := zh.F("pack.issued_text", mt.Title, zh.Date(p.IssuedAt)) + "\n" +
		zh.T("meeting.pack_html") + "：" + base + ".html\n" +
		"PDF：" + base + ".pdf\n" +
		zh.T("meeting.pack_docx") + "：" + base + ".docx\n" +
		zh.T("pack.checksum") + "：" + p.SHA256
	return notify.Announce(r.Context(), h.store, h.notify, notify.Reminder{
		Key:         fmt.Sprintf("%s/%d", PackIssuedKind, mt.ID),
		MechanismID: mt.MechanismID, Kind: PackIssuedKind,
		Subject: zh.T("pack.issued_subject") + "：" + mt.Title, Text: text,
	})
}
