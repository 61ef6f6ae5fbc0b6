-- Each statement that writes a table of the references stamp adds one to
-- it (see 0034_record_stamps.sql): a statement-level trigger, so that an
-- import of thousands of units adds one, not thousands.
CREATE FUNCTION record_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE record_stamps SET version = version + 1 WHERE name = TG_ARGV[0]; RETURN NULL; END $$;
CREATE TRIGGER organizations_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations FOR EACH STATEMENT EXECUTE FUNCTION record_stamp_bump('references');
CREATE TRIGGER jurisdictions_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jurisdictions FOR EACH STATEMENT EXECUTE FUNCTION record_stamp_bump('references');
CREATE TRIGGER mechanisms_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mechanisms FOR EACH STATEMENT EXECUTE FUNCTION record_stamp_bump('references');
CREATE TRIGGER batches_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON batches FOR EACH STATEMENT EXECUTE FUNCTION record_stamp_bump('references');
