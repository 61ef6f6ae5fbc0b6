package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/message"
)

// commentRow is one comment as the comments partial shows it.
type commentRow struct {
	Comment  domain.Comment
	Unit     string
	Segments []commentSegment
}

// commentSegment is a piece of a comment's text; a mention links to the
// items of the unit it names.
type commentSegment struct {
	Text   string
	UnitID int64
}

// unitChoice is a unit a user may write a comment for.
type unitChoice struct {
	ID   int64
	Name string
}

// commentsBlock is the comments partial of an item, a problem or a task:
// the comments, oldest first, and the form, offered only to who may
// comment (store.MayComment), with the units the user writes for and, on
// a problem, the responsible units it may answer for.
type commentsBlock struct {
	Action   string
	CSRF     string
	Rows     []commentRow
	May      bool
	Units    []unitChoice
	Responds []unitChoice
	Body     string
	Unit     int64
	Response bool
	Error    string
	Fields   map[string]string
}

// commentRefusal is a refused comment, which the record's page shows
// again at its form with what was typed.
type commentRefusal struct {
	Error  string
	Fields map[string]string
}

type commentRefusalKey struct{}

// comments builds the comments partial of the record entity/id for the
// page r asks for.
func (h *Handler) comments(r *http.Request, t tr, rf *refs, entity string, id int64) (*commentsBlock, error) {
	ctx := r.Context()
	list, err := h.store.Comments(ctx, actor(r), entity, id)
	if err != nil {
		return nil, err
	}
	b := &commentsBlock{Action: "/" + entity + "/" + strconv.FormatInt(id, 10) + "/comments", CSRF: state(r).csrf, Fields: map[string]string{}}
	for _, c := range list {
		row := commentRow{Comment: c, Unit: rf.orgName(t, c.UnitID)}
		var named []domain.Mentionable
		for _, u := range c.Mentions {
			if o, ok := rf.orgs[u]; ok {
				named = append(named, domain.Mentionable{ID: u, Names: append([]string{o.Name, o.NameEN}, o.Aliases...)})
			}
		}
		for _, sg := range domain.SplitMentions(c.Body, named) {
			row.Segments = append(row.Segments, commentSegment{Text: sg.Text, UnitID: sg.UnitID})
		}
		b.Rows = append(b.Rows, row)
	}
	rights, err := h.store.MayComment(ctx, actor(r), entity, id)
	switch domain.ErrorCode(err) {
	case "":
		b.May = true
	case domain.Forbidden:
	default:
		return nil, err
	}
	for _, u := range rights.Units {
		b.Units = append(b.Units, unitChoice{u, rf.orgName(t, u)})
	}
	for _, u := range rights.Responds {
		b.Responds = append(b.Responds, unitChoice{u, rf.orgName(t, u)})
	}
	if rf, ok := ctx.Value(commentRefusalKey{}).(*commentRefusal); ok {
		b.Error, b.Fields = rf.Error, rf.Fields
		b.Body, b.Unit, b.Response = r.PostFormValue("body"), formID(r, "unit"), r.PostFormValue("kind") == string(domain.CommentResponse)
	}
	return b, nil
}

// commentAdd answers POST /{items,problems,tasks}/{id}/comments: the
// comment is stored and the record's page shown at it; refused, show
// renders the record's page again with the comment form as it was sent
// and the reason at it. A record the user may not read is not found.
func (h *Handler) commentAdd(entity string, show http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := h.tr(state(r).locale)
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		c := &domain.Comment{Entity: entity, RecordID: id, Body: r.PostFormValue("body"), UnitID: formID(r, "unit"), Kind: domain.CommentNote}
		if r.PostFormValue("kind") == string(domain.CommentResponse) {
			c.Kind = domain.CommentResponse
		}
		err = h.store.AddComment(r.Context(), actor(r), c)
		refusal := &commentRefusal{Fields: fieldMessages(t, err)}
		switch domain.ErrorCode(err) {
		case "":
			http.Redirect(w, r, "/"+entity+"/"+strconv.FormatInt(id, 10)+"#comment-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
			return
		case domain.Invalid:
			refusal.Error = t.T("form.fix")
		case domain.Forbidden:
			refusal.Error = message.Of(t.locale, err).Message
		default:
			h.fail(w, r, err)
			return
		}
		if strings.TrimSpace(refusal.Error) == "" {
			refusal.Error = t.T("error.forbidden")
		}
		r = r.WithContext(context.WithValue(r.Context(), commentRefusalKey{}, refusal))
		show(statusWriter{w, http.StatusUnprocessableEntity}, r)
	}
}

// statusWriter answers with status where the page would have answered 200:
// a page shown again for a refused form.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s statusWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		code = s.status
	}
	s.ResponseWriter.WriteHeader(code)
}
