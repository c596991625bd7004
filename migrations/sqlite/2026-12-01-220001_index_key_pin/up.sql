-- The master key version the blind index and receipt hashes are keyed with, pinned at the first
-- start after this migration (it was the oldest version loaded), and that version's key sealed
-- under the current version, so the version can be retired from the key file after a rotation
-- while receipt codes and 我的举报 keep working. A start whose key ring can reach neither is
-- refused.
CREATE TABLE key_pins (
    name        TEXT PRIMARY KEY NOT NULL,
    version     INTEGER NOT NULL,
    sealed      BLOB NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
