-- Excel ledgers (台账) and reminders, issue 5 part 2. Portable SQL as in
-- 0001_records.sql.

-- What an item should reach in each quarter, as the ledgers list it:
-- {"q1": "…", "q2": "…", "q3": "…", "q4": "…"}.
ALTER TABLE items ADD COLUMN schedule TEXT NOT NULL DEFAULT '{}';

-- A saved column mapping lets a ledger with other headers import: columns
-- maps a header as it appears in the file to a ledger field.
CREATE TABLE column_mappings (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    name TEXT NOT NULL,
    columns TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX column_mappings_name ON column_mappings(mechanism_id, name);

-- Where a mechanism's reminders go: an SMTP address or a webhook URL.
CREATE TABLE notification_channels (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_channels_mechanism ON notification_channels(mechanism_id);

-- Every delivery attempt of a reminder on a channel, for the secretariat.
CREATE TABLE delivery_log (
    id {{pk}},
    at TIMESTAMP NOT NULL,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    channel_id BIGINT NOT NULL REFERENCES notification_channels(id),
    reminder_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX delivery_log_mechanism ON delivery_log(mechanism_id, id);
CREATE INDEX delivery_log_channel ON delivery_log(channel_id, id);
