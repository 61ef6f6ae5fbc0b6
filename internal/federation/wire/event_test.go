package wire

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestCanonicalSortsKeysAndKeepsNumbers: data's objects come out with
// their keys sorted at every depth, numbers spelled as written, no
// whitespace and no HTML escaping; the other fields in Event's order.
func TestCanonicalSortsKeysAndKeepsNumbers(t *testing.T) {
	e := sampleEvents()[0]
	e.Data = json.RawMessage(` { "b" : [ 1.50 , {"d": 2e3, "c": -0} ], "a": "<&>", "é": null, "Z": true } `)
	got, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"origin":"liandong/chengdu-gov/3fa2c1/to/liandong/chongqing-gov/7b9e04","seq":0,"prev":"","id":"ev-000001",` +
		`"at":"2026-11-30T08:15:00Z","actor":{"name":"王芳","unit":"liandong/chengdu-gov/3fa2c1:unit:7","role":"lead"},` +
		`"type":"item.created","record":"liandong/chengdu-gov/3fa2c1:item:42","base":0,` +
		`"data":{"Z":true,"a":"<&>","b":[1.50,{"c":-0,"d":2e3}],"é":null}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestCanonicalRefusesMalformedEvents: each malformed field is refused by
// an error that names it.
func TestCanonicalRefusesMalformedEvents(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Event)
		field  string
	}{
		{"EmptyOrigin", func(e *Event) { e.Origin = "" }, "origin"},
		{"OriginNotALog", func(e *Event) { e.Origin = chengdu }, "origin"},
		{"NegativeSeq", func(e *Event) { e.Seq = -1 }, "seq"},
		{"PrevAtSeqZero", func(e *Event) { e.Prev = PrevOf([]byte("x")) }, "prev"},
		{"NoPrevAfterSeqZero", func(e *Event) { e.Seq = 1 }, "prev"},
		{"PrevNotAHash", func(e *Event) { e.Seq, e.Prev = 1, "AAAA" }, "prev"},
		{"EmptyID", func(e *Event) { e.ID = "" }, "id"},
		{"NewlineInID", func(e *Event) { e.ID = "a\nb" }, "id"},
		{"EmptyType", func(e *Event) { e.Type = "" }, "type"},
		{"InvalidUTF8Type", func(e *Event) { e.Type = "item.\xff" }, "type"},
		{"EmptyRecord", func(e *Event) { e.Record = "" }, "record"},
		{"NewlineInRecord", func(e *Event) { e.Record = "r\n" }, "record"},
		{"NewlineInActorName", func(e *Event) { e.Actor.Name = "王\n芳" }, "actor.name"},
		{"InvalidUTF8ActorUnit", func(e *Event) { e.Actor.Unit = "\xc3" }, "actor.unit"},
		{"NewlineInActorRole", func(e *Event) { e.Actor.Role = "lead\r\n" }, "actor.role"},
		{"ZeroTime", func(e *Event) { e.At = time.Time{} }, "at"},
		{"LocalTime", func(e *Event) { e.At = e.At.In(time.FixedZone("CST", 8*3600)) }, "at"},
		{"YearAfter9999", func(e *Event) { e.At = e.At.AddDate(10000, 0, 0) }, "at"},
		{"NegativeBase", func(e *Event) { e.Base = -1 }, "base"},
		{"DataArray", func(e *Event) { e.Data = json.RawMessage(`[1]`) }, "data"},
		{"DataMissing", func(e *Event) { e.Data = nil }, "data"},
		{"DataNull", func(e *Event) { e.Data = json.RawMessage(`null`) }, "data"},
		{"DataTwoValues", func(e *Event) { e.Data = json.RawMessage(`{} {}`) }, "data"},
		{"DataDuplicateKey", func(e *Event) { e.Data = json.RawMessage(`{"a":{"k":1,"k":2}}`) }, "data"},
		{"DataInvalidUTF8", func(e *Event) { e.Data = json.RawMessage("{\"a\":\"\xff\"}") }, "data"},
		{"DataBadJSON", func(e *Event) { e.Data = json.RawMessage(`{"a":01}`) }, "data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sampleEvents()[0]
			tc.change(&e)
			got, err := e.Canonical()
			if err == nil {
				t.Fatalf("Canonical() = %s, want an error about %s", got, tc.field)
			}
			if !strings.Contains(err.Error(), "event: "+tc.field) {
				t.Errorf("error %q does not name the field %s", err, tc.field)
			}
		})
	}
}
