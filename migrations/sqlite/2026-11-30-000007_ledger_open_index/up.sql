-- Open hazards in ledger order, with their deadline: the ledger's `overdue` filter walks this
-- newest first and stops after one page, instead of collecting every overdue hazard through
-- `hazards_open_deadline` and sorting them (measured at a million hazards: see the note of
-- issue 5 and tests/tests/ledger_bench.rs). The query states `status <> 'closed'` literally
-- so SQLite can use the partial index.
CREATE INDEX hazards_open_ledger ON hazards (enterprise_id, created_at, id, deadline) WHERE status <> 'closed';
-- The same for one level: open major hazards past their deadline are what the bureau watches.
CREATE INDEX hazards_open_by_level ON hazards (enterprise_id, level, created_at, id, deadline) WHERE status <> 'closed';
