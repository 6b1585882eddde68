-- A new upload is checked against its owner's videos in its campaign inside the transaction that
-- inserts it (MUXD_UPLOADS_PER_USER_PER_CAMPAIGN): this index makes that count read only the
-- owner's rows of that campaign. The per-minute count reads idx_creative_assets_owner.
CREATE INDEX idx_creative_assets_owner_campaign ON creative_assets (owner_id, campaign_id);
