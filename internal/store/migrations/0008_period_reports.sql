-- The dashboard asks which of a mechanism's items have their reports for one
-- period: an index of (period, item) answers with one seek per item, where
-- the index of the period alone read every report of the period in the
-- installation (200,000 at national scale).
DROP INDEX reports_period;
CREATE INDEX reports_period ON reports(period, item_id);
