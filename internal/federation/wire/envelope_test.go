package wire

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestOpenEventReturnsWhatWasSigned: each envelope opens to the event
// signed, Prev filled in by the chain.
func TestOpenEventReturnsWhatWasSigned(t *testing.T) {
	events := sampleEvents()
	envelopes, _ := signChain(t, mustSigner(t, chengdu), events)
	verifiers := note.VerifierList(mustVerifier(t, chengdu), mustVerifier(t, xian))
	for i, env := range envelopes {
		got, err := OpenEvent(env, verifiers)
		if err != nil {
			t.Fatalf("envelope %d: %v", i, err)
		}
		want := events[i]
		if i > 0 {
			want.Prev = PrevOf(envelopes[i-1])
		}
		// Data comes back canonical; compare it apart.
		wantData, err := canonicalObject(want.Data)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Data) != string(wantData) {
			t.Errorf("envelope %d data: got %s, want %s", i, got.Data, wantData)
		}
		got.Data, want.Data = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("envelope %d: got %+v, want %+v", i, got, want)
		}
	}
}

// TestOpenEventRefusesAnyFlippedByte: one bit changed anywhere, in the
// text, the signer's name or the signature, and the envelope is refused.
func TestOpenEventRefusesAnyFlippedByte(t *testing.T) {
	envelopes, _ := signChain(t, mustSigner(t, chengdu), sampleEvents())
	verifiers := note.VerifierList(mustVerifier(t, chengdu))
	for _, env := range envelopes {
		for i := range env {
			for _, bit := range []byte{0x01, 0x20} {
				tampered := []byte(string(env))
				tampered[i] ^= bit
				if e, err := OpenEvent(tampered, verifiers); err == nil {
					t.Fatalf("byte %d ^ %#x accepted: %+v\n%s", i, bit, e, tampered)
				}
			}
		}
	}
}

// TestOpenEventRefusesOtherSpellings: a text the sender did sign, but not
// in canonical form — even valid JSON of the same event — is refused.
func TestOpenEventRefusesOtherSpellings(t *testing.T) {
	e := sampleEvents()[0]
	canonical, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	c := string(canonical)
	replaceOnce := func(old, new string) string {
		t.Helper()
		if !strings.Contains(c, old) {
			t.Fatalf("%q not in %s", old, c)
		}
		return strings.Replace(c, old, new, 1)
	}
	for _, tc := range []struct{ name, text string }{
		{"ReorderedFields", replaceOnce(`"seq":0,"prev":"",`, `"prev":"","seq":0,`)},
		{"ReplayedField", replaceOnce(`"seq":0,`, `"seq":0,"seq":0,`)},
		{"FieldOverwrittenByReplay", replaceOnce(`"base":0,`, `"base":7,"base":0,`)},
		{"UnknownField", replaceOnce(`"base":0,`, `"base":0,"extra":1,`)},
		{"FieldNameInOtherCase", replaceOnce(`"seq":`, `"Seq":`)},
		{"SpaceAfterColon", replaceOnce(`"seq":0`, `"seq": 0`)},
		{"SpaceAtEnd", c + " "},
		{"UnsortedData", replaceOnce(`"data":{"batch":1,`, `"data":{"zz":1,"batch":1,`)},
		{"EscapedCharacter", replaceOnce(`"id":"ev-000001"`, `"id":"ev-00000\u0031"`)},
		{"HTMLEscaped", replaceOnce(`<`, `\u003c`)},
		{"TimeWithOffset", replaceOnce(`08:15:00Z`, `08:15:00+00:00`)},
		{"TimeWithZeroFraction", replaceOnce(`08:15:00Z`, `08:15:00.000Z`)},
		{"NumberWithSign", replaceOnce(`"base":0`, `"base":-0`)},
		{"NumberWithExponent", replaceOnce(`"seq":0`, `"seq":0e0`)},
		{"TwoValues", c + "\n" + c},
		{"NotJSON", "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := note.Sign(&note.Note{Text: tc.text + "\n"}, mustSigner(t, chengdu))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := OpenEvent(env, note.VerifierList(mustVerifier(t, chengdu))); err == nil {
				t.Errorf("accepted %s as %+v", tc.text, got)
			}
		})
	}
}

// TestOpenEventRefusesWrongSignatures: signed by an installation unknown
// to the receiver, by a known one that is not the log's sender, or
// carrying a second signature line, the envelope is refused.
func TestOpenEventRefusesWrongSignatures(t *testing.T) {
	e := sampleEvents()[0]
	text, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	byXian, err := note.Sign(&note.Note{Text: string(text) + "\n"}, mustSigner(t, xian))
	if err != nil {
		t.Fatal(err)
	}
	byBoth, err := note.Sign(&note.Note{Text: string(text) + "\n"}, mustSigner(t, chengdu), mustSigner(t, xian))
	if err != nil {
		t.Fatal(err)
	}
	good, err := SignEvent(mustSigner(t, chengdu), e)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		envelope  []byte
		verifiers note.Verifiers
		says      string
	}{
		{"UnknownKey", byXian, note.VerifierList(mustVerifier(t, chengdu)), "no known installation key"},
		{"KnownKeyNotTheSender", byXian, note.VerifierList(mustVerifier(t, chengdu), mustVerifier(t, xian)), "is sent by"},
		{"SecondSignature", byBoth, note.VerifierList(mustVerifier(t, chengdu)), "canonical"},
		{"SecondSignatureKnown", byBoth, note.VerifierList(mustVerifier(t, chengdu), mustVerifier(t, xian)), "canonical"},
		{"SignatureLineRepeated", append(good, good[strings.LastIndex(string(good), "— "):]...), note.VerifierList(mustVerifier(t, chengdu)), "canonical"},
		{"NoVerifiers", good, nil, "no known installation key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OpenEvent(tc.envelope, tc.verifiers)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("OpenEvent = %+v, %v; want an error saying %q", got, err, tc.says)
			}
		})
	}
	if _, err := SignEvent(mustSigner(t, xian), e); err == nil {
		t.Error("SignEvent with a key that is not the sender's: no error")
	}
}

// TestOpenEventRefusesBase64Variant: the signature spelled with the
// unused bits of its last base64 character set decodes to the same
// signature, yet the envelope's bytes (and leaf hash) differ: refused.
func TestOpenEventRefusesBase64Variant(t *testing.T) {
	envelopes, _ := signChain(t, mustSigner(t, chengdu), sampleEvents())
	env := string(envelopes[0])
	// 68 signature bytes: the last character before "=" carries 4 bits,
	// its 2 low bits unused.
	i := strings.LastIndex(env, "=\n") - 1
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	pos := strings.IndexByte(alphabet, env[i])
	variant := env[:i] + string(alphabet[pos|1]) + env[i+1:]
	if variant == env {
		variant = env[:i] + string(alphabet[pos&^1]) + env[i+1:]
	}
	_, err := OpenEvent([]byte(variant), note.VerifierList(mustVerifier(t, chengdu)))
	if !errors.Is(err, ErrNotCanonical) {
		t.Errorf("OpenEvent(base64 variant) = %v, want ErrNotCanonical", err)
	}
}
