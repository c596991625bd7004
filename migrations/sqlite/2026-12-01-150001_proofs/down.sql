DROP TABLE report_proofs;
DROP TABLE proof_keys;
