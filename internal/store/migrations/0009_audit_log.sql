-- The audit trail becomes an append-only log sealed after commit: an event
-- is written with the hash of its own content and no lock, and a sealer
-- later gives it its place (seq) among the leaves of a Merkle tree whose
-- hashes (tlog's stored hashes, by storage index) are kept in audit_tree.
-- Signed checkpoints of that tree leave the database (internal/auditlog).
-- The events chained before this migration keep their hashes and are
-- sealed, in id order, once it is applied.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
CREATE UNIQUE INDEX audit_events_seq ON audit_events(seq);
CREATE INDEX audit_events_unsealed ON audit_events(id) WHERE seq IS NULL;

CREATE TABLE audit_tree (
    idx BIGINT PRIMARY KEY,
    hash TEXT NOT NULL
);
