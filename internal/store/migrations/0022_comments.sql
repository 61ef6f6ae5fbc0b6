-- Follow-through (issue 13, point 5): comments on items, problems and
-- tasks, with the units they mention (@单位名) resolved when saved, so a
-- unit's inbox finds them by one index; a comment of kind 'response' is a
-- responsible unit's answer to a problem. A task gets the progress text its
-- lead unit writes beside its status.
CREATE TABLE comments (
    id {{pk}},
    entity TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'comment',
    author_id BIGINT NOT NULL DEFAULT 0,
    organization_id BIGINT REFERENCES organizations(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_record ON comments(entity, record_id, id);

CREATE TABLE comment_mentions (
    comment_id BIGINT NOT NULL REFERENCES comments(id),
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (comment_id, organization_id)
);
CREATE INDEX comment_mentions_organization ON comment_mentions(organization_id, comment_id);

ALTER TABLE tasks ADD COLUMN progress TEXT NOT NULL DEFAULT '';

-- The time limit each escalation set at its new tier, for the problem's
-- timeline (NULL for the steps taken before it was kept).
ALTER TABLE problem_escalations ADD COLUMN due_on TEXT;
