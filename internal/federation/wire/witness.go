package wire

import (
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/auditlog"
)

// Errors of Witness.Check.
var (
	// ErrOlderCheckpoint: the checkpoint is smaller than the last one
	// accepted. Refused, not alarming: it may be a stale copy.
	ErrOlderCheckpoint = errors.New("checkpoint is older than the last accepted")
	// ErrForked: the sender signed two views of its log that cannot both
	// be true. Always an alarm; the error is a *ForkError carrying the
	// evidence.
	ErrForked = errors.New("sender's log has forked")
	// ErrMissingLeaves: the checkpoint covers envelopes the receiver does
	// not hold yet; pull them, then check again.
	ErrMissingLeaves = errors.New("checkpoint covers envelopes not yet received")
	// ErrBadCheckpoint: the checkpoint's signature, origin or body is
	// wrong; the error says which.
	ErrBadCheckpoint = errors.New("checkpoint refused")
)

// ForkError is the evidence that a sender forked its log: two checkpoints
// it signed that no single append-only log can have both produced. Either
// two different roots for one size, or a checkpoint whose root is not that
// of the envelopes the sender signed and sent, which Known commits to.
type ForkError struct {
	Origin string
	// Known is the signed checkpoint the witness held (nil when the
	// conflicting checkpoint is the first one received).
	Known []byte
	// Conflicting is the signed checkpoint just received.
	Conflicting []byte
	// Detail says what conflicts, for the operator's log and the evidence;
	// it is no refusal shown to a person.
	Detail string
}

// Error says which log forked and how.
func (e *ForkError) Error() string {
	return fmt.Sprintf("log %s has forked: %s", e.Origin, e.Detail)
}

// Unwrap makes errors.Is(err, ErrForked) hold.
func (e *ForkError) Unwrap() error { return ErrForked }

// Witness is a receiver's memory of one sender's log: every checkpoint it
// accepted, oldest first, the last being the one it cosigned last. It
// holds no storage; the caller persists it whole (its fields are its
// state, JSON-ready) after each successful Check.
type Witness struct {
	// Origin is the log watched.
	Origin string `json:"origin"`
	// Accepted lists the checkpoints accepted, by increasing size, one per
	// size.
	Accepted []SeenCheckpoint `json:"accepted"`
}

// SeenCheckpoint is one checkpoint a Witness accepted.
type SeenCheckpoint struct {
	Size int64  `json:"size"`
	Root string `json:"root"` // standard base64 of the root hash
	// Signed is the signed checkpoint as received, the evidence should the
	// sender contradict it later.
	Signed string `json:"signed"`
}

// NewWitness starts the memory of the log origin, with nothing accepted.
func NewWitness(origin string) (*Witness, error) {
	if _, _, err := SplitLogOrigin(origin); err != nil {
		return nil, err
	}
	return &Witness{Origin: origin}, nil
}

// Last returns the last checkpoint accepted and its signed note, or
// ok false when none was.
func (w *Witness) Last() (signed []byte, ok bool) {
	if len(w.Accepted) == 0 {
		return nil, false
	}
	return []byte(w.Accepted[len(w.Accepted)-1].Signed), true
}

// Check decides whether to accept the signed checkpoint: it must be
// signed by sender, name the Witness's log, be no smaller than the last
// one accepted, and have the root of the first N leaves the receiver
// holds, leaves being the leaf hashes of every envelope received, in
// order (their root at the last accepted size must still be the one
// accepted). On success Check records the checkpoint and returns it, to
// cosign. Errors: ErrBadCheckpoint, ErrOlderCheckpoint, ErrMissingLeaves,
// or a *ForkError (ErrForked), checked in that order except that a fork
// is reported whatever the size.
func (w *Witness) Check(signed []byte, sender note.Verifier, leaves []tlog.Hash) (Checkpoint, error) {
	c, err := OpenCheckpoint(signed, sender, w.Origin)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrBadCheckpoint, err)
	}
	root := base64.StdEncoding.EncodeToString(c.Hash[:])
	for _, seen := range w.Accepted {
		if seen.Size == c.N && seen.Root != root {
			return Checkpoint{}, &ForkError{Origin: w.Origin, Known: []byte(seen.Signed), Conflicting: signed,
				Detail: fmt.Sprintf("two roots for size %d", c.N)}
		}
	}
	last, hasLast := w.last()
	if hasLast && last.N > int64(len(leaves)) {
		return Checkpoint{}, fmt.Errorf("witness of %s: %d leaves given, but %d were accepted before", w.Origin, len(leaves), last.N)
	}
	if c.N > int64(len(leaves)) {
		return Checkpoint{}, fmt.Errorf("%w: size %d, %d held", ErrMissingLeaves, c.N, len(leaves))
	}
	// One pass over the leaves gives the roots at both sizes.
	var tree auditlog.Tree
	var lastRoot, nextRoot tlog.Hash
	for i := int64(0); ; i++ {
		if hasLast && i == last.N {
			lastRoot = tree.Hash()
		}
		if i == c.N {
			nextRoot = tree.Hash()
		}
		if i >= c.N && (!hasLast || i >= last.N) {
			break
		}
		tree.Add(leaves[i])
	}
	if hasLast && lastRoot != last.Hash {
		return Checkpoint{}, fmt.Errorf("witness of %s: the leaves given are not those of the checkpoint accepted at size %d", w.Origin, last.N)
	}
	if nextRoot != c.Hash {
		known, _ := w.Last()
		return Checkpoint{}, &ForkError{Origin: w.Origin, Known: known, Conflicting: signed,
			Detail: fmt.Sprintf("the root at size %d is not that of the envelopes the sender sent", c.N)}
	}
	if hasLast && c.N < last.N {
		return Checkpoint{}, fmt.Errorf("%w: size %d, last accepted %d", ErrOlderCheckpoint, c.N, last.N)
	}
	if !hasLast || c.N > last.N {
		w.Accepted = append(w.Accepted, SeenCheckpoint{Size: c.N, Root: root, Signed: string(signed)})
	}
	return c, nil
}

// last parses the last accepted checkpoint's body; it was verified when
// accepted.
func (w *Witness) last() (Checkpoint, bool) {
	if len(w.Accepted) == 0 {
		return Checkpoint{}, false
	}
	seen := w.Accepted[len(w.Accepted)-1]
	c := Checkpoint{Origin: w.Origin, Tree: tlog.Tree{N: seen.Size}}
	h, err := base64.StdEncoding.DecodeString(seen.Root)
	if err == nil {
		copy(c.Hash[:], h)
	}
	return c, true
}
