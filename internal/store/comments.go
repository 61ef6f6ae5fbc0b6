package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// Comments on items, problems and tasks. Who may comment is the policy's
// (policy.Comment: whoever reads the record through a grant other than a
// viewer's); a user who may not read the record is answered as if it did
// not exist. A comment is appended, never changed, and audited in the
// transaction that stores it. The units it mentions (@单位名) are resolved
// against the member units of the record's mechanism when it is saved
// (domain.ResolveMentions) and kept by id, so a unit's inbox finds them
// (MentionsOf).

// commentTarget is what a comment needs to know of the record it is on.
type commentTarget struct {
	obj         policy.Object
	responsible []int64 // a problem's responsible units
}

// commentTargetOf reads the record entity/id as the system sees it.
// Errors: NotFound (also for an entity that takes no comments).
func (s *Store) commentTargetOf(ctx context.Context, r reader, entity string, id int64) (commentTarget, error) {
	var tg commentTarget
	var err error
	switch entity {
	case items.name:
		tg.obj, _, err = objectOf(ctx, r, s, items, id)
	case problems.name:
		var p *domain.Problem
		if tg.obj, p, err = objectOf(ctx, r, s, problems, id); err == nil {
			for _, u := range p.Responsible {
				tg.responsible = append(tg.responsible, u.OrganizationID)
			}
		}
	case tasks.name:
		tg.obj, _, err = objectOf(ctx, r, s, tasks, id)
	default:
		err = domain.Errorf(domain.NotFound, "%s %d not found", singular(entity), id)
	}
	return tg, err
}

func objectOf[T any, P entity[T]](ctx context.Context, r reader, s *Store, tb *table[T, P], id int64) (policy.Object, P, error) {
	v, err := tb.records(s).get(ctx, r, id)
	if err != nil {
		return policy.Object{}, nil, err
	}
	obj := policy.Object{}
	if tb.object != nil {
		if obj, err = tb.object(ctx, r, v); err != nil {
			return obj, nil, err
		}
	}
	obj.Entity = tb.name
	return obj, v, nil
}

// readTarget returns the record entity/id if actor may read it, with the
// actor's principal. Errors: NotFound, also for a record that exists but is
// not the actor's to see.
func (s *Store) readTarget(ctx context.Context, r reader, actor domain.Actor, entity string, id int64) (commentTarget, *policy.Principal, error) {
	tg, err := s.commentTargetOf(ctx, r, entity, id)
	if err != nil {
		return tg, nil, err
	}
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return tg, nil, err
	}
	if policy.Decide(pr, policy.Read, tg.obj) != nil {
		return tg, nil, notVisible(entity, id)
	}
	return tg, pr, nil
}

// CommentRights is what a user may write on a record: the units it may
// write a comment for, and those of a problem's responsible units it may
// answer the problem for (a response).
type CommentRights struct {
	Units    []int64
	Responds []int64
}

// MayComment tells whether actor may comment on the record entity/id and
// what for, so a page offers the form only to whom it works. Errors:
// NotFound (the record is not the actor's to read), Forbidden (it reads
// but may not comment).
func (s *Store) MayComment(ctx context.Context, actor domain.Actor, entity string, id int64) (CommentRights, error) {
	r := s.reader()
	tg, pr, err := s.readTarget(ctx, r, actor, entity, id)
	if err != nil {
		return CommentRights{}, err
	}
	return s.commentRights(ctx, r, actor, tg, pr)
}

func (s *Store) commentRights(ctx context.Context, r reader, actor domain.Actor, tg commentTarget, pr *policy.Principal) (CommentRights, error) {
	sp, err := r.principal(ctx, policy.Speaking(actor.User))
	if err != nil {
		return CommentRights{}, err
	}
	if err := policy.Comment(sp, tg.obj); err != nil {
		return CommentRights{}, err
	}
	var cr CommentRights
	for _, u := range pr.UnitsIn(tg.obj.MechanismID) {
		if !slices.Contains(cr.Units, u) {
			cr.Units = append(cr.Units, u)
		}
	}
	if tg.obj.Entity == problems.name {
		cr.Responds = policy.Responds(pr, tg.obj.MechanismID, tg.responsible)
	}
	return cr, nil
}

// AddComment stores c, by actor, on the record c.Entity/c.RecordID, setting
// its id, author, time and the units its body mentions. A response
// (domain.CommentResponse) answers a problem for one of its responsible
// units that actor acts for: c.UnitID, or the only such unit when c.UnitID
// is 0. Errors: NotFound (no such record, or one actor may not read),
// Forbidden (actor reads but may not comment, or writes for a unit it does
// not act for), Invalid (an empty body, a mention of no member unit of the
// record's mechanism, a response actor may not give).
func (s *Store) AddComment(ctx context.Context, actor domain.Actor, c *domain.Comment) error {
	if c.Kind == "" {
		c.Kind = domain.CommentNote
	}
	c.Body = strings.TrimSpace(c.Body)
	if slices.Contains(domain.CommentEntities, c.Entity) {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	return s.Write(ctx, actor, func(t *Tx) error {
		r := t.reader()
		tg, pr, err := s.readTarget(ctx, r, actor, c.Entity, c.RecordID)
		if err != nil {
			return err
		}
		rights, err := s.commentRights(ctx, r, actor, tg, pr)
		if err != nil {
			return err
		}
		mech := tg.obj.MechanismID
		switch {
		case c.Kind == domain.CommentResponse && c.Entity != problems.name:
			return domain.Problems{domain.FieldErrorf("kind", "a response answers a problem")}.Err()
		case c.Kind == domain.CommentResponse:
			if c.UnitID == 0 && len(rights.Responds) == 1 {
				c.UnitID = rights.Responds[0]
			}
			if !slices.Contains(rights.Responds, c.UnitID) {
				return domain.Problems{domain.FieldErrorf("unit_id", "a response is written for one of the problem's responsible units that you act for")}.Err()
			}
		case c.UnitID != 0:
			if err := policy.SpeaksFor(pr, mech, c.UnitID); err != nil {
				return err
			}
		}
		units, err := mentionable(ctx, r, mech)
		if err != nil {
			return err
		}
		if c.Mentions, err = domain.ResolveMentions("body", c.Body, units); err != nil {
			return err
		}
		c.AuthorID, c.CreatedAt = actor.UserID, t.now
		if actor.User != nil {
			c.AuthorName = actor.User.Name
		}
		if err := r.queryRow(ctx, "INSERT INTO comments (entity, record_id, kind, author_id, organization_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			c.Entity, c.RecordID, string(c.Kind), c.AuthorID, optID(c.UnitID), c.Body, c.CreatedAt).Scan(&c.ID); err != nil {
			return domain.Internalf(err, "store comment")
		}
		for _, u := range c.Mentions {
			if _, err := r.exec(ctx, "INSERT INTO comment_mentions (comment_id, organization_id) VALUES (?, ?)", c.ID, u); err != nil {
				return domain.Internalf(err, "store mention")
			}
		}
		return t.audit(ctx, "create", "comments", c.ID, nil, c)
	})
}

// mentionable lists the member units of mechanism by all their names.
func mentionable(ctx context.Context, r reader, mechanism int64) ([]domain.Mentionable, error) {
	var out []domain.Mentionable
	at := map[int64]int{}
	err := loadRows(ctx, r, `SELECT o.id, o.name, o.name_en FROM organizations o JOIN mechanism_members m ON m.organization_id = o.id
		WHERE m.mechanism_id IN (?) AND o.archived_at IS NULL ORDER BY o.id`, []any{mechanism}, func(rows *sql.Rows) error {
		var id int64
		var name, en string
		if err := rows.Scan(&id, &name, &en); err != nil {
			return err
		}
		if _, ok := at[id]; ok {
			return nil
		}
		at[id] = len(out)
		u := domain.Mentionable{ID: id, Names: []string{name}}
		if en != "" {
			u.Names = append(u.Names, en)
		}
		out = append(out, u)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out))
	for _, u := range out {
		ids = append(ids, u.ID)
	}
	err = loadRows(ctx, r, "SELECT organization_id, alias FROM organization_aliases WHERE organization_id IN (?) ORDER BY organization_id, position", ids, func(rows *sql.Rows) error {
		var id int64
		var alias string
		if err := rows.Scan(&id, &alias); err != nil {
			return err
		}
		out[at[id]].Names = append(out[at[id]].Names, alias)
		return nil
	})
	return out, err
}

const commentSelect = `SELECT c.id, c.entity, c.record_id, c.kind, c.author_id, COALESCE(u.name, ''), c.organization_id, c.body, c.created_at
	FROM comments c LEFT JOIN users u ON u.id = c.author_id`

// Comments lists the comments on the record entity/id, oldest first, if
// actor may read the record. Errors: NotFound.
func (s *Store) Comments(ctx context.Context, actor domain.Actor, entity string, id int64) ([]domain.Comment, error) {
	r := s.reader()
	if _, _, err := s.readTarget(ctx, r, actor, entity, id); err != nil {
		return nil, err
	}
	return s.comments(ctx, r, commentSelect+" WHERE c.entity = ? AND c.record_id = ? ORDER BY c.id", entity, id)
}

// MentionsOf returns the comments, oldest first, that mention any of units
// and were written at or after since, whatever record they are on. It
// applies no policy: a mention is addressed to the unit, so the caller
// shows it to the users who act for the unit; the record it links to still
// answers by the policy.
func (s *Store) MentionsOf(ctx context.Context, units []int64, since time.Time) ([]domain.Comment, error) {
	if len(units) == 0 {
		return []domain.Comment{}, nil
	}
	return s.comments(ctx, s.reader(), commentSelect+" WHERE c.created_at >= ? AND c.id IN (SELECT comment_id FROM comment_mentions WHERE organization_id IN (?)) ORDER BY c.id",
		since.UTC().Truncate(time.Microsecond), int64sAny(units))
}

// comments runs q, whose last argument may be a list that one (?) in q
// stands for, and loads the mentions of each comment.
func (s *Store) comments(ctx context.Context, r reader, q string, args ...any) ([]domain.Comment, error) {
	if n := len(args); n > 0 {
		if list, ok := args[n-1].([]any); ok {
			q = strings.Replace(q, "(?)", "("+placeholders(len(list))+")", 1)
			args = append(args[:n-1:n-1], list...)
		}
	}
	out := []domain.Comment{}
	at := map[int64]int{}
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, domain.Internalf(err, "list comments")
	}
	defer rows.Close()
	for rows.Next() {
		var c domain.Comment
		if err := rows.Scan(&c.ID, &c.Entity, &c.RecordID, &c.Kind, &c.AuthorID, &c.AuthorName, idCol{&c.UnitID}, &c.Body, timeCol{&c.CreatedAt}); err != nil {
			return nil, domain.Internalf(err, "scan comment")
		}
		c.Mentions = []int64{}
		at[c.ID] = len(out)
		out = append(out, c)
	}
	err = rows.Err()
	rows.Close() // before the next query: a pool may hold one connection
	if err != nil {
		return nil, domain.Internalf(err, "list comments")
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]any, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	err = loadRows(ctx, r, "SELECT comment_id, organization_id FROM comment_mentions WHERE comment_id IN (?) ORDER BY comment_id, organization_id", ids, func(rows *sql.Rows) error {
		var id, u int64
		if err := rows.Scan(&id, &u); err != nil {
			return err
		}
		out[at[id]].Mentions = append(out[at[id]].Mentions, u)
		return nil
	})
	return out, err
}
