DROP TABLE idempotency;
DROP TABLE report_messages;
DROP TABLE report_events;
DROP TABLE photos;
DROP TABLE reports;
