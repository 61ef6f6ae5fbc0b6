package store

import (
	"context"
	"strings"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// LedgerUpload is a ledger file a user has uploaded in the web pages and
// is importing step by step. It lives in the database, not in an
// instance's memory or disk, so any instance serves any step.
type LedgerUpload struct {
	ID          int64
	UserID      int64
	MechanismID int64
	BatchID     int64
	Name        string // the file's name as uploaded
	Format      string // xlsx or csv
	Bytes       []byte
	CreatedAt   time.Time
}

// LedgerUploadLifetime is how long an upload is kept when its import is
// never applied.
const LedgerUploadLifetime = 24 * time.Hour

// maxUploadName bounds the file name kept.
const maxUploadName = 200

// SaveLedgerUpload keeps a file for its uploader and sweeps the uploads
// older than LedgerUploadLifetime. Errors: Invalid.
func (s *Store) SaveLedgerUpload(ctx context.Context, u *LedgerUpload) error {
	var p domain.Problems
	if u.UserID <= 0 {
		p.Add("user_id", "is required")
	}
	if u.MechanismID <= 0 || u.BatchID <= 0 {
		p.Add("batch", "is required")
	}
	if len(u.Bytes) == 0 {
		p.Add("file", "is empty")
	}
	if u.Format != "xlsx" && u.Format != "csv" {
		p.Add("format", "must be xlsx or csv")
	}
	if p.Err() != nil {
		return p.Err()
	}
	if r := []rune(strings.TrimSpace(u.Name)); len(r) > maxUploadName {
		u.Name = string(r[:maxUploadName])
	} else {
		u.Name = string(r)
	}
	now := s.now()
	u.CreatedAt = now
	if _, err := s.reader().exec(ctx, "DELETE FROM ledger_uploads WHERE created_at <= ?", now.Add(-LedgerUploadLifetime)); err != nil {
		return domain.Internalf(err, "sweep ledger uploads")
	}
	err := s.reader().queryRow(ctx, "INSERT INTO ledger_uploads (user_id, mechanism_id, batch_id, name, format, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		u.UserID, u.MechanismID, u.BatchID, u.Name, u.Format, u.Bytes, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		return domain.Internalf(err, "store ledger upload")
	}
	return nil
}

// LedgerUpload returns an upload of userID's that is not older than
// LedgerUploadLifetime. Errors: NotFound, also for another user's upload.
func (s *Store) LedgerUpload(ctx context.Context, userID, id int64) (*LedgerUpload, error) {
	u := &LedgerUpload{}
	err := s.reader().queryRow(ctx, "SELECT id, user_id, mechanism_id, batch_id, name, format, bytes, created_at FROM ledger_uploads WHERE id = ? AND user_id = ?", id, userID).
		Scan(&u.ID, &u.UserID, &u.MechanismID, &u.BatchID, &u.Name, &u.Format, &u.Bytes, timeCol{&u.CreatedAt})
	if isNoRows(err) {
		return nil, domain.Errorf(domain.NotFound, "upload %d not found", id)
	}
	if err != nil {
		return nil, domain.Internalf(err, "read ledger upload")
	}
	if !s.now().Before(u.CreatedAt.Add(LedgerUploadLifetime)) {
		return nil, domain.Errorf(domain.NotFound, "upload %d has expired; upload the file again", id)
	}
	return u, nil
}

// DeleteLedgerUpload deletes one of userID's uploads; deleting one that is
// gone already is not an error.
func (s *Store) DeleteLedgerUpload(ctx context.Context, userID, id int64) error {
	if _, err := s.reader().exec(ctx, "DELETE FROM ledger_uploads WHERE id = ? AND user_id = ?", id, userID); err != nil {
		return domain.Internalf(err, "delete ledger upload")
	}
	return nil
}
