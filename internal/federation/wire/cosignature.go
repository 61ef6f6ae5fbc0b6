package wire

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Cosignatures follow C2SP tlog-cosignature v1, Ed25519 type: a note
// signature line whose key ID is derived with the signature type 0x04 and
// whose signature is a timestamp followed by an Ed25519 signature of
// cosignatureHeader, the timestamp line and the checkpoint body.
const (
	cosignatureAlg    = 0x04
	cosignatureHeader = "cosignature/v1\n"
	// cosignatureSize is the key ID, the timestamp and the signature.
	cosignatureSize = 4 + 8 + ed25519.SignatureSize
	// noteEd25519Alg is the signature type of ordinary note keys, the
	// only keys installations keep.
	noteEd25519Alg = 0x01
)

// Cosigner countersigns checkpoints of the logs an installation receives:
// its cosignature on a checkpoint is the sender's receipt. It uses the
// installation's own note key; the cosignature's key ID and signed message
// differ from a note signature's, so neither can pass for the other.
type Cosigner struct {
	name  string
	keyID uint32
	key   ed25519.PrivateKey
}

// NewCosigner makes a cosigner from a note signer key,
// "PRIVATE+KEY+name+hash+base64(0x01 || 32-byte Ed25519 seed)", as
// note.GenerateKey writes it and auditlog.OpenKey keeps it.
func NewCosigner(skey string) (*Cosigner, error) {
	skey = strings.TrimSpace(skey)
	if _, err := note.NewSigner(skey); err != nil { // checks the name and the key hash
		return nil, fmt.Errorf("cosigner key: %w", err)
	}
	parts := strings.SplitN(skey, "+", 5) // the base64 may hold "+" too
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != noteEd25519Alg {
		return nil, errors.New("cosigner key: not an Ed25519 note signer key")
	}
	priv := ed25519.NewKeyFromSeed(key[1:])
	name := parts[2]
	return &Cosigner{name: name, keyID: cosignatureKeyID(name, priv.Public().(ed25519.PublicKey)), key: priv}, nil
}

// Name is the cosigner's name, the name in its signature lines.
func (c *Cosigner) Name() string { return c.name }

// KeyID is the cosigner's key ID, the first four bytes of its signatures.
func (c *Cosigner) KeyID() uint32 { return c.keyID }

// VerifierKey is the cosigner's public key as a C2SP verifier key of
// signature type 0x04, "name+keyid+base64(0x04 || public key)", the form
// other tlog-cosignature tools read; NewCosignatureVerifier reads it too.
func (c *Cosigner) VerifierKey() string {
	pub := append([]byte{cosignatureAlg}, c.key.Public().(ed25519.PublicKey)...)
	return fmt.Sprintf("%s+%08x+%s", c.name, c.keyID, base64.StdEncoding.EncodeToString(pub))
}

// Cosign returns the cosignature of checkpoint at the time at (to the
// second), as one note signature line, "— name base64\n", to append to the
// signed checkpoint (AddCosignature).
func (c *Cosigner) Cosign(checkpoint Checkpoint, at time.Time) (line string, err error) {
	if _, _, err := SplitLogOrigin(checkpoint.Origin); err != nil {
		return "", fmt.Errorf("cosign: %w", err)
	}
	if checkpoint.N < 0 {
		return "", fmt.Errorf("cosign: checkpoint size %d is negative", checkpoint.N)
	}
	ts := at.Unix()
	if ts < 0 {
		return "", fmt.Errorf("cosign: time %s is before 1970", at)
	}
	sig := make([]byte, 4, cosignatureSize)
	binary.BigEndian.PutUint32(sig, c.keyID)
	sig = binary.BigEndian.AppendUint64(sig, uint64(ts))
	sig = append(sig, ed25519.Sign(c.key, cosignedMessage(uint64(ts), checkpoint.Text()))...)
	return "— " + c.name + " " + base64.StdEncoding.EncodeToString(sig) + "\n", nil
}

// cosignedMessage is what a cosignature signs: the header line, the
// timestamp line and the checkpoint body.
func cosignedMessage(ts uint64, body string) []byte {
	return []byte(cosignatureHeader + "time " + strconv.FormatUint(ts, 10) + "\n" + body)
}

// cosignatureKeyID is SHA-256(name || "\n" || 0x04 || public key)[:4].
func cosignatureKeyID(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{cosignatureAlg})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// CosignatureVerifier checks one cosigner's cosignatures. It is also a
// note.Verifier, so note.Open can check a cosignature line among others.
type CosignatureVerifier struct {
	name  string
	keyID uint32
	key   ed25519.PublicKey
}

// NewCosignatureVerifier makes the verifier of the cosigner whose note
// verifier key is vkey, "name+hash+base64(0x01 || public key)" as
// note.GenerateKey writes it; the C2SP form with signature type 0x04
// (Cosigner.VerifierKey) is read too.
func NewCosignatureVerifier(vkey string) (*CosignatureVerifier, error) {
	vkey = strings.TrimSpace(vkey)
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("cosignature verifier key %q: want name+hash+key", vkey)
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize {
		return nil, fmt.Errorf("cosignature verifier key %q: not an Ed25519 key", vkey)
	}
	name, pub := parts[0], ed25519.PublicKey(key[1:])
	v := &CosignatureVerifier{name: name, keyID: cosignatureKeyID(name, pub), key: pub}
	switch key[0] {
	case noteEd25519Alg:
		if _, err := note.NewVerifier(vkey); err != nil { // checks the name and the key hash
			return nil, fmt.Errorf("cosignature verifier key %q: %w", vkey, err)
		}
	case cosignatureAlg:
		if err := ValidName(name); err != nil {
			return nil, fmt.Errorf("cosignature verifier key %q: %w", vkey, err)
		}
		if parts[1] != fmt.Sprintf("%08x", v.keyID) {
			return nil, fmt.Errorf("cosignature verifier key %q: key ID %s, want %08x", vkey, parts[1], v.keyID)
		}
	default:
		return nil, fmt.Errorf("cosignature verifier key %q: signature type %#02x, want 0x01 or 0x04", vkey, key[0])
	}
	return v, nil
}

// Name is the cosigner's name.
func (v *CosignatureVerifier) Name() string { return v.name }

// KeyHash is the cosigner's key ID.
func (v *CosignatureVerifier) KeyHash() uint32 { return v.keyID }

// Verify reports whether sig (timestamp and Ed25519 signature, the key ID
// stripped as note.Open does) cosigns the checkpoint body msg.
func (v *CosignatureVerifier) Verify(msg, sig []byte) bool {
	_, err := v.verify(string(msg), sig)
	return err == nil
}

func (v *CosignatureVerifier) verify(body string, sig []byte) (time.Time, error) {
	if len(sig) != cosignatureSize-4 {
		return time.Time{}, fmt.Errorf("cosignature is %d bytes, want %d", len(sig)+4, cosignatureSize)
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > math.MaxInt64 {
		return time.Time{}, fmt.Errorf("cosignature time %d is out of range", ts)
	}
	if !ed25519.Verify(v.key, cosignedMessage(ts, body), sig[8:]) {
		return time.Time{}, fmt.Errorf("cosignature by %s+%08x does not verify", v.name, v.keyID)
	}
	return time.Unix(int64(ts), 0).UTC(), nil
}

// VerifyCosignature checks that line, one signature line as Cosign
// writes it (the final newline optional), is v's cosignature of
// checkpoint, and returns the time it was made.
func VerifyCosignature(v *CosignatureVerifier, checkpoint Checkpoint, line string) (time.Time, error) {
	name, raw, err := parseSignatureLine(strings.TrimSuffix(line, "\n"))
	if err != nil {
		return time.Time{}, err
	}
	if name != v.name {
		return time.Time{}, fmt.Errorf("cosignature line is by %q, want %q", name, v.name)
	}
	if id := binary.BigEndian.Uint32(raw); id != v.keyID {
		return time.Time{}, fmt.Errorf("cosignature key ID %08x, want %08x", id, v.keyID)
	}
	return v.verify(checkpoint.Text(), raw[4:])
}

// parseSignatureLine splits "— name base64" (no newline) into the name
// and the decoded bytes, the key ID first, accepting canonical base64
// only.
func parseSignatureLine(line string) (name string, raw []byte, err error) {
	rest, ok := strings.CutPrefix(line, "— ")
	if !ok || strings.Contains(rest, "\n") {
		return "", nil, fmt.Errorf("signature line %q: want \"— name signature\"", line)
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok || name == "" {
		return "", nil, fmt.Errorf("signature line %q: want \"— name signature\"", line)
	}
	raw, err = base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < 5 || base64.StdEncoding.EncodeToString(raw) != b64 {
		return "", nil, fmt.Errorf("signature line %q: the signature is not canonical base64", line)
	}
	return name, raw, nil
}

// AddCosignature returns the signed note signed with line appended to its
// signatures, replacing a line by the same name and key ID (an earlier
// cosignature by the same cosigner). It checks the shape of line, not the
// signature.
func AddCosignature(signed []byte, line string) ([]byte, error) {
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	name, raw, err := parseSignatureLine(strings.TrimSuffix(line, "\n"))
	if err != nil {
		return nil, fmt.Errorf("add cosignature: %w", err)
	}
	text, sigs, err := splitNote(signed)
	if err != nil {
		return nil, fmt.Errorf("add cosignature: %w", err)
	}
	out := bytes.NewBuffer(append([]byte(nil), text...))
	out.WriteString("\n")
	for _, l := range sigs {
		n, r, err := parseSignatureLine(l)
		if err == nil && n == name && bytes.Equal(r[:4], raw[:4]) {
			continue
		}
		out.WriteString(l + "\n")
	}
	out.WriteString(line)
	return out.Bytes(), nil
}

// CosignatureLines returns the signature lines of the signed note that
// bear v's name and key ID, each with its newline, unchecked: pass them to
// VerifyCosignature.
func CosignatureLines(signed []byte, v *CosignatureVerifier) []string {
	_, sigs, err := splitNote(signed)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range sigs {
		name, raw, err := parseSignatureLine(l)
		if err == nil && name == v.name && binary.BigEndian.Uint32(raw) == v.keyID {
			out = append(out, l+"\n")
		}
	}
	return out
}

// splitNote cuts a signed note into its text (with its final newline)
// and its signature lines (without theirs).
func splitNote(signed []byte) (text []byte, sigs []string, err error) {
	split := bytes.LastIndex(signed, []byte("\n\n"))
	if split < 0 || !bytes.HasSuffix(signed, []byte("\n")) || split+2 == len(signed) {
		return nil, nil, errors.New("not a signed note: want text, a blank line and signature lines")
	}
	block := strings.TrimSuffix(string(signed[split+2:]), "\n")
	return signed[:split+1], strings.Split(block, "\n"), nil
}
