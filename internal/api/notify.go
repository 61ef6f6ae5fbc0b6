package api

import (
	"net/http"
	"strconv"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// notifyRoutes are the notification channels of each mechanism and the
// delivery log of the reminders sent through them.
func notifyRoutes(a *API) []route {
	rs := resource(a, "notification-channels", "NotificationChannel", tagMechanisms, a.store.NotificationChannels())
	return append(rs, route{method: "GET", path: Prefix + "/deliveries", op: "listDeliveries", summary: "The delivery log of reminders, newest first", tag: tagMechanisms,
		response: DeliveryList{}, status: 200, errors: []int{400, 401, 403}, handler: a.listDeliveries, query: []param{
			{"mechanism", "filter by mechanism"}, {"channel", "filter by channel"}, {"status", "delivered or failed"},
			{"before", "entries older than this id: the next_before of the previous page"}, {"limit", "page size, 1 to 200, default 50"}}})
}

// DeliveryList is a page of the delivery log.
type DeliveryList struct {
	Items      []domain.Delivery `json:"items"`
	NextBefore int64             `json:"next_before,omitempty"`
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) {
	if err := a.allow(r, policy.Read, "notification_channels"); err != nil {
		a.writeError(w, r, err)
		return
	}
	var q store.DeliveryQuery
	var p domain.Problems
	num := func(name string) int64 {
		v := r.URL.Query().Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			p.Add(name, "must be a positive whole number")
		}
		return n
	}
	q.MechanismID, q.ChannelID, q.Before, q.Limit = num("mechanism"), num("channel"), num("before"), int(num("limit"))
	switch st := domain.DeliveryStatus(r.URL.Query().Get("status")); st {
	case "", domain.Delivered, domain.Failed:
		q.Status = st
	default:
		p.Add("status", "must be delivered or failed")
	}
	for name := range r.URL.Query() {
		switch name {
		case "mechanism", "channel", "before", "limit", "status":
		default:
			p.Addf(name, "is not a filter of this list; use one of %s", "before, channel, limit, mechanism, status")
		}
	}
	if q.Limit > domain.MaxPageSize {
		p.Addf("limit", "must be between 1 and %d", domain.MaxPageSize)
	}
	if len(p) > 0 {
		a.writeError(w, r, &domain.Error{Code: badRequest, Message: "the query is malformed", Fields: p})
		return
	}
	if q.Limit == 0 {
		q.Limit = domain.DefaultPageSize
	}
	// The log names each mechanism's channels and reminders: it is for those
	// who oversee the mechanism; the whole log across mechanisms is for
	// administrators and system-wide readers.
	if err := a.store.Oversee(r.Context(), actor(r), q.MechanismID, policy.Read); err != nil {
		a.writeError(w, r, err)
		return
	}
	items, err := a.store.Deliveries(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// A failed delivery's error may name the address it posted to, key
	// and all: masked, as the channel is, for those who only read.
	administered := map[int64]bool{}
	for i := range items {
		m := items[i].MechanismID
		whole, known := administered[m]
		if !known {
			if whole, err = a.store.Administers(r.Context(), actor(r), m); err != nil {
				a.writeError(w, r, err)
				return
			}
			administered[m] = whole
		}
		if !whole {
			items[i].Error = domain.MaskURLs(items[i].Error)
		}
	}
	out := DeliveryList{Items: items}
	if len(items) == q.Limit {
		out.NextBefore = items[len(items)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

func init() {
	enum(domain.ChannelKinds)
	enum([]domain.DeliveryStatus{domain.Delivered, domain.Failed})
}
