-- Who was at a meeting and who reported there, issue 10: a working group's
-- meeting hears each member unit's report on the work since the last one,
-- and the pack of a past meeting states it from this record.
CREATE TABLE meeting_attendees (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    reported BOOLEAN NOT NULL,
    report TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, position)
);
CREATE INDEX meeting_attendees_organization ON meeting_attendees(organization_id);
