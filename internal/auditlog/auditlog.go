// Package auditlog holds what makes the audit trail a log that can be held
// to its history from outside the database: the RFC 6962 Merkle tree over
// its events, computed as they are read, and checkpoints of that tree —
// its size and root hash — signed with the installation's key in the C2SP
// tlog-checkpoint format (golang.org/x/mod/sumdb/tlog and sumdb/note). A
// checkpoint kept anywhere proves later which events the log held then: a
// rewritten or deleted event changes the root of every tree that covers it.
package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Tree computes the root hash of a tree whose leaves are added in order,
// keeping only the roots of its complete subtrees (at most log₂ n hashes),
// so that a verifier can walk millions of events in constant memory. Its
// Hash equals tlog.TreeHash over the same leaves.
type Tree struct {
	n     int64
	roots []tlog.Hash // complete subtrees, largest (leftmost) first
}

// Add appends the leaf with hash h (tlog.RecordHash of its data).
func (t *Tree) Add(h tlog.Hash) {
	t.roots = append(t.roots, h)
	// Each trailing 1 bit of the old size is a complete subtree of the
	// same height as the one just finished: they merge.
	for k := t.n; k&1 == 1; k >>= 1 {
		last := len(t.roots) - 1
		t.roots = append(t.roots[:last-1], tlog.NodeHash(t.roots[last-1], t.roots[last]))
	}
	t.n++
}

// Size is the number of leaves added.
func (t *Tree) Size() int64 { return t.n }

// Hash is the root hash of the tree of the leaves added so far.
func (t *Tree) Hash() tlog.Hash {
	if t.n == 0 {
		return sha256.Sum256(nil) // RFC 6962's hash of the empty tree
	}
	h := t.roots[len(t.roots)-1]
	for i := len(t.roots) - 2; i >= 0; i-- {
		h = tlog.NodeHash(t.roots[i], h)
	}
	return h
}

// Checkpoint is the state of the log at one moment: which log (Origin) and
// its tree, the number of events and their root hash.
type Checkpoint struct {
	Origin string
	tlog.Tree
}

// text is the checkpoint's body in the C2SP tlog-checkpoint format: the
// origin, the tree size and the base64 root hash, one a line.
func (c Checkpoint) text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.N, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Hash[:]) + "\n"
}

func parseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("want the origin, the tree size and the root hash, one a line")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("tree size %q is not a number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("root hash %q is not %d bytes of base64", lines[2], tlog.HashSize)
	}
	c := Checkpoint{Origin: lines[0], Tree: tlog.Tree{N: n}}
	copy(c.Hash[:], root)
	return c, nil
}

// Open reads the signed checkpoints in data, one or more notes as Key.Sign
// writes them (blank lines between them allowed), and checks each
// signature against the verifier keys. Errors name the checkpoint, counting
// from 1, that is malformed or signed by no key given.
func Open(data []byte, verifierKeys []string) ([]Checkpoint, error) {
	var vs []note.Verifier
	for _, k := range verifierKeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("verifier key %q: %w", k, err)
		}
		vs = append(vs, v)
	}
	known := note.VerifierList(vs...)
	var out []Checkpoint
	for i, msg := range splitNotes(data) {
		n, err := note.Open(msg, known)
		if err != nil {
			var unknown *note.UnverifiedNoteError
			if errors.As(err, &unknown) {
				return nil, fmt.Errorf("checkpoint %d: no signature by a known verifier key (%s)", i+1, err)
			}
			return nil, fmt.Errorf("checkpoint %d: %w", i+1, err)
		}
		c, err := parseCheckpoint(n.Text)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %d: %w", i+1, err)
		}
		if c.Origin != n.Sigs[0].Name {
			return nil, fmt.Errorf("checkpoint %d: names the log %q but is signed by %q", i+1, c.Origin, n.Sigs[0].Name)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no checkpoint found")
	}
	return out, nil
}

// splitNotes cuts concatenated notes apart: a note is its text, a blank
// line and its signature lines ("— name sig"); what follows the last
// signature line starts the next note.
func splitNotes(data []byte) [][]byte {
	var out [][]byte
	var cur bytes.Buffer
	inSigs := false
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		isSig := bytes.HasPrefix(line, []byte("— "))
		blank := len(bytes.TrimSpace(line)) == 0
		if inSigs && !isSig {
			out = append(out, bytes.Clone(cur.Bytes()))
			cur.Reset()
			inSigs = false
		}
		if cur.Len() == 0 && blank {
			continue // between notes
		}
		if isSig {
			inSigs = true
		}
		cur.Write(line)
	}
	if cur.Len() > 0 {
		out = append(out, cur.Bytes())
	}
	return out
}
