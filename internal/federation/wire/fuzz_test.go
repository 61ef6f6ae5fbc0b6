package wire

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// FuzzOpenEvent: whatever the bytes, OpenEvent does not panic, and what
// it accepts is exactly the envelope SignEvent writes for the event it
// returns (Ed25519 signatures are deterministic, so there is one).
func FuzzOpenEvent(f *testing.F) {
	v := readVectors(mustReadFile(f, filepath.Join("testdata", vectorsFile)))
	for i := 0; ; i++ {
		env, ok := v[fmt.Sprintf("event/%d/envelope", i)]
		if !ok {
			break
		}
		f.Add([]byte(env))
	}
	f.Add([]byte(v["checkpoint/cosigned"]))
	signer := mustSigner(f, chengdu)
	verifiers := note.VerifierList(mustVerifier(f, chengdu), mustVerifier(f, chongqing))
	f.Fuzz(func(t *testing.T, envelope []byte) {
		e, err := OpenEvent(envelope, verifiers)
		if err != nil {
			return
		}
		want, err := SignEvent(signer, e)
		if err != nil {
			t.Fatalf("accepted an event SignEvent refuses: %v\n%s", err, envelope)
		}
		if !bytes.Equal(envelope, want) {
			t.Fatalf("accepted a non-canonical envelope:\n%q\nwant\n%q", envelope, want)
		}
	})
}
