-- Web sessions and sign-in attempts. Both live in the database so that any
-- instance behind the load balancer serves any request and the throttle
-- counts failures seen by all of them. A session is found by the SHA-256 of
-- its cookie value: a leaked table does not hand out live sessions.

CREATE TABLE web_sessions (
    id {{pk}},
    secret_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);

CREATE TABLE sign_in_attempts (
    id {{pk}},
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts(email, at);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts(address, at);

-- Saved views of the web's item list: a user's named filter sets. They
-- are the user's own working state, not records of the mechanism, so they
-- are neither versioned nor audited.
CREATE TABLE web_saved_views (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX web_saved_views_user ON web_saved_views(user_id);
