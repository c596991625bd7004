DROP INDEX hazards_major_open_by_enterprise;
DROP INDEX hazards_major_open_updated;
DROP INDEX hazards_major_open_deadline;
DROP INDEX hazards_major_unplanned;
DROP TABLE hazard_stats;
