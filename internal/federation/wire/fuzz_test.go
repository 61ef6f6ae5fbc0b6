package wire

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
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
	// Seeds whose signature holds but whose bytes are not canonical: what
	// the property is about, and what random mutation rarely reaches.
	signer := mustSigner(f, chengdu)
	env := v["event/0/envelope"]
	text := env[:strings.Index(env, "\n\n")]
	for _, variant := range []string{
		strings.Replace(text, `"seq":0,"prev":"",`, `"prev":"","seq":0,`, 1),
		strings.Replace(text, `"base":0,`, `"base":0,"base":0,`, 1),
		strings.Replace(text, `":`, `": `, 1),
		text + " ",
	} {
		resigned, err := note.Sign(&note.Note{Text: variant + "\n"}, signer)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(resigned)
	}
	f.Add([]byte(env + env[strings.Index(env, "\n\n")+2:])) // signature line twice
	// The signature's last base64 character with an unused bit set.
	i := strings.LastIndex(env, "=\n") - 1
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	f.Add([]byte(env[:i] + string(alphabet[strings.IndexByte(alphabet, env[i])^1]) + env[i+1:]))
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
