-- A pending two-side change records the version of the item it was
-- proposed on: confirmed after the item changed again, it would be applied
-- over newer data, so it is refused as stale instead. The changes already
-- pending were proposed before this column existed; they count as proposed
-- on the item's current version, so they stay confirmable as they were.
ALTER TABLE item_changes ADD COLUMN base_version BIGINT NOT NULL DEFAULT 0;
UPDATE item_changes SET base_version = (SELECT version FROM items WHERE items.id = item_changes.item_id) WHERE state = 'pending';
