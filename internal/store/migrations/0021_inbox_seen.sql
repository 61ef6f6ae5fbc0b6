-- My work (我的待办): when each user last opened their inbox, so that the
-- menu counts only what arose since. It is the user's own reading state,
-- not a record of any mechanism: neither versioned nor audited.
CREATE TABLE inbox_seen (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    seen_at TIMESTAMP NOT NULL
);
