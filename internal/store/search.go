package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/search"
)

// indexSearch stores the terms of one record's text in table's index. The
// delete-then-insert of SQLite's statements needs the id twice; the
// arguments follow the statements' placeholders in order.
func (t *Tx) indexSearch(ctx context.Context, table string, id int64, text string) error {
	terms := strings.Join(search.Terms(text), " ")
	for _, stmt := range t.s.dialect.searchIndex(table) {
		args := []any{id, terms}
		if strings.Count(stmt, "?") == 1 {
			args = args[:1]
		}
		if _, err := t.reader().exec(ctx, stmt, args...); err != nil {
			return domain.Internalf(err, "index %s %d", table, id)
		}
	}
	return nil
}

// itemText is what the text index of items covers.
func itemText(it *domain.Item) string {
	return it.Number + " " + it.Title + " " + it.Content
}

// bySearch matches a text query through table's index. One or two CJK
// characters and whole Latin words are decided by the index alone; longer
// CJK runs are matched by all their pairs and rechecked as substrings of
// cols, so results equal a substring search for Chinese text.
func bySearch(table string, cols ...string) filter {
	recheck := byQuery(cols...)
	return func(v string) (string, []any, error) {
		v = strings.TrimSpace(v)
		if v == "" || len([]rune(v)) > MaxQueryLength {
			return "", nil, fmt.Errorf("must be 1 to %d characters", MaxQueryLength)
		}
		terms, exact := search.Query(v)
		if len(terms) == 0 {
			return "", nil, fmt.Errorf("must contain a letter, digit or Chinese character")
		}
		clause := "id IN ({{match:" + table + "}})"
		args := []any{strings.Join(terms, " ")}
		if !exact {
			c, a, err := recheck(v)
			if err != nil {
				return "", nil, err
			}
			clause, args = clause+" AND "+c, append(args, a...)
		}
		return clause, args, nil
	}
}

// ReindexSearch rebuilds the text index of every item, for a database
// whose items predate the index.
func (s *Store) ReindexSearch(ctx context.Context) error {
	return s.Write(ctx, domain.Actor{}, func(t *Tx) error {
		rows, err := t.reader().query(ctx, "SELECT id, number, title, content FROM items")
		if err != nil {
			return domain.Internalf(err, "read items")
		}
		type doc struct {
			id   int64
			text string
		}
		var docs []doc
		for rows.Next() {
			var d doc
			var it domain.Item
			if err := rows.Scan(&d.id, &it.Number, &it.Title, &it.Content); err != nil {
				rows.Close()
				return domain.Internalf(err, "read items")
			}
			d.text = itemText(&it)
			docs = append(docs, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return domain.Internalf(err, "read items")
		}
		for _, d := range docs {
			if err := t.indexSearch(ctx, "items", d.id, d.text); err != nil {
				return err
			}
		}
		return nil
	})
}
