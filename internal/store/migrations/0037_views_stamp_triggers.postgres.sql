-- Each statement that writes a saved view adds one to the views stamp (see
-- 0037_views_stamp.sql), with the function of 0034.
CREATE TRIGGER web_saved_views_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON web_saved_views FOR EACH STATEMENT EXECUTE FUNCTION record_stamp_bump('views');
