-- Foundation: tenants, their areas, accounts, refresh tokens and the hash-chained audit trail.
-- Portable schema: text ids (UUID strings), UTC timestamps, ciphertext as BLOB.

CREATE TABLE enterprises (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    credit_code   TEXT NOT NULL UNIQUE,
    sector        TEXT NOT NULL CHECK (sector IN ('steel', 'nonferrous')),
    jurisdiction  TEXT NOT NULL,
    intake_code   TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX enterprises_jurisdiction ON enterprises (jurisdiction, created_at, id);
CREATE INDEX enterprises_created ON enterprises (created_at, id);

CREATE TABLE areas (
    id             TEXT PRIMARY KEY NOT NULL,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    qr_token       TEXT NOT NULL UNIQUE,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (enterprise_id, name)
);

-- Personal details (name, employee number, phone) are sealed with the enterprise's identity key:
-- a dump of this table must not tell who works where under which name.
CREATE TABLE users (
    id                  TEXT PRIMARY KEY NOT NULL,
    username            TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('worker', 'safety_manager', 'principal', 'custodian', 'bureau_officer', 'admin')),
    enterprise_id       TEXT REFERENCES enterprises (id),
    jurisdiction        TEXT,
    personal_sealed     BLOB NOT NULL,
    active              BOOLEAN NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX users_enterprise ON users (enterprise_id, created_at, id);
CREATE INDEX users_created ON users (created_at, id);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    family_id   TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    revoked_at  TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Append-only audit trail. Each event carries the SHA-256 of its predecessor; `audit_head` holds
-- the newest sequence number and hash so that appends serialise on one row and a truncated tail is
-- detected.
CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY NOT NULL,
    at           TIMESTAMP NOT NULL,
    actor_id     TEXT,
    actor_role   TEXT,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    TEXT,
    details      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
