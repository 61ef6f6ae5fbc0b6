package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// TestCosignatureRoundTrip: Chongqing's cosignature of Chengdu's
// checkpoint verifies with Chongqing's note verifier key and gives back
// the time, to the second.
func TestCosignatureRoundTrip(t *testing.T) {
	c := sampleCheckpoint(t)
	cosigner, err := NewCosigner(mustSkey(t, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	at := sampleTime.Add(1500 * time.Millisecond)
	line, err := cosigner.Cosign(c, at)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyCosignature(mustCosignatureVerifier(t, chongqing), c, line)
	if want := at.Truncate(time.Second); err != nil || !got.Equal(want) {
		t.Errorf("VerifyCosignature = %v, %v; want %v", got, err, want)
	}
}

// TestCosignatureFollowsC2SP: the line is built as tlog-cosignature v1
// says, checked here from the spec's own definitions rather than through
// the package's code: key ID = SHA-256(name || "\n" || 0x04 || public
// key)[:4], then the big-endian timestamp, then an Ed25519 signature of
// "cosignature/v1\ntime <ts>\n" and the checkpoint body.
func TestCosignatureFollowsC2SP(t *testing.T) {
	c := sampleCheckpoint(t)
	cosigner, err := NewCosigner(mustSkey(t, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	line, err := cosigner.Cosign(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "— " + chongqing + " "
	if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, "\n") {
		t.Fatalf("line %q: want %q, base64 and a newline", line, prefix)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(line, prefix), "\n"))
	if err != nil || len(raw) != 4+8+64 {
		t.Fatalf("signature: %d bytes, %v; want 76", len(raw), err)
	}
	_, vkey := fixedKey(t, chongqing)
	pubWithAlg, _ := base64.StdEncoding.DecodeString(strings.SplitN(vkey, "+", 3)[2]) // base64 may hold "+"
	pub := ed25519.PublicKey(pubWithAlg[1:])
	id := sha256.Sum256(append([]byte(chongqing+"\n\x04"), pub...))
	if string(raw[:4]) != string(id[:4]) {
		t.Errorf("key ID %x, want %x", raw[:4], id[:4])
	}
	if ts := binary.BigEndian.Uint64(raw[4:12]); ts != uint64(sampleTime.Unix()) {
		t.Errorf("timestamp %d, want %d", ts, sampleTime.Unix())
	}
	msg := "cosignature/v1\ntime 1796191200\n" + c.Text()
	if !ed25519.Verify(pub, []byte(msg), raw[12:]) {
		t.Errorf("signature does not verify over %q", msg)
	}
	if want := strings.Split(vkey, "+")[0] + "+" + base64Hex(id[:4]); !strings.HasPrefix(cosigner.VerifierKey(), want) {
		t.Errorf("VerifierKey() = %s, want it to start %s", cosigner.VerifierKey(), want)
	}
}

func base64Hex(b []byte) string {
	const digits = "0123456789abcdef"
	var out []byte
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestVerifyCosignatureRefuses: a changed timestamp, another checkpoint,
// another cosigner's verifier or a mangled line are refused.
func TestVerifyCosignatureRefuses(t *testing.T) {
	c := sampleCheckpoint(t)
	cosigner, err := NewCosigner(mustSkey(t, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	line, err := cosigner.Cosign(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "— " + chongqing + " "
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(line, prefix), "\n"))
	withRaw := func(change func([]byte)) string {
		b := append([]byte(nil), raw...)
		change(b)
		return prefix + base64.StdEncoding.EncodeToString(b) + "\n"
	}
	bigger := c
	bigger.N++
	for _, tc := range []struct {
		name       string
		verifier   *CosignatureVerifier
		checkpoint Checkpoint
		line       string
	}{
		{"TimestampAdvanced", mustCosignatureVerifier(t, chongqing), c, withRaw(func(b []byte) { b[11]++ })},
		{"TimestampOutOfRange", mustCosignatureVerifier(t, chongqing), c, withRaw(func(b []byte) {
			// Signed for real, so that only the range check can refuse it.
			binary.BigEndian.PutUint64(b[4:], 1<<63)
			copy(b[12:], ed25519.Sign(cosigner.key, cosignedMessage(1<<63, c.Text())))
		})},
		{"SignatureFlipped", mustCosignatureVerifier(t, chongqing), c, withRaw(func(b []byte) { b[40] ^= 1 })},
		{"KeyIDChanged", mustCosignatureVerifier(t, chongqing), c, withRaw(func(b []byte) { b[0] ^= 1 })},
		{"Truncated", mustCosignatureVerifier(t, chongqing), c, withRaw(func(b []byte) {})[:len(line)-6] + "\n"},
		{"OtherCheckpoint", mustCosignatureVerifier(t, chongqing), bigger, line},
		{"OtherCosigner", mustCosignatureVerifier(t, xian), c, line},
		{"RenamedLine", mustCosignatureVerifier(t, chongqing), c, strings.Replace(line, chongqing, xian, 1)},
		{"NoDash", mustCosignatureVerifier(t, chongqing), c, strings.TrimPrefix(line, "— ")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := VerifyCosignature(tc.verifier, tc.checkpoint, tc.line); err == nil {
				t.Errorf("VerifyCosignature(%q) = %v, nil; want an error", tc.line, got)
			}
		})
	}
}

// TestCosignedCheckpointOpensWithNote: a checkpoint with Chongqing's
// cosignature added is a note that note.Open checks with both keys, and
// CosignatureLines finds the cosignature; a later cosignature replaces
// the earlier one.
func TestCosignedCheckpointOpensWithNote(t *testing.T) {
	c := sampleCheckpoint(t)
	signed, err := SignCheckpoint(mustSigner(t, chengdu), c)
	if err != nil {
		t.Fatal(err)
	}
	cosigner, err := NewCosigner(mustSkey(t, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := cosigner.Cosign(c, sampleTime)
	later, _ := cosigner.Cosign(c, sampleTime.Add(time.Hour))
	cosigned, err := AddCosignature(signed, first)
	if err != nil {
		t.Fatal(err)
	}
	if cosigned, err = AddCosignature(cosigned, later); err != nil {
		t.Fatal(err)
	}
	if want := string(signed) + later; string(cosigned) != want {
		t.Errorf("cosigned note:\n%s\nwant\n%s", cosigned, want)
	}
	v := mustCosignatureVerifier(t, chongqing)
	n, err := note.Open(cosigned, note.VerifierList(mustVerifier(t, chengdu), v))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("note.Open = %+v, %v; want two verified signatures", n, err)
	}
	lines := CosignatureLines(cosigned, v)
	if len(lines) != 1 || lines[0] != later {
		t.Fatalf("CosignatureLines = %q, want [%q]", lines, later)
	}
	if got := CosignatureLines(cosigned, mustCosignatureVerifier(t, xian)); len(got) != 0 {
		t.Errorf("CosignatureLines by Xi'an = %q, want none", got)
	}
	if _, err := AddCosignature([]byte(c.Text()), later); err == nil {
		t.Error("AddCosignature to an unsigned text: no error")
	}
}

// TestCosignatureVerifierKeys: the 0x04 verifier key a cosigner gives
// out reads as the same verifier as its note key; keys of another kind or
// with a wrong hash are refused, and a note key cannot make a cosigner
// unless it is a signer key.
func TestCosignatureVerifierKeys(t *testing.T) {
	cosigner, err := NewCosigner(mustSkey(t, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	fromC2SP, err := NewCosignatureVerifier(cosigner.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	fromNote := mustCosignatureVerifier(t, chongqing)
	if fromC2SP.Name() != fromNote.Name() || fromC2SP.KeyHash() != fromNote.KeyHash() || !fromC2SP.key.Equal(fromNote.key) {
		t.Errorf("verifier from %s differs from the one from the note key", cosigner.VerifierKey())
	}
	if cosigner.KeyID() != fromNote.KeyHash() {
		t.Errorf("cosigner key ID %08x, verifier %08x", cosigner.KeyID(), fromNote.KeyHash())
	}
	_, vkey := fixedKey(t, chongqing)
	parts := strings.SplitN(vkey, "+", 3)
	for _, bad := range []string{
		parts[0] + "+00000000+" + parts[2],                                      // wrong note key hash
		strings.Replace(cosigner.VerifierKey(), "+", "+0", 1)[:len(vkey)] + "x", // mangled
		"name-only",
	} {
		if _, err := NewCosignatureVerifier(bad); err == nil {
			t.Errorf("NewCosignatureVerifier(%q): no error", bad)
		}
	}
	if _, err := NewCosigner(vkey); err == nil {
		t.Error("NewCosigner(verifier key): no error")
	}
}
