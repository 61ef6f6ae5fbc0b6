package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// meetingAgenda answers POST /meetings/{id}/agenda: op "add" puts an item,
// a problem or a topic at the end; "remove", "up" and "down" act on the
// entry at index. The form carries the version it was read at, so two
// people building one agenda do not overwrite each other.
func (h *Handler) meetingAgenda(w http.ResponseWriter, r *http.Request) {
	stored, ok := h.meetingToChange(w, r)
	if !ok {
		return
	}
	mt := *stored
	mt.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	agenda := append([]domain.AgendaItem(nil), stored.Agenda...)
	i, _ := strconv.Atoi(r.PostFormValue("index"))
	inRange := i >= 0 && i < len(agenda)
	var p domain.Problems
	switch op := r.PostFormValue("op"); {
	case op == "add":
		a := domain.AgendaItem{Kind: domain.AgendaKind(r.PostFormValue("kind"))}
		switch a.Kind {
		case domain.AgendaItemKind:
			a.ItemID = formID(r, "item")
		case domain.AgendaProblemKind:
			a.ProblemID = formID(r, "problem")
		default:
			a.Kind, a.Topic = domain.AgendaTopicKind, strings.TrimSpace(r.PostFormValue("topic"))
		}
		agenda = append(agenda, a)
	case !inRange:
		p.Add("agenda", "is not an entry of this agenda")
	case op == "remove":
		agenda = append(agenda[:i], agenda[i+1:]...)
	case op == "up" && i > 0:
		agenda[i-1], agenda[i] = agenda[i], agenda[i-1]
	case op == "down" && i+1 < len(agenda):
		agenda[i], agenda[i+1] = agenda[i+1], agenda[i]
	}
	mt.Agenda = agenda
	err := p.Err()
	if err == nil {
		err = h.store.Meetings.Update(r.Context(), actor(r), &mt)
	}
	if err != nil {
		h.meetingRefused(w, r, stored, err, "")
		return
	}
	http.Redirect(w, r, "/meetings/"+strconv.FormatInt(mt.ID, 10)+"?done=agenda#agenda", http.StatusSeeOther)
}
