-- Proof of report: the public half of every key that has signed proofs, with its validity, and
-- the signed proofs of each report (the first at submission, later ones chained to it).

CREATE TABLE proof_keys (
    key_id       TEXT PRIMARY KEY NOT NULL,
    version      INTEGER NOT NULL,
    public_key   TEXT NOT NULL,
    valid_from   TIMESTAMP NOT NULL,
    valid_until  TIMESTAMP
);

CREATE TABLE report_proofs (
    id          TEXT PRIMARY KEY NOT NULL,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX report_proofs_report ON report_proofs (report_id, created_at, id);
