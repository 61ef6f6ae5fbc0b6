-- Two-side changes across installations (issue 14, point 4): a change the
-- keeper of an item holds for a side to confirm crosses to the peer as the
-- change itself (its copy there is a row of item_changes, mapped in
-- federation_records), and the peer's side confirms or rejects it on its
-- own installation: the decision goes to the keeper as a proposal. change_id
-- links a proposal made here to the local copy of the change it concerns:
-- the change it was held as, or the change it decides, so that the change's
-- final state answers the proposal too. decision is "confirm" or "reject"
-- for a proposal that decides a change, "" for one that changes the record.
ALTER TABLE federation_proposals ADD COLUMN change_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE federation_proposals ADD COLUMN decision TEXT NOT NULL DEFAULT '';
CREATE INDEX federation_proposals_change ON federation_proposals(change_id);

-- Who made each change a peer sent (issue 14, point 6): the audit events
-- written here while applying a peer's event, with the actor the envelope
-- names, so that a replica's history says who changed it, on which side,
-- rather than "the system".
CREATE TABLE federation_applied (
    audit_id BIGINT PRIMARY KEY,
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    seq BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL DEFAULT '',
    actor_unit BIGINT NOT NULL DEFAULT 0
);

-- The meeting packs a peer issued for a shared mechanism (issue 14, point
-- 2: "meeting pack issued"): the print-ready page as issued, byte for byte,
-- with the SHA-256 its keeper's audit log recorded, checked on arrival.
CREATE TABLE federation_packs (
    id {{pk}},
    peer_id BIGINT NOT NULL REFERENCES federation_peers(id),
    origin_meeting BIGINT NOT NULL,
    mechanism_id BIGINT NOT NULL REFERENCES mechanisms(id),
    number INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL,
    figures TEXT NOT NULL,
    html TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (peer_id, origin_meeting)
);
CREATE INDEX federation_packs_mechanism ON federation_packs(mechanism_id);
