-- A stamp of the records every page names (units, places, mechanisms,
-- batches), kept by the database itself: each write to those tables adds
-- one to it (triggers, 0034_record_stamps_triggers.sqlite.sql and
-- .postgres.sql, applied after this file), whoever writes them and on
-- whichever instance, and becomes visible with the write's commit. Pages
-- read this one row to know whether the lists they keep are still
-- current; counting and summing the tables' versions, as before, read
-- every row of them on every page (issue 13: a page of 50 items). One row
-- for the four tables, so that a transaction writing two of them cannot
-- take their stamps in the opposite order of another's.
CREATE TABLE record_stamps (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO record_stamps (name, version) VALUES ('references', 0);
