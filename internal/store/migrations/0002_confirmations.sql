-- Two-side confirmation: a change to an item's completion, milestones or
-- parties waits here until the lead unit of every side has confirmed it.
CREATE TABLE item_changes (
    id {{pk}},
    item_id BIGINT NOT NULL REFERENCES items(id),
    fields TEXT NOT NULL,
    proposal TEXT NOT NULL,
    proposed_by BIGINT REFERENCES users(id),
    proposed_at TIMESTAMP NOT NULL,
    confirmed TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX item_changes_item ON item_changes(item_id, state);
