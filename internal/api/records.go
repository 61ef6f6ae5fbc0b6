package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

type entity[T any] interface {
	*T
	domain.Entity
}

// records serves the five actions every noun shares: list, create, read,
// update (a JSON merge patch based on a stated version) and archive, plus
// the record's history. Handlers authenticate, decode, call the store and
// encode; the rules are the store's and the policy's.
type records[T any, P entity[T]] struct {
	api  *API
	rs   *store.Records[T, P]
	path string // the collection's URL, /api/v1/items
}

func (h records[T, P]) list(w http.ResponseWriter, r *http.Request) {
	if err := h.api.allow(r, policy.Read, h.rs.Entity()); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	q, err := listQuery(r)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	q.Viewer = currentUser(r)
	page, err := h.rs.List(r.Context(), q)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (h records[T, P]) get(w http.ResponseWriter, r *http.Request) {
	if err := h.api.allow(r, policy.Read, h.rs.Entity()); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	v, err := h.load(r)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	writeRecord(w, http.StatusOK, v)
}

func (h records[T, P]) create(w http.ResponseWriter, r *http.Request) {
	if err := h.api.allow(r, policy.Write, h.rs.Entity()); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	b, err := readBody(w, r)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	v := P(new(T))
	if err := decodeStrict(b, v); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	*v.Base() = domain.Record{Source: v.Base().Source}
	if err := h.rs.Create(r.Context(), actor(r), v); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	stored, err := h.rs.Get(r.Context(), v.Base().ID)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", h.path+"/"+strconv.FormatInt(stored.Base().ID, 10))
	writeRecord(w, http.StatusCreated, stored)
}

// update applies a JSON merge patch (RFC 7386) to the stored record. The
// caller states the version it read, in If-Match or a "version" field; a
// stale one is refused by the store and changes nothing.
func (h records[T, P]) update(w http.ResponseWriter, r *http.Request) {
	if err := h.api.allow(r, policy.Write, h.rs.Entity()); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	current, err := h.load(r)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	b, err := readBody(w, r)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	var patch map[string]any
	if err := decodeNumbers(b, &patch); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	version, err := basedOn(r, patch)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	var target map[string]any
	cur, _ := json.Marshal(current)
	if err := decodeNumbers(cur, &target); err != nil {
		h.api.writeError(w, r, domain.Internalf(err, "re-read record"))
		return
	}
	merged := mergePatch(target, patch).(map[string]any)
	merged["id"], merged["version"] = current.Base().ID, version
	mb, _ := json.Marshal(merged)
	v := P(new(T))
	if err := decodeStrict(mb, v); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	if err := h.rs.Update(r.Context(), actor(r), v); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	stored, err := h.rs.Get(r.Context(), v.Base().ID)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	writeRecord(w, http.StatusOK, stored)
}

// archive takes the record out of the lists. Records are never deleted:
// items, meetings and reports refer to them and the audit trail keeps them.
func (h records[T, P]) archive(w http.ResponseWriter, r *http.Request) {
	h.setArchived(w, r, h.rs.Archive)
}

// restore brings an archived record back into the lists.
func (h records[T, P]) restore(w http.ResponseWriter, r *http.Request) {
	h.setArchived(w, r, h.rs.Restore)
}

// setArchived archives or restores the record {id}, based on the version
// stated in If-Match or ?version=. Where the other side of an item must
// confirm it, the answer is the item unchanged, with the change pending.
func (h records[T, P]) setArchived(w http.ResponseWriter, r *http.Request, set func(context.Context, domain.Actor, int64, int64) (P, error)) {
	if err := h.api.allow(r, policy.Write, h.rs.Entity()); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	id, err := pathID(r, h.rs.Entity())
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	query := map[string]any{}
	if v := r.URL.Query().Get("version"); v != "" {
		query["version"] = json.Number(v)
	}
	version, err := basedOn(r, query)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	v, err := set(r.Context(), actor(r), id, version)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	writeRecord(w, http.StatusOK, v)
}

func (h records[T, P]) history(w http.ResponseWriter, r *http.Request) {
	if err := h.api.allow(r, policy.Read, h.rs.Entity()); err != nil {
		h.api.writeError(w, r, err)
		return
	}
	id, err := pathID(r, h.rs.Entity())
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	events, err := h.rs.HistoryAs(r.Context(), actor(r), id)
	if err != nil {
		h.api.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, History{Items: events})
}

func (h records[T, P]) load(r *http.Request) (P, error) { return loadAs(r, h.rs) }

// loadAs reads the record of rs that {id} names, as the caller may see it.
func loadAs[T any, P entity[T]](r *http.Request, rs *store.Records[T, P]) (P, error) {
	id, err := pathID(r, rs.Entity())
	if err != nil {
		return nil, err
	}
	return rs.GetAs(r.Context(), actor(r), id)
}

// pathID reads {id}; a malformed id names no record, so it is a 404.
func pathID(r *http.Request, entity string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.NotFound, "no %s has the id %q", entity, r.PathValue("id"))
	}
	return id, nil
}

// writeRecord sends a record with its version as a strong ETag, which the
// client returns in If-Match to update it.
func writeRecord[T any, P entity[T]](w http.ResponseWriter, st int, v P) {
	w.Header().Set("ETag", etag(v.Base().Version))
	writeJSON(w, st, v)
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// basedOn returns the version a change is based on: If-Match wins, else a
// "version" field. Stating none is refused with 428, since an update that
// does not say what it saw could silently overwrite another's change.
func basedOn(r *http.Request, fields map[string]any) (int64, error) {
	if im := r.Header.Get("If-Match"); im != "" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(strings.TrimSpace(im), "W/"), `"`), 10, 64)
		if err != nil || v <= 0 {
			return 0, fieldError(badRequest, "If-Match", `must be the ETag of the version read, such as "3"`)
		}
		return v, nil
	}
	raw, ok := fields["version"]
	if !ok {
		return 0, &domain.Error{Code: domain.Precondition, Message: "state the version your change is based on",
			Fields: []domain.FieldError{{Field: "version", Reason: "is required: send If-Match with the ETag you read, or a version field"}}}
	}
	n, ok := raw.(json.Number)
	v, err := n.Int64()
	if !ok || err != nil || v <= 0 {
		return 0, fieldError(badRequest, "version", "must be a positive whole number")
	}
	return v, nil
}

func decodeNumbers(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return fieldError(badRequest, "body", "holds more than one JSON value")
	}
	return nil
}

// Query parameters a list reads itself; every other parameter is a filter.
const (
	paramSort     = "sort"
	paramOrder    = "order"
	paramLimit    = "limit"
	paramCursor   = "cursor"
	paramArchived = "archived"
)

func listQuery(r *http.Request) (domain.ListQuery, error) {
	q := domain.ListQuery{Filters: map[string]string{}}
	var p domain.Problems
	for name, vals := range r.URL.Query() {
		if len(vals) != 1 {
			p.Add(name, "may be given once")
			continue
		}
		v := vals[0]
		switch name {
		case paramSort:
			q.Sort = v
		case paramOrder:
			switch v {
			case "asc":
			case "desc":
				q.Desc = true
			default:
				p.Add(name, "must be asc or desc")
			}
		case paramLimit:
			n, err := strconv.Atoi(v)
			if err != nil {
				p.Add(name, "must be a whole number")
			}
			q.Limit = n
		case paramCursor:
			q.Cursor = v
		case paramArchived:
			b, err := strconv.ParseBool(v)
			if err != nil {
				p.Add(name, "must be true or false")
			}
			q.Archived = b
		default:
			q.Filters[name] = v
		}
	}
	if len(p) > 0 {
		return q, &domain.Error{Code: badRequest, Message: "the query is malformed", Fields: p}
	}
	return q, nil
}
