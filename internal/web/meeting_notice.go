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
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	fmt.Fprintf(&b, "%s://%s/meetings/%d", scheme, r.Host, mt.ID)
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
