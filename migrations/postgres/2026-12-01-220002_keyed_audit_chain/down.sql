ALTER TABLE audit_head DROP COLUMN keyed_from;
ALTER TABLE audit_head DROP COLUMN mac;
ALTER TABLE audit_head DROP COLUMN keyed_seq;
ALTER TABLE audit_events DROP COLUMN mac;
