-- Whether an asset's `highest` MP4 static rendition is ready (video.asset.static_rendition.ready,
-- or a read of the asset): pages play the MP4 only then. Uploads asked for it until
-- MUXD_MP4_RENDITIONS made it optional, so assets ready before this migration have one.
ALTER TABLE creative_assets ADD COLUMN mp4_ready BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE creative_assets SET mp4_ready = TRUE WHERE mux_processing_status = 'READY';
