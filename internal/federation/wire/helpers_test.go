package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The installations of the tests and the test vectors.
const (
	chengdu   = "liandong/chengdu-gov/3fa2c1"
	chongqing = "liandong/chongqing-gov/7b9e04"
	xian      = "liandong/xian-gov/0c1d2e"
)

// fixedKey generates name's note key from a seed derived from the name,
// so that every run (and the test vectors) has the same keys.
func fixedKey(t testing.TB, name string) (skey, vkey string) {
	t.Helper()
	seed := sha256.Sum256([]byte("liandong federation test key " + name))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey
}

func mustSigner(t testing.TB, name string) note.Signer {
	t.Helper()
	skey, _ := fixedKey(t, name)
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustVerifier(t testing.TB, name string) note.Verifier {
	t.Helper()
	_, vkey := fixedKey(t, name)
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sampleEvents are the events of the test vectors: three changes Chengdu
// sends Chongqing, their data written with unsorted keys, numbers spelled
// in several ways and characters JSON may escape. Prev is left empty:
// signChain fills it.
func sampleEvents() []Event {
	origin := LogOrigin(chengdu, chongqing)
	actor := Actor{Name: "王芳", Unit: "liandong/chengdu-gov/3fa2c1:unit:7", Role: "lead"}
	return []Event{
		{Origin: origin, Seq: 0, ID: "ev-000001", At: time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC), Actor: actor,
			Type: "item.created", Record: "liandong/chengdu-gov/3fa2c1:item:42", Base: 0,
			Data: json.RawMessage(`{"title": "成渝中线高铁 <前期工作>", "lead": {"side": "chengdu", "unit": "liandong/chengdu-gov/3fa2c1:unit:7"}, "batch": 1}`)},
		{Origin: origin, Seq: 1, ID: "ev-000002", At: time.Date(2026, 11, 30, 9, 0, 1, 250_000_000, time.UTC), Actor: actor,
			Type: "item.updated", Record: "liandong/chengdu-gov/3fa2c1:item:42", Base: 1,
			Data: json.RawMessage(`{"status":"advancing","progress":1.50,"budget":2e6,"note":"A & B\u2028next line","place":"\u6210\u90fd\t\/"}`)},
		{Origin: origin, Seq: 2, ID: "ev-000003", At: time.Date(2026, 12, 1, 23, 59, 59, 999_999_999, time.UTC),
			Actor: Actor{Name: "Li Wei", Unit: "liandong/chengdu-gov/3fa2c1:unit:9", Role: "member"},
			Type:  "problem.raised", Record: "liandong/chengdu-gov/3fa2c1:problem:5", Base: 0,
			Data: json.RawMessage(`{"tier":"execution","tags":["rail","funding"],"z":{"b":null,"a":[true,false,{"y":-0,"x":0.0}]}}`)},
	}
}

// signChain signs events in order, each naming the leaf hash of the one
// before, and returns the envelopes and their leaf hashes.
func signChain(t testing.TB, s note.Signer, events []Event) (envelopes [][]byte, leaves []tlog.Hash) {
	t.Helper()
	prev := ""
	for _, e := range events {
		e.Prev = prev
		env, err := SignEvent(s, e)
		if err != nil {
			t.Fatalf("sign event %d: %v", e.Seq, err)
		}
		envelopes = append(envelopes, env)
		leaves = append(leaves, LeafHash(env))
		prev = PrevOf(env)
	}
	return envelopes, leaves
}

// chainOf makes and signs a log of n events, ID tag-seq, that Chengdu
// sends Chongqing, and returns the leaf hashes.
func chainOf(t testing.TB, n int, tag string) []tlog.Hash {
	t.Helper()
	var events []Event
	for i := range n {
		e := sampleEvents()[0]
		e.Seq = int64(i)
		e.ID = fmt.Sprintf("%s-%d", tag, i)
		events = append(events, e)
	}
	_, leaves := signChain(t, mustSigner(t, chengdu), events)
	return leaves
}

// sampleTime is when the test vectors' cosignature is made.
var sampleTime = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)

func mustSkey(t testing.TB, name string) string {
	t.Helper()
	skey, _ := fixedKey(t, name)
	return skey
}

func mustCosignatureVerifier(t testing.TB, name string) *CosignatureVerifier {
	t.Helper()
	_, vkey := fixedKey(t, name)
	v, err := NewCosignatureVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
