package store

import (
	"context"
	"database/sql"

	"github.com/liandong/liandong/internal/domain"
)

// AttachToReport stores a file attached to the report: whoever may change
// the report may attach to it, at most domain.MaxAttachments files, each
// checked by domain.CheckAttachment. The bytes live in the database, so
// every instance serves them. Errors: Invalid, TooLarge, NotFound,
// Forbidden, Conflict (too many).
func (s *Store) AttachToReport(ctx context.Context, actor domain.Actor, reportID int64, name string, data []byte) (*domain.Attachment, error) {
	ct, err := domain.CheckAttachment(name, data)
	if err != nil {
		return nil, err
	}
	a := &domain.Attachment{ReportID: reportID, Name: name, ContentType: ct, Size: int64(len(data)), CreatedBy: actor.UserID}
	err = s.Write(ctx, actor, func(t *Tx) error {
		rep, err := s.Reports.get(ctx, t.reader(), reportID)
		if err != nil {
			return err
		}
		if err := s.Reports.mayWrite(ctx, t, rep); err != nil {
			return err
		}
		var n int
		if err := t.reader().queryRow(ctx, "SELECT COUNT(*) FROM report_attachments WHERE report_id = ?", reportID).Scan(&n); err != nil {
			return domain.Internalf(err, "count attachments")
		}
		if n >= domain.MaxAttachments {
			return domain.Errorf(domain.Conflict, "report %d already has %d attachments", reportID, n).
				With(domain.FieldErrorf("file", "a report holds at most %d attachments", domain.MaxAttachments))
		}
		a.CreatedAt = t.now
		if err := t.reader().queryRow(ctx, "INSERT INTO report_attachments (report_id, name, content_type, size, data, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			reportID, a.Name, a.ContentType, a.Size, data, a.CreatedAt, a.CreatedBy).Scan(&a.ID); err != nil {
			return domain.Internalf(err, "store attachment")
		}
		return t.audit(ctx, "create", "report_attachments", a.ID, nil, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

const attachmentColumns = "id, report_id, name, content_type, size, created_at, created_by"

func scanAttachment(sc interface{ Scan(...any) error }, a *domain.Attachment, more ...any) error {
	return sc.Scan(append([]any{&a.ID, &a.ReportID, &a.Name, &a.ContentType, &a.Size, timeCol{&a.CreatedAt}, &a.CreatedBy}, more...)...)
}

// ReportAttachments lists the files attached to the report, oldest first,
// if actor may read the report. Errors: NotFound.
func (s *Store) ReportAttachments(ctx context.Context, actor domain.Actor, reportID int64) ([]domain.Attachment, error) {
	if _, err := s.Reports.GetAs(ctx, actor, reportID); err != nil {
		return nil, err
	}
	out := []domain.Attachment{}
	err := loadRows(ctx, s.reader(), "SELECT "+attachmentColumns+" FROM report_attachments WHERE report_id IN (?) ORDER BY id", []any{reportID}, func(rows *sql.Rows) error {
		var a domain.Attachment
		if err := scanAttachment(rows, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// ReportAttachment returns one file attached to the report, with its
// bytes, if actor may read the report. Errors: NotFound.
func (s *Store) ReportAttachment(ctx context.Context, actor domain.Actor, reportID, id int64) (domain.Attachment, []byte, error) {
	var a domain.Attachment
	if _, err := s.Reports.GetAs(ctx, actor, reportID); err != nil {
		return a, nil, err
	}
	var data []byte
	err := scanAttachment(s.reader().queryRow(ctx, "SELECT "+attachmentColumns+", data FROM report_attachments WHERE report_id = ? AND id = ?", reportID, id), &a, &data)
	if isNoRows(err) {
		return a, nil, domain.Errorf(domain.NotFound, "attachment %d of report %d not found", id, reportID)
	}
	if err != nil {
		return a, nil, domain.Internalf(err, "read attachment %d", id)
	}
	return a, data, nil
}
