-- The duration limit (MUXD_MAX_DURATION_SECS) looks for ready assets longer than it: this index
-- holds only READY rows, by duration, so the look costs the rows it finds, not the table.
CREATE INDEX idx_creative_assets_ready_duration ON creative_assets (duration_s)
    WHERE mux_processing_status = 'READY';
