-- The console's 概览 reads counts, never the ledger: hazards registered and closed per
-- enterprise, month (Beijing time, `YYYY-MM`), level and area ('' when none), with the seconds
-- from registration to 销号 of those closed, kept by the hazard transitions in their own
-- transaction (store::hazard_counts). A hazard's level and area never change once registered,
-- so a registration and a closing each add to exactly one row.
CREATE TABLE hazard_months (
    enterprise_id   TEXT NOT NULL REFERENCES enterprises (id),
    month           TEXT NOT NULL,
    level           TEXT NOT NULL,
    area_id         TEXT NOT NULL,
    registered      BIGINT NOT NULL,
    closed          BIGINT NOT NULL,
    closed_seconds  BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, month, level, area_id)
);
INSERT INTO hazard_months (enterprise_id, month, level, area_id, registered, closed, closed_seconds)
SELECT enterprise_id, month, level, area_id, SUM(registered), SUM(closed), SUM(closed_seconds)
FROM (
    SELECT enterprise_id, to_char(created_at + INTERVAL '8 hours', 'YYYY-MM') AS month, level,
           COALESCE(area_id, '') AS area_id, 1 AS registered, 0 AS closed, 0 AS closed_seconds
    FROM hazards
    UNION ALL
    SELECT enterprise_id, to_char(closed_at + INTERVAL '8 hours', 'YYYY-MM'), level,
           COALESCE(area_id, ''), 0, 1, CAST(EXTRACT(EPOCH FROM (closed_at - created_at)) AS BIGINT)
    FROM hazards WHERE closed_at IS NOT NULL
) AS t
GROUP BY enterprise_id, month, level, area_id;
