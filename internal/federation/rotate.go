package federation

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/liandong/liandong/internal/auditlog"
	"github.com/liandong/liandong/internal/federation/wire"
	"github.com/liandong/liandong/internal/store"
)

// RotateKey replaces the installation's key in the file at path by a new
// key of the same name, keeping the old one beside it (path.retired-UNIX),
// and logs the statement of the rotation, signed with both keys, for every
// peer: a peer pins the new key once it has checked the statement with the
// key it pinned. The serving instances sign with the new key once
// restarted; until then they sign with the old one, which the peers still
// accept up to the statement. The store's key becomes the new one.
func RotateKey(ctx context.Context, s *store.Store, path string, now time.Time) (*auditlog.Key, error) {
	old, err := auditlog.OpenKey(path)
	if err != nil {
		return nil, err
	}
	retired := path + ".retired-" + strconv.FormatInt(now.Unix(), 10)
	if err := os.Rename(path, retired); err != nil {
		return nil, fmt.Errorf("rotate key: %w", err)
	}
	next, err := auditlog.OpenKey(path)
	if err != nil {
		return nil, err
	}
	statement, err := wire.SignRotation(old.Signer(), next.Signer(), old.VerifierKey(), next.VerifierKey())
	if err != nil {
		return nil, err
	}
	s.AuditKey = next
	if err := s.RecordKeyRotation(ctx, statement); err != nil {
		return nil, fmt.Errorf("the key was rotated (the old one is %s) but the statement was not logged: %w", retired, err)
	}
	return next, nil
}

// UseKey makes the node sign and cosign with k, as a restart after
// RotateKey would.
func (n *Node) UseKey(k *auditlog.Key) error {
	c, err := wire.NewCosigner(k.NoteSignerKey())
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Key, n.cosigner = k, c
	return nil
}
