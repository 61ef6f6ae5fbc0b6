package auditlog_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/liandong/liandong/internal/auditlog"
)

// TestTreeMatchesStoredHashes: the tree grown leaf by leaf has, at every
// size, the root tlog computes from the stored hashes the sealer keeps.
func TestTreeMatchesStoredHashes(t *testing.T) {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			out[i] = stored[idx]
		}
		return out, nil
	})
	var tree auditlog.Tree
	for n := int64(0); n <= 70; n++ {
		want, err := tlog.TreeHash(n, reader)
		if err != nil {
			t.Fatal(err)
		}
		if got := tree.Hash(); got != want || tree.Size() != n {
			t.Fatalf("size %d: root %v, want %v", tree.Size(), got, want)
		}
		leaf := tlog.RecordHash(fmt.Appendf(nil, "leaf %d", n))
		hs, err := tlog.StoredHashesForRecordHash(n, leaf, reader)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
		tree.Add(leaf)
	}
}

func tree(n int64, seed string) tlog.Tree {
	return tlog.Tree{N: n, Hash: tlog.RecordHash([]byte(seed))}
}

// TestCheckpointsSignedAndRead: a key is made on first use, private to its
// owner; the checkpoints it issues are appended beside it and read back
// with its verifier key, and refused with another installation's.
func TestCheckpointsSignedAndRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, auditlog.KeyFile)
	key, err := auditlog.OpenKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	if none, err := key.Latest(); err != nil || none.Note != nil {
		t.Fatalf("latest before any was issued: %+v, %v; want none", none, err)
	}
	var last auditlog.Signed
	for _, tr := range []tlog.Tree{tree(3, "a"), tree(5, "b")} {
		if last, err = key.Issue(tr); err != nil {
			t.Fatal(err)
		}
	}
	latest, err := key.Latest()
	if err != nil || latest.Tree != tree(5, "b") || string(latest.Note) != string(last.Note) {
		t.Fatalf("latest %+v, %v; want the last issued, verbatim", latest, err)
	}
	issued, err := os.ReadFile(filepath.Join(dir, auditlog.CheckpointsFile))
	if err != nil {
		t.Fatal(err)
	}
	verifiers, err := key.VerifierKeys()
	if err != nil || len(verifiers) != 1 || verifiers[0] != key.VerifierKey() {
		t.Fatalf("verifier keys %q, %v; want the key's own", verifiers, err)
	}
	got, err := auditlog.Open(issued, verifiers)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Tree != tree(3, "a") || got[1].Tree != tree(5, "b") || got[1].Origin != key.Origin() {
		t.Fatalf("read back %+v", got)
	}

	other, err := auditlog.OpenKey(filepath.Join(t.TempDir(), auditlog.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auditlog.Open(issued, []string{other.VerifierKey()}); err == nil || !strings.Contains(err.Error(), "checkpoint 1: no signature by a known verifier key") {
		t.Errorf("opened with another installation's key: %v", err)
	}
	forged := strings.Replace(string(issued), "\n3\n", "\n4\n", 1)
	if _, err := auditlog.Open([]byte(forged), verifiers); err == nil {
		t.Error("a checkpoint whose size was changed still opens")
	}
}

// TestKeyRotation: a new key signs the same log and is added to the
// verifier keys, so checkpoints signed by the old key stay verifiable.
func TestKeyRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, auditlog.KeyFile)
	old, err := auditlog.OpenKey(path)
	if err != nil {
		t.Fatal(err)
	}
	before, err := old.Sign(tree(7, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".retired"); err != nil {
		t.Fatal(err)
	}
	rotated, err := auditlog.OpenKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.VerifierKey() == old.VerifierKey() || rotated.Origin() != old.Origin() {
		t.Fatalf("rotated key %q, old %q: want a new key for the same log", rotated.VerifierKey(), old.VerifierKey())
	}
	after, err := rotated.Sign(tree(9, "y"))
	if err != nil {
		t.Fatal(err)
	}
	verifiers, err := rotated.VerifierKeys()
	if err != nil {
		t.Fatal(err)
	}
	got, err := auditlog.Open(append(append(before, '\n'), after...), verifiers)
	if err != nil || len(got) != 2 {
		t.Fatalf("checkpoints of the old and the new key: %+v, %v", got, err)
	}
}
