-- The text index of items: a contentless FTS5 table of the terms that
-- internal/search produces (CJK characters and pairs, Latin words), with
-- the item's id as rowid. detail=none keeps it small: only "which items
-- hold this term" is needed.
CREATE VIRTUAL TABLE items_search USING fts5(terms, content='', contentless_delete=1, detail=none);
