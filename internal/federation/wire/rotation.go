package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KeyRotatedType is the type of the event that carries a key rotation
// statement in a log: its data is {"statement": the signed statement}.
const KeyRotatedType = "key.rotated"

// rotationHeader opens the text of a rotation statement; no checkpoint or
// envelope text begins so, so a signature over one is never taken for a
// signature over the other.
const rotationHeader = "liandong key rotation v1\n"

// SignRotation writes the statement by which installation name replaces
// its key oldKey by newKey (note verifier keys), signed with both the old
// and the new signer: the text is the header, then "name N", "old K" and
// "new K" lines. A peer that pins oldKey believes newKey from then on.
func SignRotation(old, new note.Signer, oldKey, newKey string) ([]byte, error) {
	if old.Name() != new.Name() {
		return nil, fmt.Errorf("rotation: the old key names %q and the new %q: a key rotates within one installation", old.Name(), new.Name())
	}
	if oldKey == newKey {
		return nil, errors.New("rotation: the new key is the old one")
	}
	text := rotationHeader + "name " + old.Name() + "\nold " + oldKey + "\nnew " + newKey + "\n"
	return note.Sign(&note.Note{Text: text}, old, new)
}

// OpenRotation checks a rotation statement against the key pinned for its
// installation and returns the new verifier key: the statement must name
// the pinned key as the old one and carry the signatures of both keys.
func OpenRotation(statement []byte, pinned string) (string, error) {
	old, err := note.NewVerifier(pinned)
	if err != nil {
		return "", fmt.Errorf("rotation: the pinned key: %w", err)
	}
	n, err := note.Open(statement, note.VerifierList(old))
	if err != nil {
		return "", fmt.Errorf("rotation: not signed by the pinned key: %w", err)
	}
	name, oldKey, newKey, err := parseRotation(n.Text)
	if err != nil {
		return "", err
	}
	if name != old.Name() || oldKey != pinned {
		return "", fmt.Errorf("rotation: the statement replaces %q of %q, not the key pinned for %q", oldKey, name, old.Name())
	}
	next, err := note.NewVerifier(newKey)
	if err != nil || next.Name() != name {
		return "", fmt.Errorf("rotation: the new key %q is not a key of %q", newKey, name)
	}
	if _, err := note.Open(statement, note.VerifierList(next)); err != nil {
		return "", fmt.Errorf("rotation: not signed by the new key: %w", err)
	}
	return newKey, nil
}

func parseRotation(text string) (name, oldKey, newKey string, err error) {
	body, ok := strings.CutPrefix(text, rotationHeader)
	lines := strings.Split(body, "\n")
	if !ok || len(lines) != 4 || lines[3] != "" {
		return "", "", "", errors.New("rotation: not a key rotation statement")
	}
	var fields [3]string
	for i, prefix := range []string{"name ", "old ", "new "} {
		v, ok := strings.CutPrefix(lines[i], prefix)
		if !ok || v == "" {
			return "", "", "", fmt.Errorf("rotation: line %d is not %q and a value", i+2, strings.TrimSpace(prefix))
		}
		fields[i] = v
	}
	return fields[0], fields[1], fields[2], nil
}

// OpenEventPinned is OpenEvent for a receiver that pins one key of the
// sender and follows its rotations: an envelope signed by the pinned key is
// opened with it; one signed by another key is accepted only if it is the
// key.rotated event whose statement the pinned key signed, naming that key
// as the new one. It returns the event and the key pinned after it.
func OpenEventPinned(envelope []byte, pinned string) (Event, string, error) {
	v, err := note.NewVerifier(pinned)
	if err != nil {
		return Event{}, "", fmt.Errorf("open envelope: the pinned key: %w", err)
	}
	e, err := OpenEvent(envelope, note.VerifierList(v))
	if err == nil {
		return e, pinned, nil
	}
	var unverified *note.UnverifiedNoteError
	if _, nerr := note.Open(envelope, note.VerifierList()); !errors.As(nerr, &unverified) {
		return Event{}, "", err
	}
	peek, perr := parseEvent(unverified.Note.Text)
	if perr != nil || peek.Type != KeyRotatedType {
		return Event{}, "", err
	}
	var data struct {
		Statement string `json:"statement"`
	}
	if jerr := json.Unmarshal(peek.Data, &data); jerr != nil {
		return Event{}, "", fmt.Errorf("open envelope: a key rotation without its statement: %w", jerr)
	}
	next, rerr := OpenRotation([]byte(data.Statement), pinned)
	if rerr != nil {
		return Event{}, "", fmt.Errorf("open envelope: %w", rerr)
	}
	nv, _ := note.NewVerifier(next) // OpenRotation parsed it
	e, err = OpenEvent(envelope, note.VerifierList(nv))
	if err != nil {
		return Event{}, "", err
	}
	return e, next, nil
}

// PeekCheckpoint reads a signed checkpoint's body without checking its
// signature, for a receiver that learns the key to check it with from the
// entries it covers (a rotation); it must then be opened with that key.
func PeekCheckpoint(signed []byte) (Checkpoint, error) {
	text, _, ok := strings.Cut(string(signed), "\n\n")
	if !ok {
		return Checkpoint{}, errors.New("peek checkpoint: not a signed note")
	}
	return parseCheckpoint(text + "\n")
}

// RotationNewKey reads the new key a rotation statement names, without
// checking its signatures: for the installation that wrote it.
func RotationNewKey(statement []byte) (string, error) {
	text, _, ok := strings.Cut(string(statement), "\n\n")
	if !ok {
		return "", errors.New("rotation: not a signed note")
	}
	_, _, newKey, err := parseRotation(text + "\n")
	return newKey, err
}
