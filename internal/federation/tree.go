package federation

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/federation/wire"
)

// logTree is the hash tree of one log — the one kept for a peer, or the
// one received from it — held in memory, so that a checkpoint, a pull and
// a receipt read from the store only the envelopes added since the last
// time, and compute a root from O(log n) hashes, instead of reading and
// hashing the whole log each time (issue 14: 10,000 events).
//
// The store stays the truth: before each use the tree is brought to what
// the store holds (catchUp), since other instances of the program append
// to the same database. The logs are hash-chained (each signed envelope
// names the hash of the one before), so if the store's envelope at the
// tree's last place still has the leaf hash the tree holds there, every
// place before it does too: one envelope read checks the whole prefix.
type logTree struct {
	mu     sync.Mutex
	leaves []tlog.Hash // the leaf hash of each envelope, in order
	stored []tlog.Hash // the tree's hashes, as tlog.StoredHashIndex numbers them
	last   []byte      // the last envelope, which the next one's Prev names
}

// size is how many leaves the tree holds.
func (t *logTree) size() int64 { return int64(len(t.leaves)) }

// ReadHashes gives tlog the stored hashes it asks for.
func (t *logTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.stored)) {
			return nil, fmt.Errorf("hash %d of a tree of %d leaves is not held", x, len(t.leaves))
		}
		out[i] = t.stored[x]
	}
	return out, nil
}

// add appends the leaf hash h.
func (t *logTree) add(h tlog.Hash) error {
	hashes, err := tlog.StoredHashesForRecordHash(t.size(), h, t)
	if err != nil {
		return err
	}
	t.stored = append(t.stored, hashes...)
	t.leaves = append(t.leaves, h)
	return nil
}

// truncate keeps the first n leaves only.
func (t *logTree) truncate(n int64) {
	if n >= t.size() {
		return
	}
	if n == 0 {
		t.leaves, t.stored = nil, nil
		return
	}
	t.leaves, t.stored = t.leaves[:n], t.stored[:tlog.StoredHashCount(n)]
}

// root is the root hash of the log's first n leaves, n at most its size.
func (t *logTree) root(n int64) (tlog.Hash, error) {
	if n > t.size() {
		return tlog.Hash{}, fmt.Errorf("the root at size %d of a tree of %d leaves", n, t.size())
	}
	if n == 0 {
		return wire.RootOf(nil), nil // tlog's TreeHash gives zero, RFC 6962 the hash of nothing
	}
	return tlog.TreeHash(n, t)
}

// errLogMoved: the store's log changed while it was being read.
var errLogMoved = errors.New("the log changed while it was read; try again")

// catchUp brings the tree to the store's log, which holds size envelopes,
// last being the last of them; read returns the store's envelopes at
// places [from, to). It reads only what the tree lacks, plus the one at
// the tree's last place to check that the store still holds what was
// hashed. A store holding less than the tree (a restored database) or
// something else (a log rewritten) makes it start again from the store.
// The caller holds t.mu.
func (t *logTree) catchUp(size int64, last []byte, read func(from, to int64) ([][]byte, error)) error {
	if size == 0 {
		t.truncate(0)
		t.last = nil
		return nil
	}
	lastLeaf := wire.LeafHash(last)
	if t.size() >= size {
		if t.leaves[size-1] == lastLeaf {
			t.truncate(size)
			t.last = last
			return nil
		}
		t.truncate(0)
	}
	from := max(t.size()-1, 0)
	envs, err := read(from, size)
	if err != nil {
		return err
	}
	if int64(len(envs)) != size-from {
		t.truncate(0)
		return errLogMoved
	}
	if t.size() > 0 {
		if wire.LeafHash(envs[0]) != t.leaves[from] {
			t.truncate(0)
			return t.catchUp(size, last, read)
		}
		envs = envs[1:]
	}
	for _, e := range envs {
		if err := t.add(wire.LeafHash(e)); err != nil {
			t.truncate(0)
			return err
		}
	}
	if t.leaves[size-1] != lastLeaf {
		t.truncate(0)
		return errLogMoved
	}
	t.last = last
	return nil
}
