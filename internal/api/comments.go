package api

import (
	"net/http"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// CommentRequest is the body of a new comment: its text, where @单位名 (or
// @unit name) mentions a member unit of the record's mechanism; the unit
// the author writes for, if any; and its kind, "response" for a problem's
// responsible unit answering it.
type CommentRequest struct {
	Body   string             `json:"body"`
	UnitID int64              `json:"unit_id,omitempty"`
	Kind   domain.CommentKind `json:"kind,omitempty"`
}

// CommentList is the comments on a record, oldest first.
type CommentList struct {
	Items []domain.Comment `json:"items"`
}

// commentRoutes are the comments on items, problems and tasks: who reads
// the record reads them; who reads it through a grant other than a
// viewer's writes them (policy.Comment).
func (a *API) commentRoutes() []route {
	var rs []route
	for _, n := range []struct{ plural, schema string }{{"items", "Item"}, {"problems", "Problem"}, {"tasks", "Task"}} {
		path := Prefix + "/" + n.plural + "/{id}/comments"
		summary := "Comment on a " + n.schema + "; each @name must be a member unit of its mechanism (refused with the closest names otherwise) and is kept as the unit's id"
		if n.plural == "problems" {
			summary += "; kind response answers the problem for one of its responsible units you act for"
		}
		rs = append(rs,
			route{method: "GET", path: path, op: "list" + n.schema + "Comments", tag: tagWork, summary: "The comments on a " + n.schema + ", oldest first",
				response: CommentList{}, status: 200, errors: []int{401, 403, 404}, handler: a.listComments(n.plural)},
			route{method: "POST", path: path, op: "comment" + n.schema, tag: tagWork,
				summary: summary,
				body:    CommentRequest{}, response: domain.Comment{}, status: 201, errors: []int{400, 401, 403, 404, 413, 422}, handler: a.addComment(n.plural)},
		)
	}
	return rs
}

func (a *API) listComments(entity string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, entity)
		var list []domain.Comment
		if err == nil {
			err = a.allow(r, policy.Read, entity)
		}
		if err == nil {
			list, err = a.store.Comments(r.Context(), actor(r), entity, id)
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, CommentList{Items: list})
	}
}

func (a *API) addComment(entity string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, entity)
		if err == nil {
			err = a.allow(r, policy.Read, entity)
		}
		var body CommentRequest
		var b []byte
		if err == nil {
			b, err = readBody(w, r)
		}
		if err == nil {
			err = decodeStrict(b, &body)
		}
		c := &domain.Comment{Entity: entity, RecordID: id, Body: body.Body, UnitID: body.UnitID, Kind: body.Kind}
		if err == nil {
			err = a.store.AddComment(r.Context(), actor(r), c)
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, c)
	}
}
