-- Issue #16 items 5-7: what staff and a database dump can link.
--
-- Rewards: the monthly cap is applied when a payment is recorded, as a hold of the whole reward
-- (`held_until`, a `YYYY-MM` month in China Standard Time), never as a cut of the proposal; an
-- anonymous reporter's payout details are opened by someone other than the approver, and the
-- reporter's follow-up shows when and by which role (`payout_opened_at`, `payout_opened_role`).
ALTER TABLE rewards ADD COLUMN held_until TEXT;
ALTER TABLE rewards ADD COLUMN payout_opened_at TIMESTAMP;
ALTER TABLE rewards ADD COLUMN payout_opened_role TEXT;
CREATE INDEX rewards_paid_cap ON rewards (reporter_index, paid_at);

-- Refresh tokens are pruned once expired (a spent token is kept only until then, for reuse
-- detection), so expiry is what the prune reads.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- Logins are counted per account per China Standard Time day instead of being audit events
-- with a microsecond time and a place in the chain next to report submissions.
CREATE TABLE login_days (
    user_id  TEXT NOT NULL REFERENCES users (id),
    day      TEXT NOT NULL,
    logins   BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
