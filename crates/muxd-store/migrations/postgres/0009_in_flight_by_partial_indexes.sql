-- The status indexes drew SQLite's planner, even with statistics, into reading every in-flight
-- row by status and sorting them for the reconciler's look and the stuck list (45-56 ms at a
-- million rows with 20,000 in flight). Without them those queries take the in-flight partial
-- indexes, which give their order; health's error count gets an index of its own, and the
-- admin's status filter reads the newest-first index.
DROP INDEX idx_creative_assets_status_created;
DROP INDEX idx_creative_assets_status_updated;
CREATE INDEX idx_creative_assets_errors ON creative_assets (updated_at)
    WHERE mux_processing_status = 'ERROR';
