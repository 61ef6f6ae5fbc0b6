-- Changes proposed across installations (issue 14, point 4): a record is
-- changed only by the installation that keeps it, so what a reader of its
-- replica would change is proposed to the keeper, against the version of
-- the record the keeper had last sent (origin_version), and answered: the
-- keeper applies it through its own two-side rule (applied, or held for its
-- side to confirm) or refuses it (a stale base, a change its rules refuse).
ALTER TABLE federation_records ADD COLUMN origin_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE federation_proposals (
    id {{pk}},
    entity TEXT NOT NULL,
    local_id BIGINT NOT NULL,
    keeper TEXT NOT NULL,
    base_version BIGINT NOT NULL,
    proposal TEXT NOT NULL,
    proposed_by BIGINT NOT NULL DEFAULT 0,
    proposed_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL DEFAULT 'sent',
    reason TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP
);
CREATE INDEX federation_proposals_record ON federation_proposals(entity, local_id, id);
