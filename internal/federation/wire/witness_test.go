package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// checkpointOf signs, as Chengdu, the checkpoint of the first n leaves.
func checkpointOf(t *testing.T, leaves []tlog.Hash, n int) []byte {
	t.Helper()
	c := Checkpoint{Origin: LogOrigin(chengdu, chongqing), Tree: tlog.Tree{N: int64(n), Hash: RootOf(leaves[:n])}}
	signed, err := SignCheckpoint(mustSigner(t, chengdu), c)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func mustWitness(t *testing.T) *Witness {
	t.Helper()
	w, err := NewWitness(LogOrigin(chengdu, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWitnessAcceptsAGrowingLog: checkpoints of a log that only grows are
// accepted, the same one twice included, and the last is remembered.
func TestWitnessAcceptsAGrowingLog(t *testing.T) {
	leaves := chainOf(t, 7, "grow")
	w := mustWitness(t)
	for _, n := range []int{0, 1, 3, 3, 7} {
		signed := checkpointOf(t, leaves, n)
		c, err := w.Check(signed, mustVerifier(t, chengdu), leaves[:max(n, 3)])
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		if c.N != int64(n) || c.Hash != RootOf(leaves[:n]) {
			t.Errorf("size %d: Check returned %+v", n, c)
		}
		if last, ok := w.Last(); !ok || !bytes.Equal(last, signed) {
			t.Errorf("size %d: Last() = %q, %v; want the checkpoint just accepted", n, last, ok)
		}
	}
	if got, want := len(w.Accepted), 4; got != want {
		t.Errorf("%d checkpoints remembered, want %d (one per size)", got, want)
	}
}

// TestWitnessRefusesAnOlderCheckpoint: once size 5 is accepted, the true
// checkpoint of size 3 is refused as older, not as a fork.
func TestWitnessRefusesAnOlderCheckpoint(t *testing.T) {
	leaves := chainOf(t, 5, "old")
	w := mustWitness(t)
	if _, err := w.Check(checkpointOf(t, leaves, 5), mustVerifier(t, chengdu), leaves); err != nil {
		t.Fatal(err)
	}
	_, err := w.Check(checkpointOf(t, leaves, 3), mustVerifier(t, chengdu), leaves)
	if !errors.Is(err, ErrOlderCheckpoint) || errors.Is(err, ErrForked) {
		t.Errorf("Check(size 3 after 5) = %v, want ErrOlderCheckpoint", err)
	}
	if last, _ := w.Last(); !bytes.Equal(last, checkpointOf(t, leaves, 5)) {
		t.Error("the refused checkpoint replaced the last accepted one")
	}
}

// TestWitnessRaisesForks: the sender signing two roots for one size, or a
// root that is not that of the envelopes it sent, is reported as
// ErrForked with both signed checkpoints as evidence, and nothing is
// accepted.
func TestWitnessRaisesForks(t *testing.T) {
	leaves := chainOf(t, 6, "truth")
	other := chainOf(t, 6, "lie") // another history the sender also signed
	for _, tc := range []struct {
		name     string
		accepted []int // sizes accepted first
		next     []byte
		known    int // size of the evidence's known checkpoint, 0 for none
	}{
		{"TwoRootsForOneSize", []int{2, 4}, checkpointOf(t, other, 4), 4},
		{"TwoRootsForAnOlderSize", []int{2, 4}, checkpointOf(t, other, 2), 2},
		{"NotAnExtension", []int{2, 4}, checkpointOf(t, other, 6), 4},
		{"OlderAndNotAPrefix", []int{2, 4}, checkpointOf(t, other, 3), 4},
		{"FirstNotOfTheEnvelopesSent", nil, checkpointOf(t, other, 5), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWitness(t)
			for _, n := range tc.accepted {
				if _, err := w.Check(checkpointOf(t, leaves, n), mustVerifier(t, chengdu), leaves); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := json.Marshal(w)
			_, err := w.Check(tc.next, mustVerifier(t, chengdu), leaves)
			var fork *ForkError
			if !errors.Is(err, ErrForked) || !errors.As(err, &fork) {
				t.Fatalf("Check = %v, want a *ForkError", err)
			}
			if !bytes.Equal(fork.Conflicting, tc.next) {
				t.Errorf("evidence: conflicting %q, want the checkpoint received", fork.Conflicting)
			}
			var wantKnown []byte
			if tc.known > 0 {
				wantKnown = checkpointOf(t, leaves, tc.known)
			}
			if !bytes.Equal(fork.Known, wantKnown) {
				t.Errorf("evidence: known %q, want %q", fork.Known, wantKnown)
			}
			if after, _ := json.Marshal(w); !bytes.Equal(before, after) {
				t.Errorf("a refused checkpoint changed the witness: %s, was %s", after, before)
			}
		})
	}
}

// TestWitnessRefusesWhatItCannotCheck: a bad signature, another log's
// checkpoint, one ahead of the envelopes held, or leaves that no longer
// match what was accepted are refused without being taken for forks.
func TestWitnessRefusesWhatItCannotCheck(t *testing.T) {
	leaves := chainOf(t, 5, "check")
	other := chainOf(t, 5, "changed")
	bad := checkpointOf(t, leaves, 4)
	bad[len(bad)-5] ^= 1
	for _, tc := range []struct {
		name   string
		next   []byte
		leaves []tlog.Hash
		want   error
	}{
		{"BadSignature", bad, leaves, ErrBadCheckpoint},
		{"SignedByAnother", checkpointOf(t, leaves, 4), leaves, ErrBadCheckpoint},
		{"AheadOfTheEnvelopes", checkpointOf(t, leaves, 5), leaves[:4], ErrMissingLeaves},
		{"LeavesRewritten", checkpointOf(t, other, 4), other, nil},
		{"LeavesLost", checkpointOf(t, leaves, 1), leaves[:1], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWitness(t)
			if _, err := w.Check(checkpointOf(t, leaves, 2), mustVerifier(t, chengdu), leaves); err != nil {
				t.Fatal(err)
			}
			verifier := mustVerifier(t, chengdu)
			if tc.name == "SignedByAnother" {
				verifier = mustVerifier(t, xian)
			}
			_, err := w.Check(tc.next, verifier, tc.leaves)
			if err == nil || errors.Is(err, ErrForked) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("Check = %v, want an error (%v if given), not a fork", err, tc.want)
			}
			if len(w.Accepted) != 1 {
				t.Errorf("%d checkpoints remembered, want 1", len(w.Accepted))
			}
		})
	}
}

// TestWitnessStateSurvivesJSON: a witness saved as JSON and read back
// still knows what it accepted: it refuses the older checkpoint and the
// fork the original would.
func TestWitnessStateSurvivesJSON(t *testing.T) {
	leaves := chainOf(t, 4, "save")
	other := chainOf(t, 4, "fork")
	w := mustWitness(t)
	if _, err := w.Check(checkpointOf(t, leaves, 3), mustVerifier(t, chengdu), leaves); err != nil {
		t.Fatal(err)
	}
	saved, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var restored Witness
	if err := json.Unmarshal(saved, &restored); err != nil {
		t.Fatal(err)
	}
	if _, err := restored.Check(checkpointOf(t, leaves, 2), mustVerifier(t, chengdu), leaves); !errors.Is(err, ErrOlderCheckpoint) {
		t.Errorf("restored: Check(older) = %v, want ErrOlderCheckpoint", err)
	}
	if _, err := restored.Check(checkpointOf(t, other, 3), mustVerifier(t, chengdu), leaves); !errors.Is(err, ErrForked) {
		t.Errorf("restored: Check(fork) = %v, want ErrForked", err)
	}
	if _, err := restored.Check(checkpointOf(t, leaves, 4), mustVerifier(t, chengdu), leaves); err != nil {
		t.Errorf("restored: Check(next) = %v, want nil", err)
	}
}
