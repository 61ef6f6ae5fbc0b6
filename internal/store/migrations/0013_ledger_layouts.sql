-- Ledgers as units keep them, issue 10: a column mapping states the layout
-- of the file (sheet, header rows, data rows, fill-down columns, unit
-- separators, match key) as one JSON object, and a unit has the other names
-- people write for it, which an import resolves.
ALTER TABLE column_mappings ADD COLUMN layout TEXT NOT NULL DEFAULT '{}';

CREATE TABLE organization_aliases (
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    position INTEGER NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (organization_id, position)
);
CREATE INDEX organization_aliases_alias ON organization_aliases(alias);
