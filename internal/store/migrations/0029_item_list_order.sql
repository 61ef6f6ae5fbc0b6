-- The item list is read a page at a time, most often within one mechanism
-- by number (the default) or by the latest change. With these the page's
-- rows are read in order and the reading stops at the page's end, where
-- items_mechanism had every item of the mechanism read and sorted
-- (issue 13, point 11).
CREATE INDEX items_mechanism_number ON items(mechanism_id, number, id);
CREATE INDEX items_mechanism_updated ON items(mechanism_id, updated_at, id);
