-- Notifications to the people who must act: each enterprise's and each jurisdiction's channels
-- (WeCom and DingTalk group robots, e-mail), and the reminders that already fired.
--
-- Messages themselves go through the outbox, in the same transaction as the event; `channel`
-- says which worker delivers a row: the bureau's signed webhook (`webhook`, every row before
-- this migration) or one of the notification channels.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook';
CREATE INDEX outbox_channel_due ON outbox (channel, status, next_attempt_at);

-- One row per owner: `enterprise` + enterprise id, or `jurisdiction` + its path. The robot
-- URLs carry their access key and the DingTalk secret signs messages, so the settings are sealed
-- (AES-256-GCM, a data key wrapped under a key derived from the master key for notification
-- settings, bound to the owner); `channels` only names which are set, so an event finds its
-- channels without opening the seal.
CREATE TABLE notification_channels (
    owner_type     TEXT NOT NULL CHECK (owner_type IN ('enterprise', 'jurisdiction')),
    owner_id       TEXT NOT NULL,
    channels       TEXT NOT NULL,
    sealed         BYTEA NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_type, owner_id)
);

-- A reminder (a deadline near or past) or a digest that was sent: the primary key makes it
-- fire once however many sweeps and instances see it due. `subject_id` is a report, hazard or
-- escalation id, or `ENTERPRISE:DATE` for a digest.
CREATE TABLE notification_marks (
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    fired_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
