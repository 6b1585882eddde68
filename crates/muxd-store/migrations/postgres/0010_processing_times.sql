-- Processing-time analytics: when Mux created the asset, which is when it had the whole file
-- (its stamp of the earliest video.upload.asset_created or video.asset.created), and the size
-- the uploader announced when asking for the upload. Older rows know neither; the analytics
-- skip what is unknown. They read READY rows by ready_at in a window, which
-- idx_creative_assets_ready_at (0004) serves, so no index is added.
ALTER TABLE creative_assets ADD COLUMN processing_at BIGINT;
ALTER TABLE creative_assets ADD COLUMN file_size BIGINT;
