package wire

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.txt from the code")

const vectorsFile = "vectors.txt"

const vectorsHeader = `# Test vectors of Liandong's federation wire format (docs/FEDERATION.md).
# Each section starts with a line "-- name --"; its content is every byte up
# to the next such line (a final newline included). Keys were generated once
# with note.GenerateKey from a fixed seed; the rest is computed from them and
# the events' data as written, and checked byte for byte by
# TestVectors (go test -run TestVectors -update rewrites this file).
`

// section is one named byte string of the vectors file.
type section struct {
	name    string
	content string
}

var sectionLine = regexp.MustCompile(`(?m)^-- (.+) --\n`)

// readVectors parses the vectors file into its sections, by name.
func readVectors(data []byte) map[string]string {
	out := make(map[string]string)
	locs := sectionLine.FindAllSubmatchIndex(data, -1)
	for i, loc := range locs {
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out[string(data[loc[2]:loc[3]])] = string(data[loc[1]:end])
	}
	return out
}

func writeVectors(sections []section) []byte {
	var buf bytes.Buffer
	buf.WriteString(vectorsHeader)
	for _, s := range sections {
		fmt.Fprintf(&buf, "-- %s --\n%s", s.name, s.content)
	}
	return buf.Bytes()
}

// computeVectors derives every vector from the keys.
func computeVectors(t *testing.T, keys map[string]string) []section {
	t.Helper()
	sections := []section{
		{"key/chengdu.signer", keys[chengdu+".signer"] + "\n"},
		{"key/chengdu.verifier", keys[chengdu+".verifier"] + "\n"},
		{"key/chongqing.signer", keys[chongqing+".signer"] + "\n"},
		{"key/chongqing.verifier", keys[chongqing+".verifier"] + "\n"},
		{"log/origin", LogOrigin(chengdu, chongqing) + "\n"},
	}
	signer, err := note.NewSigner(keys[chengdu+".signer"])
	if err != nil {
		t.Fatal(err)
	}
	events := sampleEvents()
	envelopes, leaves := signChain(t, signer, events)
	for i, env := range envelopes {
		sections = append(sections,
			section{fmt.Sprintf("event/%d/data-as-written", i), string(events[i].Data) + "\n"},
			section{fmt.Sprintf("event/%d/envelope", i), string(env)},
			section{fmt.Sprintf("event/%d/leaf-hash", i), base64.StdEncoding.EncodeToString(leaves[i][:]) + "\n"},
		)
	}
	c := Checkpoint{Origin: LogOrigin(chengdu, chongqing), Tree: tlog.Tree{N: int64(len(leaves)), Hash: RootOf(leaves)}}
	signed, err := SignCheckpoint(signer, c)
	if err != nil {
		t.Fatal(err)
	}
	cosigner, err := NewCosigner(keys[chongqing+".signer"])
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
	return append(sections,
		section{"checkpoint/text", c.Text()},
		section{"checkpoint/signed", string(signed)},
		section{"cosignature/chongqing.verifier-c2sp", cosigner.VerifierKey() + "\n"},
		section{"cosignature/time", strconv.FormatInt(sampleTime.Unix(), 10) + "\n"},
		section{"cosignature/signed-message", string(cosignedMessage(uint64(sampleTime.Unix()), c.Text()))},
		section{"cosignature/line", line},
		section{"checkpoint/cosigned", string(cosigned)},
	)
}

// TestVectors: the vectors computed now are, byte for byte, those in
// testdata; a change to the wire format shows here first.
func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", vectorsFile)
	data, err := os.ReadFile(path)
	if err != nil && !*update {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	stored := readVectors(data)
	keys := make(map[string]string)
	for _, name := range []string{chengdu, chongqing} {
		short := "chengdu"
		if name == chongqing {
			short = "chongqing"
		}
		skey, vkey := stored["key/"+short+".signer"], stored["key/"+short+".verifier"]
		if skey == "" || vkey == "" {
			if !*update {
				t.Fatalf("%s: no key for %s", path, short)
			}
			skey, vkey = fixedKey(t, name) // generated once, then kept
			skey, vkey = skey+"\n", vkey+"\n"
		}
		keys[name+".signer"], keys[name+".verifier"] = skey[:len(skey)-1], vkey[:len(vkey)-1]
	}
	got := writeVectors(computeVectors(t, keys))
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, data) {
		gotSections := readVectors(got)
		for name, want := range stored {
			if gotSections[name] != want {
				t.Errorf("section %s:\ngot  %q\nwant %q", name, gotSections[name], want)
			}
		}
		t.Errorf("%s differs from the vectors computed now (sections above; -update rewrites it)", path)
	}
}

// TestVectorsOpen: the stored vectors open with the stored public keys
// alone, the way another implementation would read them.
func TestVectorsOpen(t *testing.T) {
	v := readVectors(mustReadFile(t, filepath.Join("testdata", vectorsFile)))
	sender, err := note.NewVerifier(trimNL(v["key/chengdu.verifier"]))
	if err != nil {
		t.Fatal(err)
	}
	var leaves []tlog.Hash
	for i := 0; ; i++ {
		env, ok := v[fmt.Sprintf("event/%d/envelope", i)]
		if !ok {
			break
		}
		e, err := OpenEvent([]byte(env), note.VerifierList(sender))
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if e.Seq != int64(i) || (i > 0 && e.Prev != PrevOf([]byte(v[fmt.Sprintf("event/%d/envelope", i-1)]))) {
			t.Errorf("event %d: seq %d, prev %q: not chained", i, e.Seq, e.Prev)
		}
		h := LeafHash([]byte(env))
		if got := base64.StdEncoding.EncodeToString(h[:]) + "\n"; got != v[fmt.Sprintf("event/%d/leaf-hash", i)] {
			t.Errorf("event %d: leaf hash %q, stored %q", i, got, v[fmt.Sprintf("event/%d/leaf-hash", i)])
		}
		leaves = append(leaves, h)
	}
	if len(leaves) != 3 {
		t.Fatalf("%d envelopes in the vectors, want 3", len(leaves))
	}
	w, err := NewWitness(trimNL(v["log/origin"]))
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.Check([]byte(v["checkpoint/cosigned"]), sender, leaves)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := NewCosignatureVerifier(trimNL(v["key/chongqing.verifier"]))
	if err != nil {
		t.Fatal(err)
	}
	lines := CosignatureLines([]byte(v["checkpoint/cosigned"]), cv)
	if len(lines) != 1 || lines[0] != v["cosignature/line"] {
		t.Fatalf("cosignature lines %q, want [%q]", lines, v["cosignature/line"])
	}
	at, err := VerifyCosignature(cv, c, lines[0])
	if err != nil || strconv.FormatInt(at.Unix(), 10)+"\n" != v["cosignature/time"] {
		t.Errorf("cosignature at %v, %v; want %s", at.Unix(), err, v["cosignature/time"])
	}
}

func trimNL(s string) string { return string(bytes.TrimSuffix([]byte(s), []byte("\n"))) }

func mustReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
