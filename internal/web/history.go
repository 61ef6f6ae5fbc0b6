package web

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// historyRow is one audit event as a record's page shows it, newest first.
type historyRow struct {
	Event   domain.AuditEvent
	When    string // when it was recorded, or when it happened and when it was recorded
	Actor   string
	Changed []string // the fields that differ between before and after
}

// history reads the audit events of a record for its page, newest first,
// each with who made it and what it changed.
func (h *Handler) history(ctx context.Context, t tr, entity string, id int64) ([]historyRow, error) {
	events, err := h.store.History(ctx, entity, id)
	if err != nil {
		return nil, err
	}
	remote, err := h.store.RemoteActors(ctx, entity, id)
	if err != nil {
		return nil, err
	}
	units := map[int64]string{} // the peer's actors' units, read once a page
	out := make([]historyRow, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		ev := events[i]
		row := historyRow{Event: ev, When: t.Happened(ev)}
		for _, f := range changedFields(ev.Before, ev.After) {
			if t.Has("field." + f) {
				f = t.T("field." + f)
			}
			row.Changed = append(row.Changed, f)
		}
		if a, ok := remote[ev.ID]; ok {
			row.Actor = h.remoteActor(ctx, t, a, units)
		} else if ev.ActorID == 0 {
			row.Actor = t.T("history.system")
		} else if u, err := h.store.Users.Get(ctx, ev.ActorID); err == nil {
			row.Actor = u.Name
		}
		out = append(out, row)
	}
	return out, nil
}

// remoteActor names who made a change on the installation that sent it:
// "成都联络员（温江区人民政府，liandong/chengdu）", or its system.
func (h *Handler) remoteActor(ctx context.Context, t tr, a store.RemoteActor, units map[int64]string) string {
	if a.Role == "system" {
		return t.F("history.remote_system", a.Peer)
	}
	if _, read := units[a.UnitID]; !read && a.UnitID != 0 {
		if u, err := h.store.Organizations.Get(ctx, a.UnitID); err == nil {
			units[a.UnitID] = u.Name
		} else {
			units[a.UnitID] = ""
		}
	}
	if unit := units[a.UnitID]; unit != "" {
		return t.F("history.remote_in_unit", a.Name, unit, a.Peer)
	}
	return t.F("history.remote", a.Name, a.Peer)
}

// changedFields names the top-level fields that differ between two JSON
// snapshots of a record, leaving out the bookkeeping ones. A creation has
// no before and lists nothing.
func changedFields(before, after string) []string {
	if before == "" {
		return nil
	}
	var a, b map[string]any
	_ = json.Unmarshal([]byte(before), &a)
	_ = json.Unmarshal([]byte(after), &b)
	var out []string
	for k, v := range b {
		switch k {
		case "version", "updated_at", "created_at", "id":
			continue
		case "pending": // derived: the changes held have entries of their own
			continue
		}
		if !reflect.DeepEqual(a[k], v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
