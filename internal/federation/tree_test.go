package federation

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/federation/wire"
)

// storeLog stands for the store's log: envelopes by place, and the reads
// asked of it.
type storeLog struct {
	envs  [][]byte
	reads [][2]int64
	short bool // answer one envelope fewer than asked, as if rows vanished meanwhile
}

func newStoreLog(name string, n int) *storeLog {
	l := &storeLog{}
	for i := range n {
		l.envs = append(l.envs, fmt.Appendf(nil, "envelope %d of %s", i, name))
	}
	return l
}

func (l *storeLog) read(from, to int64) ([][]byte, error) {
	l.reads = append(l.reads, [2]int64{from, to})
	if l.short {
		to--
	}
	return l.envs[from:to], nil
}

func (l *storeLog) tail() (int64, []byte) {
	if len(l.envs) == 0 {
		return 0, nil
	}
	return int64(len(l.envs)), l.envs[len(l.envs)-1]
}

func (l *storeLog) root(n int) tlog.Hash {
	leaves := make([]tlog.Hash, n)
	for i := range n {
		leaves[i] = wire.LeafHash(l.envs[i])
	}
	return wire.RootOf(leaves)
}

func TestLogTreeRootIsTheWitnessRoot(t *testing.T) {
	l := newStoreLog("chengdu", 70)
	tree := &logTree{}
	size, last := l.tail()
	if err := tree.catchUp(size, last, l.read); err != nil {
		t.Fatal(err)
	}
	for n := range 71 {
		got, err := tree.root(int64(n))
		if err != nil {
			t.Fatal(err)
		}
		if want := l.root(n); got != want {
			t.Fatalf("root at size %d: got %v, want %v", n, got, want)
		}
	}
	if _, err := tree.root(71); err == nil {
		t.Fatal("root beyond the tree: got no error")
	}
}

func TestLogTreeCatchUp(t *testing.T) {
	tests := []struct {
		name      string
		held      int              // leaves the tree held, of the first log
		store     func() *storeLog // what the store holds then
		short     bool
		wantReads [][2]int64
		wantSize  int64
		wantErr   error
	}{
		{name: "ReadsOnlyWhatIsNewAndTheLastHeld", held: 10, store: func() *storeLog { return newStoreLog("a", 15) },
			wantReads: [][2]int64{{9, 15}}, wantSize: 15},
		{name: "ReadsNothingWhenUpToDate", held: 10, store: func() *storeLog { return newStoreLog("a", 10) },
			wantReads: nil, wantSize: 10},
		{name: "StoreBehindTheTreeIsBelieved", held: 15, store: func() *storeLog { return newStoreLog("a", 10) },
			wantReads: nil, wantSize: 10},
		{name: "EmptyStoreEmptiesTheTree", held: 15, store: func() *storeLog { return newStoreLog("a", 0) },
			wantReads: nil, wantSize: 0},
		{name: "RewrittenLogIsReadAgainWhole", held: 10, store: func() *storeLog { return newStoreLog("b", 12) },
			wantReads: [][2]int64{{9, 12}, {0, 12}}, wantSize: 12},
		{name: "RewrittenShorterLogIsReadAgainWhole", held: 10, store: func() *storeLog { return newStoreLog("b", 6) },
			wantReads: [][2]int64{{0, 6}}, wantSize: 6},
		{name: "RowsVanishingMeanwhileEmptyTheTree", held: 10, store: func() *storeLog { return newStoreLog("a", 15) }, short: true,
			wantReads: [][2]int64{{9, 15}}, wantSize: 0, wantErr: errLogMoved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := newStoreLog("a", tt.held)
			tree := &logTree{}
			size, last := first.tail()
			if err := tree.catchUp(size, last, first.read); err != nil {
				t.Fatal(err)
			}
			l := tt.store()
			l.short = tt.short
			size, last = l.tail()
			err := tree.catchUp(size, last, l.read)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("catch up: got %v, want %v", err, tt.wantErr)
			}
			if got := fmt.Sprint(l.reads); got != fmt.Sprint(tt.wantReads) {
				t.Errorf("reads: got %s, want %v", got, tt.wantReads)
			}
			if got := tree.size(); got != tt.wantSize {
				t.Fatalf("size: got %d, want %d", got, tt.wantSize)
			}
			got, err := tree.root(tree.size())
			if err != nil {
				t.Fatal(err)
			}
			if want := l.root(int(tt.wantSize)); got != want {
				t.Errorf("root: got %v, want the store's %v", got, want)
			}
			if tt.wantSize > 0 && string(tree.last) != string(l.envs[tt.wantSize-1]) {
				t.Errorf("last envelope: got %q, want %q", tree.last, l.envs[tt.wantSize-1])
			}
		})
	}
}
