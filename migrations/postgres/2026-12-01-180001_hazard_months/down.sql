DROP TABLE hazard_months;
