package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// itemBulkEdit answers POST /items/bulk: set the status and/or the light
// (with its reason) of the selected items. Each selection carries the
// version the list showed ("id:version"), and all changes are written in
// one transaction: if any item changed meanwhile, none is touched. What
// the two-side rule holds for the other side is said on the list.
func (h *Handler) itemBulkEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := policy.Check(currentUser(r), policy.Write, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	back, err := url.Parse(localPath(r.PostFormValue("back")))
	if err != nil {
		back = &url.URL{Path: "/items"}
	}
	q := back.Query()
	q.Del("bulk")
	q.Del("held")
	q.Del("await")
	status := domain.ItemStatus(r.PostFormValue("status"))
	light, setLight := domain.Light(r.PostFormValue("light")), r.PostFormValue("light") != ""
	if light == "none" {
		light = domain.NoLight
	}
	reason := strings.TrimSpace(r.PostFormValue("light_reason"))
	selected := r.PostForm["item"]
	outcome := "done"
	var held []domain.ItemChange
	var bad domain.Problems
	ctx = occurredContext(r, &bad)
	switch {
	case len(selected) == 0:
		outcome = "none"
	case status == "" && !setLight:
		outcome = "nochange"
	case bad.Err() != nil:
		outcome = "occurred"
	default:
		err = h.store.Write(ctx, actor(r), func(tx *store.Tx) error {
			for _, sel := range selected {
				idText, verText, _ := strings.Cut(sel, ":")
				id, _ := strconv.ParseInt(idText, 10, 64)
				version, _ := strconv.ParseInt(verText, 10, 64)
				it, err := h.store.Items.Get(ctx, id)
				if err != nil {
					return err
				}
				it.Version = version
				if status != "" {
					it.Status = status
				}
				if setLight {
					it.Light, it.LightReason = light, reason
				}
				if err := h.store.Items.UpdateTx(ctx, tx, it); err != nil {
					return err
				}
			}
			held = tx.Held()
			return nil
		})
		switch domain.ErrorCode(err) {
		case "":
			if len(held) > 0 {
				// Part of the change waits for other sides: say so, and whom.
				outcome = "held"
				q.Set("held", strconv.Itoa(len(held)))
				q.Set("await", strings.Join(awaitedSides(held), ","))
			}
		case domain.Conflict:
			outcome = "conflict"
		case domain.Invalid:
			outcome = "invalid"
			for _, f := range domain.ErrorFields(err) {
				if f.Field == "occurred_on" {
					outcome = "occurred"
				}
			}
		default:
			h.fail(w, r, err)
			return
		}
	}
	q.Set("bulk", outcome)
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}
