package auditlog

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Files kept beside the key.
const (
	// KeyFile is the default name of the signing key in the data directory.
	KeyFile = "audit.key"
	// VerifiersFile lists the verifier key of every signing key the
	// installation has used, one a line, oldest first: rotating the key
	// adds a line, and the checkpoints signed before stay verifiable.
	VerifiersFile = "audit-verifiers"
	// CheckpointsFile receives every checkpoint issued, appended.
	CheckpointsFile = "audit-checkpoints"
)

// Key is the installation's Ed25519 signing key, kept in a file outside the
// database so that write access to the database is not enough to sign a
// history. The verifier keys and issued checkpoints live beside it.
type Key struct {
	secret   string // the note signer key, for the cosigner made from it
	signer   note.Signer
	verifier string
	path     string
	dir      string
}

// OpenKey reads the signing key at path, or creates it (readable by its
// owner only) when there is none. A new key takes the log's name (origin)
// from the last verifier key listed beside it, so that a rotated key signs
// the same log; the first key of an installation names it after the host.
// Either way its verifier key is added to VerifiersFile.
func OpenKey(path string) (*Key, error) {
	k := &Key{path: path, dir: filepath.Dir(path)}
	skey, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if skey, err = k.create(path); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("read audit key: %w", err)
	}
	k.secret = strings.TrimSpace(string(skey))
	if k.signer, err = note.NewSigner(k.secret); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	if k.verifier, err = verifierKey(strings.TrimSpace(string(skey))); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	known, err := k.VerifierKeys()
	if err != nil {
		return nil, err
	}
	for _, v := range known {
		if v == k.verifier {
			return k, nil
		}
	}
	return k, appendFile(filepath.Join(k.dir, VerifiersFile), k.verifier+"\n", 0o644)
}

// OpenKeyNamed is OpenKey for an installation that chooses its name
// (liandong/chengdu) when its key is created; an existing key keeps its
// own name, and a name given that differs from it is an error.
func OpenKeyNamed(path, name string) (*Key, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && name != "" {
		k := &Key{path: path, dir: filepath.Dir(path)}
		if _, err := k.createNamed(path, name); err != nil {
			return nil, err
		}
	}
	k, err := OpenKey(path)
	if err == nil && name != "" && k.Origin() != name {
		return nil, fmt.Errorf("the key %s names the installation %s, not %s", path, k.Origin(), name)
	}
	return k, err
}

func (k *Key) create(path string) ([]byte, error) {
	known, err := k.VerifierKeys()
	if err != nil {
		return nil, err
	}
	var origin string
	if len(known) > 0 {
		origin, _, _ = strings.Cut(known[len(known)-1], "+")
	} else {
		origin = defaultOrigin()
	}
	return k.createNamed(path, origin)
}

func (k *Key) createNamed(path, origin string) ([]byte, error) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, fmt.Errorf("generate audit key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create audit key: %w", err)
	}
	// O_EXCL: of two processes creating the key at once, one wins and
	// the other reads what it wrote.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create audit key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write audit key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write audit key: %w", err)
	}
	return []byte(skey), f.Close()
}

// defaultOrigin names a new installation's log after its host, with a
// random suffix so that two installations on one host differ.
func defaultOrigin() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '+' || r == '/' {
			return -1
		}
		return r
	}, host)
	if host == "" {
		host = "localhost"
	}
	var b [3]byte
	rand.Read(b[:])
	return "liandong/" + host + "/" + hex.EncodeToString(b[:])
}

// verifierKey derives the public verifier key from a note signer key
// (PRIVATE+KEY+name+hash+base64(algorithm, seed)).
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5) // base64 may hold + too
	if len(parts) != 5 {
		return "", errors.New("not a signer key")
	}
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return "", errors.New("not an Ed25519 signer key")
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// File is where the key is kept; the files of verifier keys and of issued
// checkpoints are beside it.
func (k *Key) File() string { return k.path }

// Signer signs notes as the installation: audit checkpoints, and the
// envelopes and checkpoints of its federation logs.
func (k *Key) Signer() note.Signer { return k.signer }

// NoteSignerKey is the private key as the note package writes it, from
// which a cosigner of the peers' checkpoints is made (C2SP
// tlog-cosignature signs with the same Ed25519 key under another type).
func (k *Key) NoteSignerKey() string { return k.secret }

// Origin is the name of the log the key signs.
func (k *Key) Origin() string { return k.signer.Name() }

// VerifierKey is the public key that checks this key's signatures; give it
// to whoever keeps checkpoints.
func (k *Key) VerifierKey() string { return k.verifier }

// VerifierKeys lists the verifier keys in VerifiersFile beside the key.
func (k *Key) VerifierKeys() ([]string, error) {
	return ReadVerifierKeys(filepath.Join(k.dir, VerifiersFile))
}

// ReadVerifierKeys reads a file of verifier keys, one a line; a missing
// file lists none.
func ReadVerifierKeys(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read verifier keys: %w", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, nil
}

// Sign returns the signed checkpoint of tree: the note Open reads.
func (k *Key) Sign(tree tlog.Tree) ([]byte, error) {
	c := Checkpoint{Origin: k.Origin(), Tree: tree}
	msg, err := note.Sign(&note.Note{Text: c.text()}, k.signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// Issue signs the checkpoint of tree and appends it to CheckpointsFile
// beside the key, so that every checkpoint ever given out is on record.
func (k *Key) Issue(tree tlog.Tree) (Signed, error) {
	msg, err := k.Sign(tree)
	if err != nil {
		return Signed{}, err
	}
	if err := appendFile(filepath.Join(k.dir, CheckpointsFile), string(msg)+"\n", 0o644); err != nil {
		return Signed{}, err
	}
	return Signed{Checkpoint: Checkpoint{Origin: k.Origin(), Tree: tree}, Note: msg}, nil
}

// appendFile appends text in one write, synced, so that processes
// appending at once do not interleave their lines.
func appendFile(path, text string, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, perm)
	if err != nil {
		return fmt.Errorf("append to %s: %w", filepath.Base(path), err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", filepath.Base(path), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", filepath.Base(path), err)
	}
	return f.Close()
}

// Signed is a checkpoint together with the note that signs it, as it was
// issued: what a pack prints and a channel receives, verbatim.
type Signed struct {
	Checkpoint
	Note []byte
}

// Latest returns the last checkpoint in CheckpointsFile beside the key,
// its signature checked against the installation's verifier keys, or a
// zero Signed (Note nil) when none was issued yet.
func (k *Key) Latest() (Signed, error) {
	data, err := os.ReadFile(filepath.Join(k.dir, CheckpointsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Signed{}, nil
	}
	if err != nil {
		return Signed{}, fmt.Errorf("read %s: %w", CheckpointsFile, err)
	}
	notes := splitNotes(data)
	if len(notes) == 0 {
		return Signed{}, nil
	}
	verifiers, err := k.VerifierKeys()
	if err != nil {
		return Signed{}, err
	}
	last := notes[len(notes)-1]
	cs, err := Open(last, verifiers)
	if err != nil {
		return Signed{}, fmt.Errorf("%s: the last checkpoint: %w", CheckpointsFile, err)
	}
	return Signed{Checkpoint: cs[0], Note: last}, nil
}
