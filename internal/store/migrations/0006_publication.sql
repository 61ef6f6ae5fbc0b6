-- What a mechanism shows the public, without sign-in. No row means nothing.
CREATE TABLE publications (
    mechanism_id BIGINT PRIMARY KEY REFERENCES mechanisms(id),
    enabled BOOLEAN NOT NULL,
    fields TEXT NOT NULL,
    version BIGINT NOT NULL
);
