-- A side's own units of a shared item (issue 14, point 4): a replica
-- applies a change to its own side's units at once, and proposes it to the
-- keeper as well. own_sides lists the sides whose units a proposal set here
-- already (a JSON list, '[]' for a proposal that waits for the keeper), so
-- that the keeper's states received meanwhile keep them, and a refusal
-- sets them back to the keeper's.
ALTER TABLE federation_proposals ADD COLUMN own_sides TEXT NOT NULL DEFAULT '[]';
-- The parties of an item as its keeper last sent them (a JSON list, local
-- ids), before this side's own changes on their way were kept over them:
-- what a refusal sets those sides back to.
ALTER TABLE federation_records ADD COLUMN kept_parties TEXT NOT NULL DEFAULT '';
