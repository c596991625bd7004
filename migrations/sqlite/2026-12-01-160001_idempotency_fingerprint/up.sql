-- Issue 16, item 2: a retry is replayed only when it is the same request. The HMAC of the
-- request (its JSON and each photo's hash) under a key derived from the master key; a
-- different request under a used key is refused instead of being handed the first receipt.
ALTER TABLE idempotency ADD COLUMN fingerprint TEXT;
