package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// A write may state the day its change happened, apart from the moment it
// is recorded: an item decided at a meeting in 2022 and entered today. The
// day rides on the context, so that every way of writing — a request, an
// import, the demo loader's CreateTx inside one transaction — states it
// the same way, and Tx.audit puts it on every event the write appends.

type occurredKey struct{}

// occurred is the day a change happened and how much of it is known.
type occurred struct {
	on        domain.Date
	precision domain.DatePrecision
}

// WithOccurred returns a context whose writes record that their changes
// happened on day on (its first day, for a month or a year), known to the
// given precision (day, month or year). A write refuses, naming the field
// occurred_on, a day after the day it is recorded (in the time zone of the
// record's mechanism, Asia/Shanghai when it has none) or before
// domain.MinYear. A zero day leaves ctx as it is.
func WithOccurred(ctx context.Context, on domain.Date, precision domain.DatePrecision) context.Context {
	if on.IsZero() {
		return ctx
	}
	if precision == "" {
		precision = domain.DayPrecision
	}
	return context.WithValue(ctx, occurredKey{}, occurred{on: on, precision: precision})
}

// Occurred returns the day the writes of ctx state their changes happened,
// with its precision; ok is false when they state none.
func Occurred(ctx context.Context) (on domain.Date, precision domain.DatePrecision, ok bool) {
	o, ok := ctx.Value(occurredKey{}).(occurred)
	return o.on, o.precision, ok
}

// occurredOf returns the day ctx states, checked against the day of
// recording in the zone of the record's mechanism (read from its state),
// or the zero occurred when ctx states none. Errors: Invalid on
// occurred_on.
func (t *Tx) occurredOf(ctx context.Context, entity string, id int64, state any) (occurred, error) {
	o, ok := ctx.Value(occurredKey{}).(occurred)
	if !ok {
		return occurred{}, nil
	}
	var p domain.Problems
	switch o.precision {
	case domain.DayPrecision, domain.MonthPrecision, domain.YearPrecision:
	default:
		p.Add("occurred_precision", "must be day, month or year")
	}
	loc, err := t.zoneOf(ctx, entity, id, state)
	if err != nil {
		return occurred{}, err
	}
	local := t.now.In(loc)
	today := domain.NewDate(local.Year(), local.Month(), local.Day())
	switch {
	case o.on.Year() < domain.MinYear:
		p.Addf("occurred_on", "is before the year %d", domain.MinYear)
	case today.Before(o.on):
		p.Addf("occurred_on", "is after today (%s): a change cannot have happened after it is recorded", today)
	}
	return o, p.Err()
}

// zoneOf is the time zone of the mechanism a record belongs to, read from
// its state (mechanism_id, or its own id for a mechanism), Asia/Shanghai
// when it belongs to none.
func (t *Tx) zoneOf(ctx context.Context, entity string, id int64, state any) (*time.Location, error) {
	mechanismID := int64(0)
	if entity == mechanisms.name {
		mechanismID = id
	} else if state != nil {
		b, err := json.Marshal(state)
		if err != nil {
			return nil, domain.Internalf(err, "encode audit state")
		}
		var ref struct {
			MechanismID int64 `json:"mechanism_id"`
		}
		if json.Unmarshal(b, &ref) == nil {
			mechanismID = ref.MechanismID
		}
	}
	if mechanismID != 0 {
		if m, err := t.mechanism(ctx, mechanismID); err == nil {
			return m.Location(), nil
		}
	}
	return (&domain.Mechanism{}).Location(), nil
}
