DROP INDEX hazards_open_by_level;
DROP INDEX hazards_open_ledger;
