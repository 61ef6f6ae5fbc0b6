-- Each saved view written adds one to the views stamp (see
-- 0037_views_stamp.sql).
CREATE TRIGGER web_saved_views_stamp_insert AFTER INSERT ON web_saved_views BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'views'; END;
CREATE TRIGGER web_saved_views_stamp_update AFTER UPDATE ON web_saved_views BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'views'; END;
CREATE TRIGGER web_saved_views_stamp_delete AFTER DELETE ON web_saved_views BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = 'views'; END;
