-- Rate-limit counts shared by every instance (services::limits). `bucket` is a keyed hash of
-- (limit, subject, minute), never an address or a username; rows die with their minute.
CREATE TABLE rate_limit_hits (
    bucket TEXT PRIMARY KEY,
    minute BIGINT NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX rate_limit_hits_minute ON rate_limit_hits (minute);
