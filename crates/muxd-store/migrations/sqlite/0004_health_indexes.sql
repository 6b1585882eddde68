-- Health reads only what is recent or in flight, so its cost does not grow with the table:
-- assets that became ready since a time, and rows of one status changed since a time.
CREATE INDEX idx_creative_assets_ready_at ON creative_assets (ready_at) WHERE ready_at IS NOT NULL;
CREATE INDEX idx_creative_assets_status_updated ON creative_assets (mux_processing_status, updated_at);
