-- Lists are read newest first within an owner, a campaign, or the whole table (admins), and
-- admins filter on stuck and orphaned uploads: each has an index in that order, so a page costs
-- the same at any table size.
DROP INDEX idx_creative_assets_owner;
CREATE INDEX idx_creative_assets_owner ON creative_assets (owner_id, created_at, id);
CREATE INDEX idx_creative_assets_campaign_created ON creative_assets (campaign_id, created_at, id);
CREATE INDEX idx_creative_assets_created ON creative_assets (created_at, id);
CREATE INDEX idx_creative_assets_stuck ON creative_assets (created_at, id)
    WHERE stuck_since IS NOT NULL
      AND mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING');
CREATE INDEX idx_creative_assets_orphaned ON creative_assets (created_at, id)
    WHERE mux_asset_id IS NULL
      AND mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING');
