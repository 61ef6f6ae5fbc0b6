-- A saved view of the item list can be shared with the team of one
-- mechanism (issue 13, point 9): everyone who works in that mechanism sees
-- it beside their own. NULL keeps it the user's own.
ALTER TABLE web_saved_views ADD COLUMN mechanism_id BIGINT REFERENCES mechanisms(id);
CREATE INDEX web_saved_views_mechanism ON web_saved_views(mechanism_id);
