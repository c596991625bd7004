-- The hazard ledger reaches the bureau: per-enterprise counts of major hazards for the overview,
-- kept by the hazard transitions in their own transaction, and the partial indexes through which
-- the sweeper finds major hazards that became due (plan missing, plan deadline passed) and the
-- overview counts overdue ones, so neither reads more than what it asks about.

-- One row per enterprise that has had a major hazard. Time to close is registration to 销号.
CREATE TABLE hazard_stats (
    enterprise_id         TEXT PRIMARY KEY NOT NULL REFERENCES enterprises (id),
    open_major            BIGINT NOT NULL,
    closed_major          BIGINT NOT NULL,
    closed_major_seconds  BIGINT NOT NULL
);
INSERT INTO hazard_stats (enterprise_id, open_major, closed_major, closed_major_seconds)
SELECT enterprise_id,
       SUM(CASE WHEN status <> 'closed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END),
       COALESCE(SUM(CASE WHEN status = 'closed' THEN CAST(strftime('%s', closed_at) AS INTEGER) - CAST(strftime('%s', created_at) AS INTEGER) END), 0)
FROM hazards WHERE level = 'major' GROUP BY enterprise_id;

-- Sweeper, plan_missing: major hazards still without a plan, by registration time.
CREATE INDEX hazards_major_unplanned ON hazards (created_at)
    WHERE level = 'major' AND status = 'registered';
-- Sweeper, plan_overdue: open major hazards by their plan's deadline (a date) ...
CREATE INDEX hazards_major_open_deadline ON hazards (deadline)
    WHERE level = 'major' AND status <> 'closed';
-- ... and by their last change, for a plan set with a deadline already past.
CREATE INDEX hazards_major_open_updated ON hazards (updated_at)
    WHERE level = 'major' AND status <> 'closed' AND deadline IS NOT NULL;
-- Overview: overdue open major hazards per enterprise, counted from the index alone.
CREATE INDEX hazards_major_open_by_enterprise ON hazards (enterprise_id, deadline)
    WHERE level = 'major' AND status <> 'closed';
