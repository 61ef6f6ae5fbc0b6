-- The meeting pack finished by people and issued (issue 12): the
-- secretariat's words for each section of a meeting's pack, replacing the
-- generated text of that section, and the pack as issued — frozen, its
-- print-ready page kept byte for byte with its SHA-256, which the audit log
-- records in the same transaction.
CREATE TABLE pack_edits (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    edited_at TIMESTAMP NOT NULL,
    edited_by BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, section)
);

CREATE TABLE issued_packs (
    meeting_id BIGINT PRIMARY KEY REFERENCES meetings(id),
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    doc TEXT NOT NULL,
    html TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    figures TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    issued_by BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX issued_packs_mechanism ON issued_packs(mechanism_id);
