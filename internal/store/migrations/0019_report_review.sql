-- Reports that hold (issue 13): the parts of the working group's template
-- beside the progress text (the existing text column is 本期进展), the
-- secretariat's review of a submitted report, and the corrections (更正)
-- made to a report after it was handed in, each with its reason.
ALTER TABLE reports ADD COLUMN next_steps TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN problems TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN coordination TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN highlight TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN investment_done DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE reports ADD COLUMN reviewed_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN review_note TEXT NOT NULL DEFAULT '';

CREATE TABLE report_corrections (
    id {{pk}},
    report_id BIGINT NOT NULL REFERENCES reports(id),
    version BIGINT NOT NULL,
    reason TEXT NOT NULL,
    corrected_at TIMESTAMP NOT NULL,
    corrected_by BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX report_corrections_version ON report_corrections(report_id, version);

-- Photos and PDFs attached to a report, kept in the database so that every
-- instance sharing it serves them; the bytes are checked (type sniffed,
-- size bounded) before they are stored (domain.CheckAttachment).
CREATE TABLE report_attachments (
    id {{pk}},
    report_id BIGINT NOT NULL REFERENCES reports(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX report_attachments_report ON report_attachments(report_id);
