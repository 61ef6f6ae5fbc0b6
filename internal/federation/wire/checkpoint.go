package wire

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/auditlog"
)

// Checkpoint is the state of one log at one moment: its origin line, its
// size (the number of envelopes) and the RFC 6962 root hash over their
// leaf hashes.
type Checkpoint struct {
	Origin string
	tlog.Tree
}

// Text is the checkpoint's note body in the C2SP tlog-checkpoint format:
// the origin line, the size in decimal and the standard base64 of the
// root hash, each ending in a newline, and no extension line.
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.N, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Hash[:]) + "\n"
}

// SignCheckpoint returns c signed by s as a note. s must be the key of
// the sender c.Origin names: only a log's sender speaks for it.
func SignCheckpoint(s note.Signer, c Checkpoint) ([]byte, error) {
	sender, _, err := SplitLogOrigin(c.Origin)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	if s.Name() != sender {
		return nil, fmt.Errorf("sign checkpoint: key %q cannot sign for the sender %q of log %q", s.Name(), sender, c.Origin)
	}
	if c.N < 0 {
		return nil, fmt.Errorf("sign checkpoint: size %d is negative", c.N)
	}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks a signed checkpoint of the log wantOrigin: it must
// carry a valid signature by sender, whose name is the sender wantOrigin
// names, and a body that is exactly Text of what it holds. Other signature
// lines, such as cosignatures, are left unchecked.
func OpenCheckpoint(signed []byte, sender note.Verifier, wantOrigin string) (Checkpoint, error) {
	name, _, err := SplitLogOrigin(wantOrigin)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w", err)
	}
	if sender.Name() != name {
		return Checkpoint{}, fmt.Errorf("open checkpoint: key %q is not the sender %q of log %q", sender.Name(), name, wantOrigin)
	}
	n, err := note.Open(signed, note.VerifierList(sender))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return Checkpoint{}, fmt.Errorf("open checkpoint: not signed by %s+%08x (%s)", sender.Name(), sender.KeyHash(), signatureNames(unverified.Note.UnverifiedSigs))
		}
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w", err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w", err)
	}
	if c.Origin != wantOrigin {
		return Checkpoint{}, fmt.Errorf("open checkpoint: of log %q, want %q", c.Origin, wantOrigin)
	}
	return c, nil
}

// parseCheckpoint reads a checkpoint body, accepting only the one
// spelling Text writes.
func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, errors.New("checkpoint body: want three lines, the origin, the size and the root hash")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("checkpoint size %q is not a decimal number without sign or leading zero", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return Checkpoint{}, fmt.Errorf("checkpoint root %q is not the base64 of a %d-byte hash", lines[2], tlog.HashSize)
	}
	c := Checkpoint{Origin: lines[0], Tree: tlog.Tree{N: n}}
	copy(c.Hash[:], root)
	return c, nil
}

// RootOf is the RFC 6962 root hash of the tree whose leaves have the hashes
// leaves, in order: what a checkpoint of a log holding those envelopes
// says. The empty tree's root is the SHA-256 of nothing.
func RootOf(leaves []tlog.Hash) tlog.Hash {
	var t auditlog.Tree
	for _, h := range leaves {
		t.Add(h)
	}
	return t.Hash()
}
