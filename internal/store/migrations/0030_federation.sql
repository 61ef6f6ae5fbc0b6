-- Federation (issue 14): each government runs its own installation, and the
-- records of the mechanisms they share are replicated as signed events
-- (internal/federation, docs/FEDERATION.md).
--
-- A peer is another installation this one has agreed to federate with: its
-- name (the origin of its logs), where it answers and its pinned verifier
-- key. Nothing flows to or from a peer not configured here, and nothing of
-- a mechanism not listed among its shares.
CREATE TABLE federation_peers (
    id {{pk}},
    name TEXT NOT NULL UNIQUE,
    base_url TEXT NOT NULL,
    verifier_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The mechanisms shared with a peer, by global id (origin:mechanisms:id).
CREATE TABLE federation_shares (
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    mechanism TEXT NOT NULL,
    PRIMARY KEY (peer_id, mechanism)
);

-- The log of signed envelopes this installation keeps for each peer: entry
-- seq is leaf seq of the log's Merkle tree. export_seq is the last sealed
-- audit event the exporter had considered when it wrote the entry, so an
-- export resumes where the last one stopped.
CREATE TABLE federation_outbox (
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    seq BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    envelope TEXT NOT NULL,
    export_seq BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (peer_id, seq)
);
CREATE UNIQUE INDEX federation_outbox_event ON federation_outbox(peer_id, event_id);

-- The records of this installation sent to a peer because a shared record
-- names them (a unit, its jurisdiction): once sent, their changes follow.
CREATE TABLE federation_sent (
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    entity TEXT NOT NULL,
    local_id BIGINT NOT NULL,
    PRIMARY KEY (peer_id, entity, local_id)
);

-- Where the exporter stands in the audit log for each peer, when it has
-- considered events that gave no entry.
CREATE TABLE federation_export (
    peer_id BIGINT PRIMARY KEY REFERENCES federation_peers(id),
    audit_seq BIGINT NOT NULL
);

-- The envelopes received from a peer, every one kept as evidence: applied,
-- a duplicate of an event applied before (by its id), or refused (a write
-- by the wrong side), with the reason.
CREATE TABLE federation_inbox (
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    seq BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    envelope TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (peer_id, seq)
);
CREATE INDEX federation_inbox_event ON federation_inbox(peer_id, event_id);

-- Checkpoints, as signed notes: 'sent' ones of our log to a peer, with the
-- peer's cosignature (our receipt) once it came back; 'witnessed' ones of
-- the peer's log to us that we accepted and cosigned; 'forked' ones refused
-- because they contradict one seen before, kept with it as evidence.
CREATE TABLE federation_checkpoints (
    id {{pk}},
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    signed TEXT NOT NULL,
    cosigned_at TIMESTAMP,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX federation_checkpoints_peer ON federation_checkpoints(peer_id, kind, size);

-- The records kept here for another installation: which local record
-- stands for which record of its origin.
CREATE TABLE federation_records (
    entity TEXT NOT NULL,
    local_id BIGINT NOT NULL,
    origin TEXT NOT NULL,
    origin_id BIGINT NOT NULL,
    PRIMARY KEY (entity, local_id)
);
CREATE UNIQUE INDEX federation_records_origin ON federation_records(origin, entity, origin_id);
