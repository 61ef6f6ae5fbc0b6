-- The text index of items: the terms that internal/search produces, as a
-- stripped tsvector under GIN. A high statistics target keeps the planner
-- from scanning the primary key backwards for terms with few or no hits.
CREATE TABLE items_search (
    item_id BIGINT PRIMARY KEY REFERENCES items(id),
    terms tsvector NOT NULL
);
CREATE INDEX items_search_terms ON items_search USING GIN (terms);
ALTER TABLE items_search ALTER COLUMN terms SET STATISTICS 1000;
