-- The list's two ordered indexes (0029) hold only the items not archived,
-- which are what a list shows unless asked for the archive: counting a
-- mechanism's items (the list's result count, on every page) then reads the
-- index alone, where it read each item's row to see whether it was
-- archived (issue 13, point 11). A list of the archive reads the
-- mechanism's items through items_mechanism and sorts them.
DROP INDEX items_mechanism_number;
DROP INDEX items_mechanism_updated;
CREATE INDEX items_live_number ON items(mechanism_id, number, id) WHERE archived_at IS NULL;
CREATE INDEX items_live_updated ON items(mechanism_id, updated_at, id) WHERE archived_at IS NULL;
