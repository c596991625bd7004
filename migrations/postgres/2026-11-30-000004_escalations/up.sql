-- Escalations to the bureau, the triggers that fired, their timeline, counts the overview reads,
-- the sweeper's watermarks and the webhook outbox.
--
-- Nothing here names a reporter: subjects are reports or hazards by id, and the bureau reads
-- the report through the service, which never returns who sent it.

CREATE TABLE escalations (
    id                  TEXT PRIMARY KEY NOT NULL,
    enterprise_id       TEXT NOT NULL REFERENCES enterprises (id),
    -- Copied from the enterprise so an officer's inbox is one index range.
    jurisdiction        TEXT NOT NULL,
    subject_type        TEXT NOT NULL CHECK (subject_type IN ('report', 'hazard')),
    subject_id          TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'supervising', 'closed', 'dismissed')),
    -- JSON array of {kind, at}: every trigger that fired on this subject while it was open.
    triggers            TEXT NOT NULL,
    bureau_deadline     TIMESTAMP,
    instructions        TEXT,
    dismiss_reason      TEXT,
    -- Set when the bureau's deadline passed unmet; cleared when a new deadline is set.
    deadline_passed_at  TIMESTAMP,
    opened_at           TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    closed_at           TIMESTAMP
);
-- At most one open escalation per subject, however many sweepers race.
CREATE UNIQUE INDEX escalations_one_open ON escalations (subject_type, subject_id)
    WHERE status IN ('open', 'acknowledged', 'supervising');
CREATE INDEX escalations_inbox ON escalations (jurisdiction, opened_at, id);
CREATE INDEX escalations_enterprise ON escalations (enterprise_id, status);
CREATE INDEX escalations_deadline_due ON escalations (bureau_deadline)
    WHERE status = 'supervising' AND deadline_passed_at IS NULL;

-- Each trigger kind fires once per subject: the primary key is the guarantee.
CREATE TABLE escalation_triggers (
    subject_type   TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    escalation_id  TEXT NOT NULL REFERENCES escalations (id),
    at             TIMESTAMP NOT NULL,
    PRIMARY KEY (subject_type, subject_id, kind)
);

-- The escalation's timeline; each row is also one outbox event.
CREATE TABLE escalation_events (
    id             TEXT PRIMARY KEY NOT NULL,
    escalation_id  TEXT NOT NULL REFERENCES escalations (id),
    at             TIMESTAMP NOT NULL,
    actor_id       TEXT,
    actor_role     TEXT,
    kind           TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    note           TEXT
);
CREATE INDEX escalation_events_escalation ON escalation_events (escalation_id, at);

-- Per-enterprise counts kept by the transitions, so the overview reads one row per enterprise.
CREATE TABLE escalation_stats (
    enterprise_id          TEXT PRIMARY KEY NOT NULL REFERENCES enterprises (id),
    open_count             BIGINT NOT NULL,
    closed_count           BIGINT NOT NULL,
    closed_seconds_total   BIGINT NOT NULL
);

-- How far each sweeper trigger has looked: the next sweep reads only what became due since.
CREATE TABLE sweeper_marks (
    kind    TEXT PRIMARY KEY NOT NULL,
    cutoff  TIMESTAMP NOT NULL
);

-- Events to deliver to the bureau's systems, written in the same transaction as the event.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY NOT NULL,
    event_id         TEXT NOT NULL UNIQUE,
    topic            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL,
    next_attempt_at  TIMESTAMP NOT NULL,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- The sweeper's major-report trigger reads this range only.
CREATE INDEX reports_untriaged_major ON reports (created_at)
    WHERE status = 'submitted' AND suspected_level = 'major';
