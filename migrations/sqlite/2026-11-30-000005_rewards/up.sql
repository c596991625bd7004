-- Rewards under each enterprise's reward policy, and audited identity disclosures.
--
-- A policy is never edited in place: each change is a new version, and a reward records the
-- version it was computed under (0 = the built-in defaults). Money is integer fen.

CREATE TABLE reward_policies (
    enterprise_id            TEXT NOT NULL REFERENCES enterprises (id),
    version                  BIGINT NOT NULL CHECK (version >= 1),
    general_fen              BIGINT NOT NULL CHECK (general_fen >= 0),
    major_fen                BIGINT NOT NULL CHECK (major_fen >= general_fen),
    principal_threshold_fen  BIGINT NOT NULL CHECK (principal_threshold_fen >= 0),
    monthly_cap_fen          BIGINT NOT NULL CHECK (monthly_cap_fen > 0),
    duplicates_share         BOOLEAN NOT NULL,
    created_by               TEXT NOT NULL,
    created_at               TIMESTAMP NOT NULL,
    PRIMARY KEY (enterprise_id, version)
);

-- One reward per report. `kind` = 'first' for the first valid report of a hazard, 'duplicate'
-- for a later one rewarded only when the policy says duplicates share. `month` is the calendar
-- month in China Standard Time that the monthly cap counts in. `reporter_index` (confidential
-- reports) lets the cap find the reporter's other rewards; `payout_sealed` holds an anonymous
-- reporter's payout details, sealed like an identity.
CREATE TABLE rewards (
    id              TEXT PRIMARY KEY NOT NULL,
    enterprise_id   TEXT NOT NULL REFERENCES enterprises (id),
    report_id       TEXT NOT NULL UNIQUE REFERENCES reports (id),
    hazard_id       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('first', 'duplicate')),
    level           TEXT NOT NULL CHECK (level IN ('general', 'major')),
    policy_version  BIGINT NOT NULL,
    amount_fen      BIGINT NOT NULL CHECK (amount_fen >= 0),
    status          TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'paid')),
    proposed_by     TEXT NOT NULL,
    proposed_at     TIMESTAMP NOT NULL,
    adjust_reason   TEXT,
    approved_by     TEXT,
    approved_at     TIMESTAMP,
    rejected_reason TEXT,
    paid_reference  TEXT,
    paid_at         TIMESTAMP,
    payout_sealed   BLOB,
    reporter_index  TEXT,
    month           TEXT NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX rewards_list ON rewards (enterprise_id, proposed_at, id);
CREATE INDEX rewards_list_status ON rewards (enterprise_id, status, proposed_at, id);
CREATE INDEX rewards_cap ON rewards (reporter_index, month);
-- Only the first valid report of a hazard is rewarded: at most one live 'first' reward per hazard.
CREATE UNIQUE INDEX rewards_first_per_hazard ON rewards (hazard_id)
    WHERE kind = 'first' AND status <> 'rejected';

-- Requests to disclose a confidential reporter's identity: asked by a custodian with a reason,
-- decided by a second custodian, opened once by the requester.
CREATE TABLE disclosures (
    id             TEXT PRIMARY KEY NOT NULL,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    report_id      TEXT NOT NULL REFERENCES reports (id),
    requested_by   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused', 'opened')),
    decided_by     TEXT,
    decided_at     TIMESTAMP,
    opened_at      TIMESTAMP,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_report ON disclosures (report_id, created_at);
CREATE INDEX disclosures_enterprise ON disclosures (enterprise_id, created_at, id);
