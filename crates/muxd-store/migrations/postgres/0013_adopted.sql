-- Where a row came from: 'upload' (muxd made its direct upload) or 'adopted' (an asset made
-- outside muxd, in Mux's dashboard or by another tool, brought under muxd's management by
-- `muxd adopt` or POST /api/debug/adopt). An adopted row has no upload URL and never will, so
-- only an upload row without one is "unsent" (a create interrupted before storing its URL):
-- lists hide only those, and the reconciler settles (cancels and removes) only those. The
-- partial index of unsent rows states the same condition, so the reconciler's query still
-- takes it. Adopting is idempotent through the unique index on mux_asset_id (0001).
ALTER TABLE creative_assets ADD COLUMN origin TEXT NOT NULL DEFAULT 'upload'
    CHECK (origin IN ('upload', 'adopted'));
DROP INDEX idx_creative_assets_unsent;
CREATE INDEX idx_creative_assets_unsent ON creative_assets (created_at)
    WHERE upload_url IS NULL AND origin = 'upload';
