-- An item's parties as a list's row reads them, kept on the item: "side
-- unit role" each, in their order, joined by commas (items.go, takeParties).
-- The list read them with a sub-select per row, which on SQLite cost a
-- fifth of a page of 50 (issue 13, point 11). The store writes the column
-- with the parties, in the same transaction; item_parties stays the record.
ALTER TABLE items ADD COLUMN parties_text TEXT;
UPDATE items SET parties_text = (SELECT string_agg(p.side || ' ' || p.organization_id || ' ' || p.role, ',' ORDER BY p.position) FROM item_parties p WHERE p.item_id = items.id);
