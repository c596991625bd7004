-- Account life cycle: tokens that end at once, forced password changes, and one-time
-- activation codes for workers imported in bulk.

-- Every access token carries the epoch its user had when it was issued; deactivating the user,
-- changing or resetting the password moves the epoch on, and the auth extractor refuses a token
-- of an older epoch on its next request (not at expiry).
ALTER TABLE users ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0;
-- Set by an admin's password reset: the user may only change the password until they do.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;

-- A worker imported in bulk has no password until they set one with this code on the phone
-- page. Only a keyed hash of the code is stored; it works once, and not after it expires.
CREATE TABLE activation_codes (
    user_id     TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    code_hash   TEXT NOT NULL UNIQUE,
    batch_id    TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX activation_codes_batch ON activation_codes (batch_id);
