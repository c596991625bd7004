-- Reports from phones, their photos, timeline and messages, and idempotency records.
--
-- A report row never holds who sent it in the clear: a confidential report carries the sealed
-- identity and a keyed blind index of the worker (for "my reports" and limits); an anonymous one
-- carries neither. Staff see only the per-report pseudonym. The receipt code is stored only as a
-- keyed hash.

CREATE TABLE reports (
    id               TEXT PRIMARY KEY NOT NULL,
    enterprise_id    TEXT NOT NULL REFERENCES enterprises (id),
    area_id          TEXT REFERENCES areas (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    suspected_level  TEXT CHECK (suspected_level IN ('general', 'major')),
    criterion_codes  TEXT NOT NULL DEFAULT '[]',
    mode             TEXT NOT NULL CHECK (mode IN ('confidential', 'anonymous')),
    pseudonym        TEXT NOT NULL,
    reporter_index   TEXT,
    identity_sealed  BLOB,
    receipt_hash     TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'duplicate', 'rejected')),
    hazard_id        TEXT,
    status_note      TEXT,
    created_at       TIMESTAMP NOT NULL,
    triaged_at       TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL,
    CHECK ((mode = 'confidential') = (identity_sealed IS NOT NULL AND reporter_index IS NOT NULL))
);
CREATE INDEX reports_inbox ON reports (enterprise_id, created_at, id);
CREATE INDEX reports_inbox_status ON reports (enterprise_id, status, created_at, id);
CREATE INDEX reports_mine ON reports (reporter_index, created_at, id);
CREATE INDEX reports_untriaged ON reports (created_at) WHERE status = 'submitted';

-- Sanitised photos of reports, rectification evidence and sweep findings. The bytes live in the
-- blob store, encrypted; rows hold their keys.
CREATE TABLE photos (
    id             TEXT PRIMARY KEY NOT NULL,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    owner_type     TEXT NOT NULL CHECK (owner_type IN ('report', 'evidence', 'hazard')),
    owner_id       TEXT NOT NULL,
    position       INTEGER NOT NULL,
    display_key    TEXT NOT NULL,
    thumb_key      TEXT NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    phash          TEXT NOT NULL,
    display_bytes  BIGINT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX photos_owner ON photos (owner_type, owner_id, position);
CREATE INDEX photos_display_key ON photos (display_key);
CREATE INDEX photos_thumb_key ON photos (thumb_key);

-- The report's timeline: every transition and notable step, shown to the reporter and staff.
CREATE TABLE report_events (
    id           TEXT PRIMARY KEY NOT NULL,
    report_id    TEXT NOT NULL REFERENCES reports (id),
    at           TIMESTAMP NOT NULL,
    actor_id     TEXT,
    actor_role   TEXT,
    kind         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT
);
CREATE INDEX report_events_report ON report_events (report_id, at);

-- Two-way messages between the reporter and the handler (or the bureau).
CREATE TABLE report_messages (
    id          TEXT PRIMARY KEY NOT NULL,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    sender      TEXT NOT NULL CHECK (sender IN ('reporter', 'enterprise', 'bureau')),
    recipient   TEXT NOT NULL CHECK (recipient IN ('reporter', 'enterprise', 'bureau')),
    author_id   TEXT,
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, created_at);

-- First answers to POSTs that carried an Idempotency-Key. The key is stored hashed and the answer
-- encrypted under a key derived from the Idempotency-Key itself, so the table alone cannot give
-- back a receipt code.
CREATE TABLE idempotency (
    scope       TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    status      INTEGER,
    response    BLOB,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key_hash)
);
