-- Sign-in throttle counters. Each row counts the recent failed sign-ins of
-- one key (an account, or an account from one address) and says until when
-- the key must wait. An attempt increments its rows before the password is
-- checked, in one transaction that holds the rows' locks, so a burst of
-- parallel guesses on several instances cannot all be checked against the
-- same count (see store.BeginSignIn).
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_throttle_updated ON sign_in_throttle(updated_at);

-- API tokens expire. A token issued before this column existed has none
-- recorded and expires TokenLifetime after its creation (store.Authenticate).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
