package store

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/liandong/liandong/internal/domain"
)

// Publication returns what mechanism publishes; a mechanism that never
// chose publishes nothing (version 0). Errors: NotFound for no mechanism.
func (s *Store) Publication(ctx context.Context, mechanism int64) (domain.Publication, error) {
	return s.reader().publication(ctx, mechanism)
}

func (r reader) publication(ctx context.Context, mechanism int64) (domain.Publication, error) {
	p := domain.Publication{MechanismID: mechanism, Fields: []string{}}
	if ok, err := r.exists(ctx, "mechanisms", mechanism); err != nil {
		return p, domain.Internalf(err, "find mechanism")
	} else if !ok {
		return p, domain.Errorf(domain.NotFound, "mechanism %d not found", mechanism)
	}
	err := r.queryRow(ctx, "SELECT enabled, fields, version FROM publications WHERE mechanism_id = ?", mechanism).Scan(&p.Enabled, jsonCol{&p.Fields}, &p.Version)
	if err != nil && !isNoRows(err) {
		return p, domain.Internalf(err, "read publication")
	}
	return p, nil
}

// SetPublication stores what a mechanism publishes; p.Version must be the
// stored version (0 the first time). Only an administrator or the
// mechanism's secretariat may. Errors: Invalid, NotFound, Forbidden, Conflict.
func (s *Store) SetPublication(ctx context.Context, actor domain.Actor, p domain.Publication) (domain.Publication, error) {
	err := s.Write(ctx, actor, func(t *Tx) error {
		if err := p.Validate(); err != nil {
			return err
		}
		r := t.reader()
		before, err := r.publication(ctx, p.MechanismID)
		if err != nil {
			return err
		}
		pr, err := r.principal(ctx, actor.User)
		if err != nil {
			return err
		}
		if !pr.System() && !pr.Admin && !slices.Contains(pr.Secretariat, p.MechanismID) {
			return domain.Errorf(domain.Forbidden, "only the mechanism's secretariat may choose what it publishes")
		}
		if before.Version != p.Version {
			return staleError("publications", p.MechanismID, p.Version, before.Version)
		}
		p.Version++
		p.Fields = emptyIfNil(p.Fields)
		if before.Version == 0 {
			_, err = r.exec(ctx, "INSERT INTO publications (mechanism_id, enabled, fields, version) VALUES (?, ?, ?, ?)", p.MechanismID, p.Enabled, jsonCol{p.Fields}, p.Version)
		} else {
			_, err = r.exec(ctx, "UPDATE publications SET enabled = ?, fields = ?, version = ? WHERE mechanism_id = ? AND version = ?", p.Enabled, jsonCol{p.Fields}, p.Version, p.MechanismID, before.Version)
		}
		if err != nil {
			return t.s.dialect.normalize(domain.Internalf(err, "store publication"))
		}
		return t.audit(ctx, "publish", "mechanisms", p.MechanismID, before, p)
	})
	return p, err
}

// PublicItems lists a mechanism's items as the public may see them: only
// when it publishes, and only the fields it publishes. Errors: NotFound —
// also for a mechanism that publishes nothing, so the public learns nothing.
func (s *Store) PublicItems(ctx context.Context, mechanism int64, q domain.ListQuery) (domain.Page[domain.PublicItem], error) {
	var out domain.Page[domain.PublicItem]
	pub, err := s.Publication(ctx, mechanism)
	if err != nil || !pub.Enabled {
		return out, domain.Errorf(domain.NotFound, "mechanism %d publishes nothing", mechanism)
	}
	q.Filters = map[string]string{"mechanism": itoa(int(mechanism))}
	q.Viewer, q.Archived = nil, false
	page, err := s.Items.List(ctx, q)
	if err != nil {
		return out, err
	}
	out.NextCursor = page.NextCursor
	out.Items = make([]domain.PublicItem, len(page.Items))
	for i, it := range page.Items {
		b, _ := json.Marshal(it)
		var all map[string]any
		if err := json.Unmarshal(b, &all); err != nil {
			return out, domain.Internalf(err, "project item")
		}
		shown := domain.PublicItem{"id": it.ID}
		for _, f := range pub.Fields {
			shown[f] = all[f]
		}
		out.Items[i] = shown
	}
	return out, nil
}
