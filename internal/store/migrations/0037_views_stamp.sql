-- A stamp of the saved views, kept as the references' is (0034): each
-- write to web_saved_views adds one to it (triggers,
-- 0037_views_stamp_triggers.sqlite.sql and .postgres.sql). The item list
-- keeps each user's views until it changes, where it read them on every
-- page (issue 13, point 11). A row of its own: views are saved while the
-- references rarely change, and the kept references are costly to read again.
INSERT INTO record_stamps (name, version) VALUES ('views', 0);
