-- Finishing an owner's deletion on Mux backs off per row (a row Mux keeps refusing waits longer
-- and longer instead of holding up the others), and the job finds the rows that are due.
ALTER TABLE creative_assets ADD COLUMN delete_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE creative_assets ADD COLUMN next_delete_at BIGINT;
DROP INDEX idx_creative_assets_delete_pending;
CREATE INDEX idx_creative_assets_delete_pending ON creative_assets (next_delete_at)
    WHERE mux_delete_pending;
