-- The audit chain keyed with an HMAC key derived from the master key (label "audit-chain"):
-- each event's `mac` chains HMAC(key, previous mac, seq, its content hash). Events are keyed in
-- order shortly after they commit (at start-up and by every instance's sealer), `keyed_seq` on
-- the head is the last keyed event and the head's `mac` authenticates it, so nobody without
-- the key can rewrite keyed history or move the head back. `keyed_from` is the first event that
-- was keyed when written: the ones before it were keyed at the cut-over (the first start with
-- this migration), and their integrity before that rests on the unkeyed chain alone.
ALTER TABLE audit_events ADD COLUMN mac TEXT;
ALTER TABLE audit_head ADD COLUMN keyed_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN mac TEXT;
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
