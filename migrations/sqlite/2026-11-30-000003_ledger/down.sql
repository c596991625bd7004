DROP TABLE hazard_events;
DROP TABLE hazard_evidence;
DROP TABLE hazard_plans;
DROP TABLE hazards;
DROP TABLE sweeps;
DROP TABLE criteria;
