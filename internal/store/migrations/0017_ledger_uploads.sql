-- Ledger files uploaded in the web pages, kept between the steps of an
-- import (mapping, preview, apply) so that any instance serves any step
-- without the file being sent again. They are the uploader's working
-- state, not records of a mechanism: neither versioned nor audited, deleted
-- when the import is applied and swept a day after they were uploaded.
-- The file is BYTEA, PostgreSQL's binary type; SQLite accepts the name and
-- keeps a blob stored in such a column as the blob it is.
CREATE TABLE ledger_uploads (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    batch_id BIGINT NOT NULL REFERENCES batches(id),
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_uploads_user ON ledger_uploads(user_id);
CREATE INDEX ledger_uploads_created ON ledger_uploads(created_at);
