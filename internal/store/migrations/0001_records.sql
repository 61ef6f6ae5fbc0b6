-- The nouns of DESIGN.md. Portable SQL for SQLite and PostgreSQL; {{pk}} is
-- the dialect's auto-assigned 64-bit key. Calendar dates are TEXT
-- (YYYY-MM-DD) so that they order and compare alike on both databases.
-- Lists held inside a record (sides, taxonomy, custom values) are JSON TEXT.

CREATE TABLE jurisdictions (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    parent_id BIGINT REFERENCES jurisdictions(id),
    code TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT
);
CREATE INDEX jurisdictions_parent ON jurisdictions(parent_id);
CREATE INDEX jurisdictions_code ON jurisdictions(code);

CREATE TABLE jurisdiction_overlaps (
    jurisdiction_id BIGINT NOT NULL REFERENCES jurisdictions(id),
    overlaps_id BIGINT NOT NULL REFERENCES jurisdictions(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (jurisdiction_id, overlaps_id)
);

CREATE TABLE organizations (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    jurisdiction_id BIGINT NOT NULL REFERENCES jurisdictions(id),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL
);
CREATE INDEX organizations_jurisdiction ON organizations(jurisdiction_id);

CREATE TABLE mechanisms (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    parent_id BIGINT REFERENCES mechanisms(id),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    cadence TEXT NOT NULL,
    sides TEXT NOT NULL DEFAULT '[]',
    tracks TEXT NOT NULL DEFAULT '[]',
    modes TEXT NOT NULL DEFAULT '[]',
    custom_fields TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE mechanism_members (
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    side TEXT NOT NULL,
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (mechanism_id, organization_id)
);
CREATE INDEX mechanism_members_organization ON mechanism_members(organization_id);

CREATE TABLE meetings (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    number INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    held_on_precision TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL,
    minutes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX meetings_mechanism ON meetings(mechanism_id, held_on);

CREATE TABLE meeting_decisions (
    id {{pk}},
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions(meeting_id);

CREATE TABLE batches (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    meeting_id BIGINT REFERENCES meetings(id),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    year INTEGER NOT NULL DEFAULT 0,
    declared_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX batches_mechanism ON batches(mechanism_id);

CREATE TABLE agreements (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT REFERENCES mechanisms(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    signed_on TEXT,
    terms TEXT NOT NULL DEFAULT ''
);

CREATE TABLE agreement_parties (
    agreement_id BIGINT NOT NULL REFERENCES agreements(id),
    position INTEGER NOT NULL,
    jurisdiction_id BIGINT REFERENCES jurisdictions(id),
    organization_id BIGINT REFERENCES organizations(id),
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_parties_jurisdiction ON agreement_parties(jurisdiction_id);

CREATE TABLE items (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    batch_id BIGINT REFERENCES batches(id),
    agreement_id BIGINT REFERENCES agreements(id),
    decision_id BIGINT REFERENCES meeting_decisions(id) ON DELETE SET NULL,
    number TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    track TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    landmark BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL,
    light TEXT NOT NULL DEFAULT '',
    light_reason TEXT NOT NULL DEFAULT '',
    start_on TEXT,
    end_on TEXT,
    investment_total DOUBLE PRECISION NOT NULL DEFAULT 0,
    investment_planned DOUBLE PRECISION NOT NULL DEFAULT 0,
    investment_done DOUBLE PRECISION NOT NULL DEFAULT 0,
    custom TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX items_mechanism ON items(mechanism_id, status);
CREATE INDEX items_batch ON items(batch_id);

CREATE TABLE item_parties (
    item_id BIGINT NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL,
    side TEXT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    role TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);
CREATE INDEX item_parties_organization ON item_parties(organization_id, side);

CREATE TABLE item_milestones (
    id {{pk}},
    item_id BIGINT NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT
);
CREATE INDEX item_milestones_item ON item_milestones(item_id);
CREATE INDEX item_milestones_due ON item_milestones(due_on);

CREATE TABLE reports (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    item_id BIGINT NOT NULL REFERENCES items(id),
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    period TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    percent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    submitted_at TIMESTAMP,
    attachments TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX reports_once_per_period ON reports(item_id, organization_id, period);
CREATE INDEX reports_period ON reports(period);

CREATE TABLE problems (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    item_id BIGINT REFERENCES items(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on TEXT,
    resolution TEXT NOT NULL DEFAULT '',
    resolved_at TIMESTAMP
);
CREATE INDEX problems_mechanism ON problems(mechanism_id, status, tier);
CREATE INDEX problems_item ON problems(item_id);

CREATE TABLE problem_units (
    problem_id BIGINT NOT NULL REFERENCES problems(id),
    position INTEGER NOT NULL,
    side TEXT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (problem_id, position)
);
CREATE INDEX problem_units_organization ON problem_units(organization_id);

CREATE TABLE problem_escalations (
    id {{pk}},
    problem_id BIGINT NOT NULL REFERENCES problems(id),
    from_tier TEXT NOT NULL,
    to_tier TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX problem_escalations_problem ON problem_escalations(problem_id);

CREATE TABLE tasks (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    year INTEGER NOT NULL,
    content TEXT NOT NULL,
    lead_id BIGINT NOT NULL REFERENCES organizations(id),
    schedule TEXT NOT NULL DEFAULT '{}',
    due_on TEXT,
    status TEXT NOT NULL,
    decision_id BIGINT REFERENCES meeting_decisions(id) ON DELETE SET NULL
);
CREATE INDEX tasks_mechanism ON tasks(mechanism_id, year);
CREATE INDEX tasks_lead ON tasks(lead_id);

CREATE TABLE task_units (
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    position INTEGER NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (task_id, position)
);
CREATE INDEX task_units_organization ON task_units(organization_id);

CREATE TABLE meeting_agenda (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    item_id BIGINT REFERENCES items(id),
    problem_id BIGINT REFERENCES problems(id),
    topic TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, position)
);
CREATE INDEX meeting_agenda_item ON meeting_agenda(item_id);

CREATE TABLE catalogs (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT REFERENCES mechanisms(id),
    agreement_id BIGINT REFERENCES agreements(id),
    name TEXT NOT NULL,
    edition INTEGER NOT NULL,
    published_on TEXT,
    description TEXT NOT NULL DEFAULT '',
    declared_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE catalog_entries (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    catalog_id BIGINT NOT NULL REFERENCES catalogs(id),
    number TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    service_mode TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalog_entries_catalog ON catalog_entries(catalog_id);

CREATE TABLE catalog_adoptions (
    entry_id BIGINT NOT NULL REFERENCES catalog_entries(id),
    jurisdiction_id BIGINT NOT NULL REFERENCES jurisdictions(id),
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    since TEXT,
    PRIMARY KEY (entry_id, jurisdiction_id)
);

CREATE TABLE indicators (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    mechanism_id BIGINT REFERENCES mechanisms(id),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    target DOUBLE PRECISION,
    target_on TEXT
);

CREATE TABLE indicator_values (
    indicator_id BIGINT NOT NULL REFERENCES indicators(id),
    observed_on TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (indicator_id, observed_on)
);

CREATE TABLE users (
    id {{pk}},
    version BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    locale TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_email ON users(email);

CREATE TABLE role_grants (
    user_id BIGINT NOT NULL REFERENCES users(id),
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL DEFAULT '',
    scope_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, position)
);

CREATE TABLE api_tokens (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens(hash);

CREATE TABLE audit_events (
    id {{pk}},
    at TIMESTAMP NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events(entity, entity_id);
