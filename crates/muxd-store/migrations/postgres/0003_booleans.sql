-- Flags become real booleans now that PostgreSQL has its own driver (the shared Any driver
-- needed 0/1 integers). SQLite keeps 0/1 integers, which its driver reads and writes as booleans.
DROP INDEX idx_creative_assets_delete_pending;
ALTER TABLE creative_assets DROP CONSTRAINT creative_assets_mux_delete_pending_check;
ALTER TABLE creative_assets
    ALTER COLUMN mux_delete_pending DROP DEFAULT,
    ALTER COLUMN mux_delete_pending TYPE BOOLEAN USING mux_delete_pending <> 0,
    ALTER COLUMN mux_delete_pending SET DEFAULT FALSE,
    ALTER COLUMN poll_given_up DROP DEFAULT,
    ALTER COLUMN poll_given_up TYPE BOOLEAN USING poll_given_up <> 0,
    ALTER COLUMN poll_given_up SET DEFAULT FALSE;
CREATE INDEX idx_creative_assets_delete_pending ON creative_assets (updated_at)
    WHERE mux_delete_pending;
