-- Each row written to a table of the references stamp adds one to it (see
-- 0034_record_stamps.sql).
CREATE TRIGGER organizations_stamp_insert AFTER INSERT ON organizations BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER organizations_stamp_update AFTER UPDATE ON organizations BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER organizations_stamp_delete AFTER DELETE ON organizations BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER jurisdictions_stamp_insert AFTER INSERT ON jurisdictions BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER jurisdictions_stamp_update AFTER UPDATE ON jurisdictions BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER jurisdictions_stamp_delete AFTER DELETE ON jurisdictions BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER mechanisms_stamp_insert AFTER INSERT ON mechanisms BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER mechanisms_stamp_update AFTER UPDATE ON mechanisms BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER mechanisms_stamp_delete AFTER DELETE ON mechanisms BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER batches_stamp_insert AFTER INSERT ON batches BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER batches_stamp_update AFTER UPDATE ON batches BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
CREATE TRIGGER batches_stamp_delete AFTER DELETE ON batches BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'references'; END;
