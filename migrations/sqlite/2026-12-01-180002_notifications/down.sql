DROP TABLE notification_marks;
DROP TABLE notification_channels;
DROP INDEX outbox_channel_due;
ALTER TABLE outbox DROP COLUMN channel;
