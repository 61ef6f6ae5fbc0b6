package wire

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// SignEvent returns the envelope of e: a signed note whose text is
// e.Canonical() and a newline, signed by s, the key of the installation
// that sends the log e.Origin names.
func SignEvent(s note.Signer, e Event) ([]byte, error) {
	text, err := e.Canonical()
	if err != nil {
		return nil, err
	}
	sender, _, _ := SplitLogOrigin(e.Origin) // Canonical checked it
	if s.Name() != sender {
		return nil, fmt.Errorf("sign event: key %q cannot sign for the sender %q of log %q", s.Name(), sender, e.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(text) + "\n"}, s)
	if err != nil {
		return nil, fmt.Errorf("sign event: %w", err)
	}
	return msg, nil
}

// ErrNotCanonical is returned (wrapped) by OpenEvent for an envelope whose
// signature holds but whose bytes are not those SignEvent writes: another
// spelling of the same JSON, an unknown field, a second signature line.
// Only one spelling is accepted so that one event has one leaf hash.
var ErrNotCanonical = errors.New("envelope is not in canonical form")

// OpenEvent checks an envelope and returns its event. The envelope must be
// signed by a key in v whose name is the sender of the event's log, carry
// that one signature only, and be byte for byte what SignEvent writes for
// the event it holds.
func OpenEvent(envelope []byte, v note.Verifiers) (Event, error) {
	n, err := note.Open(envelope, v)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return Event{}, fmt.Errorf("open envelope: signed by no known installation key (%v)", signatureNames(unverified.Note.UnverifiedSigs))
		}
		return Event{}, fmt.Errorf("open envelope: %w", err)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return Event{}, fmt.Errorf("open envelope: %d signatures, want one: %w", len(n.Sigs)+len(n.UnverifiedSigs), ErrNotCanonical)
	}
	e, err := parseEvent(n.Text)
	if err != nil {
		return Event{}, fmt.Errorf("open envelope: %w", err)
	}
	canonical, err := e.Canonical()
	if err != nil {
		return Event{}, fmt.Errorf("open envelope: %w", err)
	}
	if string(canonical)+"\n" != n.Text {
		return Event{}, fmt.Errorf("open envelope: the event's JSON: %w", ErrNotCanonical)
	}
	sender, _, _ := SplitLogOrigin(e.Origin) // Canonical checked it
	if sig := n.Sigs[0]; sig.Name != sender {
		return Event{}, fmt.Errorf("open envelope: signed by %q, but log %q is sent by %q", sig.Name, e.Origin, sender)
	}
	// The signature line must be spelled as note.Sign spells it: base64
	// has more than one spelling of some byte strings (the unused bits of
	// its last character).
	want := n.Text + "\n" + signatureLine(n.Sigs[0])
	if string(envelope) != want {
		return Event{}, fmt.Errorf("open envelope: the signature line: %w", ErrNotCanonical)
	}
	return e, nil
}

// parseEvent reads one event from text, refusing fields Event has not.
func parseEvent(text string) (Event, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var e Event
	if err := dec.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("the event's JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Event{}, errors.New("the event's JSON: more than one value")
	}
	return e, nil
}

// signatureLine writes sig as a note signature line, with canonical
// base64.
func signatureLine(sig note.Signature) string {
	raw, err := base64.StdEncoding.DecodeString(sig.Base64)
	if err != nil {
		return "" // note.Open decoded it already; matches nothing
	}
	return "— " + sig.Name + " " + base64.StdEncoding.EncodeToString(raw) + "\n"
}

func signatureNames(sigs []note.Signature) string {
	var names []string
	for _, s := range sigs {
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	if len(names) == 0 {
		return "no signature"
	}
	return "signatures by " + strings.Join(names, ", ")
}

// LeafHash is the hash of an envelope as a leaf of its log: RFC 6962's
// hash of the whole envelope, text and signature line.
func LeafHash(envelope []byte) tlog.Hash {
	return tlog.RecordHash(envelope)
}

// PrevOf is the Prev field that the event after envelope carries.
func PrevOf(envelope []byte) string {
	h := LeafHash(envelope)
	return base64.StdEncoding.EncodeToString(h[:])
}
