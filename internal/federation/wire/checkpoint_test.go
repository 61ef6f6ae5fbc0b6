package wire

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func sampleCheckpoint(t *testing.T) Checkpoint {
	t.Helper()
	_, leaves := signChain(t, mustSigner(t, chengdu), sampleEvents())
	return Checkpoint{Origin: LogOrigin(chengdu, chongqing), Tree: tlog.Tree{N: int64(len(leaves)), Hash: RootOf(leaves)}}
}

// TestRootOfMatchesTlog: RootOf agrees with tlog's own tree hash at every
// size, the empty tree included.
func TestRootOfMatchesTlog(t *testing.T) {
	leaves := chainOf(t, 9, "root")
	for n := 0; n <= len(leaves); n++ {
		want, err := tlog.TreeHash(int64(n), tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
			// tlog asks for stored hashes; recompute each from the leaves.
			out := make([]tlog.Hash, len(indexes))
			for i, idx := range indexes {
				level, n := tlog.SplitStoredHashIndex(idx)
				out[i] = RootOf(leaves[n<<level : (n+1)<<level])
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		if got := RootOf(leaves[:n]); got != want {
			t.Errorf("RootOf(%d leaves) = %v, want %v", n, got, want)
		}
	}
}

// TestCheckpointRoundTrip: a checkpoint signed by the sender opens to
// itself, with a cosignature line or an unknown signature beside it.
func TestCheckpointRoundTrip(t *testing.T) {
	c := sampleCheckpoint(t)
	signed, err := SignCheckpoint(mustSigner(t, chengdu), c)
	if err != nil {
		t.Fatal(err)
	}
	if text := string(signed); !strings.HasPrefix(text, c.Text()+"\n— "+chengdu+" ") {
		t.Errorf("signed checkpoint:\n%s\nwant the body, a blank line and Chengdu's signature", text)
	}
	otherSig, err := note.Sign(&note.Note{Text: c.Text()}, mustSigner(t, chengdu), mustSigner(t, xian))
	if err != nil {
		t.Fatal(err)
	}
	cosigner, err := NewCosigner(mustSkey(t, chongqing))
	if err != nil {
		t.Fatal(err)
	}
	line, err := cosigner.Cosign(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := AddCosignature(signed, line)
	if err != nil {
		t.Fatal(err)
	}
	for name, note := range map[string][]byte{"Signed": signed, "WithUnknownSignature": otherSig, "Cosigned": cosigned} {
		got, err := OpenCheckpoint(note, mustVerifier(t, chengdu), c.Origin)
		if err != nil || got != c {
			t.Errorf("%s: OpenCheckpoint = %+v, %v; want %+v", name, got, err, c)
		}
	}
}

// TestOpenCheckpointRefuses: a checkpoint not signed by the sender, of
// another log, or with a body in any other spelling is refused.
func TestOpenCheckpointRefuses(t *testing.T) {
	c := sampleCheckpoint(t)
	root := c.Text()[strings.LastIndex(strings.TrimSuffix(c.Text(), "\n"), "\n")+1:]
	signText := func(text string, by string) []byte {
		t.Helper()
		msg, err := note.Sign(&note.Note{Text: text}, mustSigner(t, by))
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	good := signText(c.Text(), chengdu)
	tampered := []byte(string(good))
	tampered[len(c.Origin)+1] = '4' // size 3 becomes 4
	for _, tc := range []struct {
		name       string
		signed     []byte
		verifier   note.Verifier
		wantOrigin string
		says       string
	}{
		{"SignedByAnother", signText(c.Text(), xian), mustVerifier(t, chengdu), c.Origin, "not signed by"},
		{"VerifierNotTheSender", signText(c.Text(), xian), mustVerifier(t, xian), c.Origin, "is not the sender"},
		{"WrongOrigin", good, mustVerifier(t, chengdu), LogOrigin(chengdu, xian), "want"},
		{"OtherLogOfTheSender", signText(LogOrigin(chengdu, xian)+"\n3\n"+root, chengdu), mustVerifier(t, chengdu), c.Origin, "of log"},
		{"Tampered", tampered, mustVerifier(t, chengdu), c.Origin, "invalid signature"},
		{"SizeWithLeadingZero", signText(c.Origin+"\n03\n"+root, chengdu), mustVerifier(t, chengdu), c.Origin, "size"},
		{"SizeWithSign", signText(c.Origin+"\n+3\n"+root, chengdu), mustVerifier(t, chengdu), c.Origin, "size"},
		{"NegativeSize", signText(c.Origin+"\n-3\n"+root, chengdu), mustVerifier(t, chengdu), c.Origin, "size"},
		{"RootNotAHash", signText(c.Origin+"\n3\nAAAA\n", chengdu), mustVerifier(t, chengdu), c.Origin, "root"},
		{"ExtensionLine", signText(c.Text()+"extra\n", chengdu), mustVerifier(t, chengdu), c.Origin, "three lines"},
		{"NoRoot", signText(c.Origin+"\n3\n", chengdu), mustVerifier(t, chengdu), c.Origin, "three lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OpenCheckpoint(tc.signed, tc.verifier, tc.wantOrigin)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("OpenCheckpoint = %+v, %v; want an error saying %q", got, err, tc.says)
			}
		})
	}
	if _, err := SignCheckpoint(mustSigner(t, xian), c); err == nil {
		t.Error("SignCheckpoint with a key that is not the sender's: no error")
	}
}
