package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

// reports are the units' progress reports. A report is a draft its unit
// edits until it is submitted; then it is locked (domain.Report.CheckEdit,
// asked on every plain write), changed only by a correction (Correct) or the
// secretariat's review (Review), each its own audited action.
var reports = &table[domain.Report, *domain.Report]{
	name: "reports",
	columns: []string{"item_id", "organization_id", "period", "text", "next_steps", "problems", "coordination", "highlight",
		"investment_done", "percent", "status", "submitted_at", "reviewed_at", "reviewed_by", "review_note", "attachments"},
	fields: func(r *domain.Report) []any {
		return []any{r.ItemID, r.OrganizationID, r.Period, r.Progress, r.NextSteps, r.Problems, r.Coordination, r.Highlight,
			r.InvestmentDone, r.Percent, string(r.Status), optTime(r.SubmittedAt), optTime(r.ReviewedAt), r.ReviewedBy, r.ReviewNote,
			jsonCol{emptyIfNil(r.Attachments)}}
	},
	targets: func(r *domain.Report) []any {
		return []any{&r.ItemID, &r.OrganizationID, &r.Period, progressCol{r}, &r.NextSteps, &r.Problems, &r.Coordination, &r.Highlight,
			&r.InvestmentDone, &r.Percent, &r.Status, nullTime{&r.SubmittedAt}, nullTime{&r.ReviewedAt}, &r.ReviewedBy, &r.ReviewNote,
			jsonCol{&r.Attachments}}
	},
	refs: []ref[domain.Report, *domain.Report]{
		{"item_id", "items", func(r *domain.Report) int64 { return r.ItemID }},
		{"organization_id", "organizations", func(r *domain.Report) int64 { return r.OrganizationID }},
	},
	// The reporting unit is a party of the item: asked with the write's
	// other checks, in one query (Records.checkAll).
	conds: []condition[domain.Report, *domain.Report]{{
		field: "organization_id",
		sql:   "EXISTS (SELECT 1 FROM item_parties WHERE item_id = ? AND organization_id = ?)",
		args:  func(r *domain.Report) []any { return []any{r.ItemID, r.OrganizationID} },
		reason: func(r *domain.Report) string {
			return fmt.Sprintf("is not a party of item %d; only its units report on it", r.ItemID)
		},
	}},
	edit: func(before, v *domain.Report) error { return v.CheckEdit(before) },
	check: func(ctx context.Context, t *Tx, rep *domain.Report) error {
		switch {
		case rep.Status == domain.Submitted && rep.SubmittedAt == nil:
			// A report handed in before it is recorded counts from the
			// day it was (its period's lateness is judged by it).
			at := t.now
			if _, _, stated := Occurred(ctx); stated {
				var mechanismID int64
				if err := t.reader().queryRow(ctx, "SELECT mechanism_id FROM items WHERE id = ?", rep.ItemID).Scan(&mechanismID); err != nil {
					return domain.Internalf(err, "read the item's mechanism")
				}
				at = t.happenedAt(ctx, mechanismID)
			}
			rep.SubmittedAt = &at
		case rep.Status == domain.Draft:
			rep.SubmittedAt = nil
		}
		if rep.Attachments == nil {
			rep.Attachments = []string{}
		}
		if rep.Corrections == nil {
			rep.Corrections = []domain.ReportCorrection{}
		}
		return nil
	},
	load: func(ctx context.Context, r reader, page []*domain.Report) error {
		args, byID := ids(page)
		for _, rep := range page {
			rep.Corrections = []domain.ReportCorrection{}
		}
		return loadRows(ctx, r, "SELECT report_id, version, reason, corrected_at, corrected_by FROM report_corrections WHERE report_id IN (?) ORDER BY report_id, version", args, func(rows *sql.Rows) error {
			var id int64
			var c domain.ReportCorrection
			if err := rows.Scan(&id, &c.Version, &c.Reason, timeCol{&c.At}, &c.By); err != nil {
				return err
			}
			byID[id].Corrections = append(byID[id].Corrections, c)
			return nil
		})
	},
	// A correction is written with the version it makes; corrections are
	// never removed, and a plain write cannot add one (CheckEdit keeps the
	// stored list).
	save: func(ctx context.Context, t *Tx, rep *domain.Report) error {
		for _, c := range rep.Corrections {
			if c.Version != rep.Version {
				continue
			}
			if _, err := t.reader().exec(ctx, "INSERT INTO report_corrections (report_id, version, reason, corrected_at, corrected_by) VALUES (?, ?, ?, ?, ?)",
				rep.ID, c.Version, c.Reason, c.At, c.By); err != nil {
				return domain.Internalf(err, "record the correction of report %d", rep.ID)
			}
		}
		return nil
	},
	// progress mirrors text, which the audit events of reports state; the
	// corrections are stated by the correcting event but read from their
	// own table.
	derived: []string{"progress", "corrections"},
	filters: map[string]filter{
		"item":      byID("item_id"),
		"unit":      byID("organization_id"),
		"period":    byText("period"),
		"status":    byEnum("status", domain.ReportStatuses),
		"batch":     byIDInCol("item_id", "SELECT id FROM items WHERE batch_id = ?"),
		"mechanism": byIDInCol("item_id", "SELECT id FROM items WHERE mechanism_id = ?"),
		"q":         byQuery("text"),
	},
	groups: map[string]string{"item": "CAST(item_id AS TEXT)", "unit": "CAST(organization_id AS TEXT)", "status": "status"},
	sorts:  map[string]sortKey{"period": {"period", sortText}, "updated_at": {"updated_at", sortTime}},
}

// progressCol scans the text column into both names of a report's
// progress text.
type progressCol struct{ r *domain.Report }

func (c progressCol) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	c.r.Progress, c.r.Text = s.String, s.String
	return nil
}

// CorrectReport writes a correction (更正) of the report id, which must be
// handed in (submitted, accepted or returned) and stored at version: want's
// texts, investment and percent become the report's next version,
// submitted again for review, and reason is kept with it. The audit trail
// holds the text before and after. Whoever may write the report may
// correct it. Errors: Invalid (no reason, bad fields), NotFound, Conflict
// (a stale version, or a draft, which is edited instead), Forbidden.
func (s *Store) CorrectReport(ctx context.Context, actor domain.Actor, id, version int64, want *domain.Report, reason string) (*domain.Report, error) {
	may := func(t *Tx, before *domain.Report) error { return s.Reports.mayWrite(ctx, t, before) }
	return s.actOnReport(ctx, actor, id, version, may, func(t *Tx, after *domain.Report) (string, error) {
		if err := after.Correct(want, reason); err != nil {
			return "", err
		}
		after.Corrections = append(append([]domain.ReportCorrection{}, after.Corrections...),
			domain.ReportCorrection{Version: version + 1, Reason: reason, At: t.now, By: actor.UserID})
		return "correct", nil
	})
}

// ReviewReport records the secretariat's review of the submitted report
// id, stored at version: accept takes it in; otherwise it is returned (退回)
// with note as the reason, open again to its unit for a correction. Who may
// review is the policy's (policy.Review). Errors: Invalid (a return
// without a reason), NotFound, Conflict (stale, or not awaiting review),
// Forbidden.
func (s *Store) ReviewReport(ctx context.Context, actor domain.Actor, id, version int64, accept bool, note string) (*domain.Report, error) {
	may := func(t *Tx, before *domain.Report) error { return mayReview(ctx, t.reader(), actor, before) }
	return s.actOnReport(ctx, actor, id, version, may, func(t *Tx, after *domain.Report) (string, error) {
		if err := after.Review(accept, note, actor.UserID, t.now); err != nil {
			return "", err
		}
		if accept {
			return "accept", nil
		}
		return "return", nil
	})
}

// actOnReport is one of the store's own actions on a report, in one
// transaction: it reads the report, asks may whether the actor may act on
// it, refuses a version other than the stored one, lets act turn a copy
// into the new state and name the action, and writes it audited under
// that name, past the rule for plain edits. It returns the report as it
// then stands.
func (s *Store) actOnReport(ctx context.Context, actor domain.Actor, id, version int64, may func(*Tx, *domain.Report) error,
	act func(*Tx, *domain.Report) (string, error)) (*domain.Report, error) {
	rs := s.Reports
	var out *domain.Report
	err := s.Write(ctx, actor, func(t *Tx) error {
		before, err := rs.get(ctx, t.reader(), id)
		if err != nil {
			return err
		}
		if err := may(t, before); err != nil {
			return err
		}
		if before.Version != version {
			return staleError(reports.name, id, version, before.Version)
		}
		after := *before
		action, err := act(t, &after)
		if err != nil {
			return err
		}
		if err := rs.updateTx(ctx, t, before, &after, action); err != nil {
			return err
		}
		out, err = rs.get(ctx, t.reader(), id)
		return err
	})
	return out, err
}

// MayReview reports, as a Forbidden error, whether actor may accept or
// return rep (NotFound when it may not even read it); pages use it to offer
// the review buttons only to those the review will accept.
func (s *Store) MayReview(ctx context.Context, actor domain.Actor, rep *domain.Report) error {
	return mayReview(ctx, s.reader(), actor, rep)
}

func mayReview(ctx context.Context, r reader, actor domain.Actor, rep *domain.Report) error {
	pr, err := r.principal(ctx, actor.User)
	if err != nil {
		return err
	}
	if err := reports.decide(ctx, r, pr, policy.Read, rep); err != nil {
		if domain.ErrorCode(err) == domain.Forbidden {
			return notVisible(reports.name, rep.ID)
		}
		return err
	}
	obj, err := reports.object(ctx, r, rep)
	if err != nil {
		return err
	}
	return policy.Review(pr, obj.MechanismID)
}
