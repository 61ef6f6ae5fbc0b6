package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// Filter builders shared by the lists. Each returns clauses with ?
// placeholders and refuses a malformed value with a reason.

func byID(col string) filter {
	return func(v string) (string, []any, error) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return "", nil, errors.New("must be a positive id")
		}
		return col + " = ?", []any{id}, nil
	}
}

// byIDIn matches rows whose id appears in a sub-select keyed by one id.
func byIDIn(subselect string) filter {
	return func(v string) (string, []any, error) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return "", nil, errors.New("must be a positive id")
		}
		return "id IN (" + subselect + ")", []any{id}, nil
	}
}

func byText(col string) filter {
	return func(v string) (string, []any, error) { return col + " = ?", []any{v}, nil }
}

func byInt(col string) filter {
	return func(v string) (string, []any, error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", nil, errors.New("must be a whole number")
		}
		return col + " = ?", []any{n}, nil
	}
}

// byEnum matches one of the allowed values, or any of several given
// separated by commas (status=submitted,accepted).
func byEnum[S ~string](col string, allowed []S) filter {
	return func(v string) (string, []any, error) {
		var args []any
		for _, one := range strings.Split(v, ",") {
			if !slices.Contains(allowed, S(one)) {
				names := make([]string, 0, len(allowed))
				for _, a := range allowed {
					names = append(names, string(a))
				}
				return "", nil, fmt.Errorf("must be one of %s, or several of them separated by commas", strings.Join(names, ", "))
			}
			args = append(args, one)
		}
		if len(args) == 1 {
			return col + " = ?", args, nil
		}
		return col + " IN (" + placeholders(len(args)) + ")", args, nil
	}
}

func byBool(col string) filter {
	return func(v string) (string, []any, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", nil, errors.New("must be true or false")
		}
		return col + " = ?", []any{b}, nil
	}
}

// byDate compares a date column (or a sub-select yielding one) with op.
func byDate(expr, op string) filter {
	return func(v string) (string, []any, error) {
		d, err := domain.ParseDate(v)
		if err != nil {
			return "", nil, err
		}
		return expr + " " + op + " ?", []any{d.String()}, nil
	}
}

// MaxQueryLength bounds the text query.
const MaxQueryLength = 100

// byQuery matches a text query as a case-insensitive substring of any of
// the columns. LIKE is the reference behaviour for Chinese one- and
// two-character terms; the scale work may index it without changing results.
func byQuery(cols ...string) filter {
	return func(v string) (string, []any, error) {
		v = strings.TrimSpace(v)
		if v == "" || len([]rune(v)) > MaxQueryLength {
			return "", nil, fmt.Errorf("must be 1 to %d characters", MaxQueryLength)
		}
		pat := "%" + escapeLike(strings.ToLower(v)) + "%"
		parts := make([]string, len(cols))
		args := make([]any, len(cols))
		for i, c := range cols {
			parts[i] = "LOWER(" + c + ") LIKE ? ESCAPE '\\'"
			args[i] = pat
		}
		return "(" + strings.Join(parts, " OR ") + ")", args, nil
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// ids collects the ids of a page for child loading.
func ids[T any, P entity[T]](page []P) ([]any, map[int64]P) {
	args := make([]any, len(page))
	byID := make(map[int64]P, len(page))
	for i, v := range page {
		args[i] = v.Base().ID
		byID[v.Base().ID] = v
	}
	return args, byID
}

// loadRows runs a child query over a page's ids and hands each row to fn.
func loadRows(ctx context.Context, r reader, query string, args []any, fn func(rows *sql.Rows) error) error {
	rows, err := r.query(ctx, strings.Replace(query, "(?)", "("+placeholders(len(args))+")", 1), args...)
	if err != nil {
		return domain.Internalf(err, "load children")
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return domain.Internalf(err, "scan children")
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Internalf(err, "load children")
	}
	return nil
}

// replaceRows deletes a record's child rows and inserts the new ones.
func (t *Tx) replaceRows(ctx context.Context, table, parentCol string, parent int64, cols []string, rows [][]any) error {
	r := t.reader()
	if _, err := r.exec(ctx, "DELETE FROM "+table+" WHERE "+parentCol+" = ?", parent); err != nil {
		return domain.Internalf(err, "clear %s", table)
	}
	q := "INSERT INTO " + table + " (" + parentCol + ", " + strings.Join(cols, ", ") + ") VALUES (" + placeholders(len(cols)+1) + ")"
	for _, row := range rows {
		if _, err := r.exec(ctx, q, append([]any{parent}, row...)...); err != nil {
			return t.s.dialect.normalize(domain.Internalf(err, "insert %s", table))
		}
	}
	return nil
}

// syncRows keeps child rows that carry their own id (milestones, decisions)
// so that links to them survive edits: rows with a known id are updated,
// rows without one inserted, and stored rows no longer listed deleted. It
// returns the ids in the order given.
func (t *Tx) syncRows(ctx context.Context, table, parentCol string, parent int64, cols []string, idsIn []int64, rows [][]any) ([]int64, error) {
	r := t.reader()
	stored := map[int64]bool{}
	err := loadRows(ctx, r, "SELECT id FROM "+table+" WHERE "+parentCol+" IN (?)", []any{parent}, func(rs *sql.Rows) error {
		var id int64
		err := rs.Scan(&id)
		stored[id] = true
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(rows))
	keep := map[int64]bool{}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = ?"
	}
	for i, row := range rows {
		id := idsIn[i]
		switch {
		case id != 0 && stored[id]:
			if _, err := r.exec(ctx, "UPDATE "+table+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(row, id)...); err != nil {
				return nil, domain.Internalf(err, "update %s", table)
			}
		case id != 0:
			return nil, &domain.Error{Code: domain.Invalid, Message: "the input is invalid",
				Fields: []domain.FieldError{{Field: fmt.Sprintf("%s[%d].id", strings.TrimPrefix(strings.TrimPrefix(table, "item_"), "meeting_"), i), Reason: "is not one of this record's; leave it out to add a new one"}}}
		default:
			q := "INSERT INTO " + table + " (" + parentCol + ", " + strings.Join(cols, ", ") + ") VALUES (" + placeholders(len(cols)+1) + ") RETURNING id"
			if err := r.queryRow(ctx, q, append([]any{parent}, row...)...).Scan(&id); err != nil {
				return nil, domain.Internalf(err, "insert %s", table)
			}
		}
		out[i], keep[id] = id, true
	}
	for id := range stored {
		if !keep[id] {
			if _, err := r.exec(ctx, "DELETE FROM "+table+" WHERE id = ?", id); err != nil {
				return nil, t.s.dialect.normalize(domain.Internalf(err, "delete from %s", table))
			}
		}
	}
	return out, nil
}
