-- Flags are read and written as booleans (0/1 here, BOOLEAN on PostgreSQL); queries test them
-- as `WHERE mux_delete_pending`, so the partial index says the same to stay usable.
DROP INDEX idx_creative_assets_delete_pending;
CREATE INDEX idx_creative_assets_delete_pending ON creative_assets (updated_at)
    WHERE mux_delete_pending;
