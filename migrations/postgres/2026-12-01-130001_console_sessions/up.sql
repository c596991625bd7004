-- Console sessions (/console/): one row per signed-in browser. The session id itself lives only
-- in the browser's cookie; the row is keyed by an HMAC of it (a key derived from the master
-- key), so a copy of this table cannot be replayed as cookies. `last_seen_at` drives the idle
-- timeout, `expires_at` the absolute lifetime; signing out, deactivation and a password change
-- delete the rows (services::sessions::revoke_sessions_of).
CREATE TABLE console_sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
