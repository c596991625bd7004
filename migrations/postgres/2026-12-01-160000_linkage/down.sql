DROP TABLE login_days;
DROP INDEX refresh_tokens_expiry;
DROP INDEX rewards_paid_cap;
ALTER TABLE rewards DROP COLUMN payout_opened_role;
ALTER TABLE rewards DROP COLUMN payout_opened_at;
ALTER TABLE rewards DROP COLUMN held_until;
