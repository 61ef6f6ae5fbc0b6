package wire

import (
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func newKeyPair(t *testing.T, name string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func TestRotation(t *testing.T) {
	old, oldKey := newKeyPair(t, "liandong/chengdu")
	next, newKey := newKeyPair(t, "liandong/chengdu")
	stranger, strangerKey := newKeyPair(t, "liandong/chengdu")
	statement, err := SignRotation(old, next, oldKey, newKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenRotation(statement, oldKey)
	if err != nil || got != newKey {
		t.Fatalf("OpenRotation = %q, %v; want the new key", got, err)
	}
	onlyNew, _ := note.Sign(&note.Note{Text: rotationHeader + "name liandong/chengdu\nold " + oldKey + "\nnew " + newKey + "\n"}, next)
	onlyOld, _ := note.Sign(&note.Note{Text: rotationHeader + "name liandong/chengdu\nold " + oldKey + "\nnew " + strangerKey + "\n"}, old)
	byStranger, _ := SignRotation(stranger, next, strangerKey, newKey)
	for name, tc := range map[string]struct {
		statement []byte
		pinned    string
	}{
		"SignedByTheNewKeyAlone":   {onlyNew, oldKey},
		"NewKeyDidNotSign":         {onlyOld, oldKey},
		"ReplacesAnotherKey":       {byStranger, oldKey},
		"PinnedKeyIsAlreadyTheNew": {statement, newKey},
		"FlippedByte":              {[]byte(strings.Replace(string(statement), "old ", "olD ", 1)), oldKey},
		"AnotherInstallationsKey":  {statement, func() string { _, k := newKeyPair(t, "liandong/chongqing"); return k }()},
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := OpenRotation(tc.statement, tc.pinned); err == nil {
				t.Fatalf("accepted, new key %q", got)
			}
		})
	}
	if _, err := SignRotation(old, func() note.Signer { s, _ := newKeyPair(t, "liandong/chongqing"); return s }(), oldKey, newKey); err == nil {
		t.Fatal("a rotation to another installation's key was signed")
	}
}
