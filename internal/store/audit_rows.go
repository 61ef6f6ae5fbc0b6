package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// The records written outside the generic record kit are held to their
// audit events here, as statefulTables holds the kit's: an API token to its
// create event and the revocations after it, a mechanism's publication to
// its last publish event, a two-side change to the last event that recorded
// it. What is not compared, and why, the README says
// under "The audit log".

// checkFunc makes a function a stateful table.
type checkFunc func(ctx context.Context, r reader) error

func (f checkFunc) checkRows(ctx context.Context, r reader) error { return f(ctx, r) }

// checkTokens compares every API token with its create event and the
// revocations recorded after it. Its last use is written without an event
// (it changes on every call) and is left out; its hash is compared where
// the create event holds it (events written since this check).
func checkTokens(ctx context.Context, r reader) error {
	want := map[int64]map[string]any{}
	err := readStates(ctx, r, "SELECT entity_id, action, after_json FROM audit_events WHERE entity = 'api_tokens' AND action IN ('create', 'revoke') ORDER BY id",
		func(id int64, action string, state map[string]any) {
			if action == "create" || want[id] == nil {
				want[id] = state
				return
			}
			for k, v := range state {
				want[id][k] = v
			}
		})
	if err != nil {
		return err
	}
	return compareRows(ctx, r, "api token", want,
		"SELECT id, user_id, name, prefix, hash, created_at, expires_at, revoked_at FROM api_tokens ORDER BY id",
		func(sc scanner) (int64, map[string]any, error) {
			var t domain.Token
			var hash string
			var expires, revoked *time.Time
			if err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &hash, timeCol{&t.CreatedAt}, nullTime{&expires}, nullTime{&revoked}); err != nil {
				return 0, nil, err
			}
			row := map[string]any{"id": t.ID, "user_id": t.UserID, "name": t.Name, "prefix": t.Prefix, "hash": hash,
				"created_at": t.CreatedAt, "expires_at": expires, "revoked_at": revoked}
			if _, ok := want[t.ID]["hash"]; !ok {
				delete(row, "hash") // a token made before its hash was recorded
			}
			return t.ID, row, nil
		}, "last_used_at")
}

// checkChanges compares every two-side change (item_changes) with the
// last event that recorded it on its item: propose, confirm, stale or
// reject, each of which holds the change whole. The sides it still
// awaits are derived from the item and left out.
func checkChanges(ctx context.Context, r reader) error {
	want := map[int64]map[string]any{}
	err := readStates(ctx, r, "SELECT entity_id, action, after_json FROM audit_events WHERE entity = 'items' AND action IN ('propose', 'confirm', 'stale', 'reject') ORDER BY id",
		func(_ int64, _ string, state map[string]any) {
			id, _ := state["id"].(float64)
			want[int64(id)] = state
		})
	if err != nil {
		return err
	}
	return compareRows(ctx, r, "item change", want, "SELECT "+changeColumns+" FROM item_changes ORDER BY id",
		func(sc scanner) (int64, map[string]any, error) {
			ch, err := scanChange(sc)
			if err != nil {
				return 0, nil, err
			}
			b, err := json.Marshal(ch)
			if err != nil {
				return 0, nil, err
			}
			var row map[string]any
			return ch.ID, row, json.Unmarshal(b, &row)
		}, "awaiting")
}

// checkPublications compares what each mechanism publishes with its last
// publish event (on the mechanism).
func checkPublications(ctx context.Context, r reader) error {
	want := map[int64]map[string]any{}
	err := readStates(ctx, r, "SELECT entity_id, action, after_json FROM audit_events WHERE entity = 'mechanisms' AND action = 'publish' ORDER BY id",
		func(id int64, _ string, state map[string]any) { want[id] = state })
	if err != nil {
		return err
	}
	return compareRows(ctx, r, "the publication of mechanism", want,
		"SELECT mechanism_id, enabled, fields, version FROM publications ORDER BY mechanism_id",
		func(sc scanner) (int64, map[string]any, error) {
			var p domain.Publication
			if err := sc.Scan(&p.MechanismID, &p.Enabled, jsonCol{&p.Fields}, &p.Version); err != nil {
				return 0, nil, err
			}
			return p.MechanismID, map[string]any{"mechanism_id": p.MechanismID, "enabled": p.Enabled, "fields": p.Fields, "version": p.Version}, nil
		})
}

type scanner interface{ Scan(...any) error }

// readStates reads the events query selects (entity_id, action,
// after_json), oldest first, and hands each one's state to fold.
func readStates(ctx context.Context, r reader, query string, fold func(entityID int64, action string, state map[string]any)) error {
	rows, err := r.query(ctx, query)
	if err != nil {
		return domain.Internalf(err, "read audit states")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var action, after string
		if err := rows.Scan(&id, &action, &after); err != nil {
			return domain.Internalf(err, "read audit states")
		}
		var state map[string]any
		if err := json.Unmarshal([]byte(after), &state); err != nil {
			return fmt.Errorf("the %s event of %d does not hold JSON: it was edited", action, id)
		}
		fold(id, action, state)
	}
	if err := rows.Err(); err != nil {
		return domain.Internalf(err, "read audit states")
	}
	return nil
}

// compareRows reads the rows of query, each by scan, and compares each with
// the state want holds for it (left out: the keys in ignore); a row
// without a state, or a state without its row, is named too.
func compareRows(ctx context.Context, r reader, noun string, want map[int64]map[string]any, query string,
	scan func(scanner) (int64, map[string]any, error), ignore ...string) error {
	rows, err := r.query(ctx, query)
	if err != nil {
		return domain.Internalf(err, "read %ss", noun)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		id, row, err := scan(rows)
		if err != nil {
			return domain.Internalf(err, "read %ss", noun)
		}
		seen[id] = true
		state, ok := want[id]
		if !ok {
			return fmt.Errorf("%s %d has no audit event recording its state: it was written without one", noun, id)
		}
		a, _ := json.Marshal(row)
		b, _ := json.Marshal(state)
		if diff := stateDiff(a, b, ignore); diff != "" {
			return fmt.Errorf("%s %d differs from its last audit event (%s): it was changed without one", noun, id, diff)
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Internalf(err, "read %ss", noun)
	}
	gone := int64(-1)
	for id := range want {
		if !seen[id] && (gone < 0 || id < gone) {
			gone = id
		}
	}
	if gone >= 0 {
		return fmt.Errorf("%s %d is recorded by audit events but gone from its table: it was deleted without one", noun, gone)
	}
	return nil
}
