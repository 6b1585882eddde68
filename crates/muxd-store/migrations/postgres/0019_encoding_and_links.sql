-- What Mux's encoding of a video costs (docs/mux-facts.md §2.1): a campaign may ask for its own
-- video quality and highest resolution tier instead of the deployment's defaults
-- (MUXD_VIDEO_QUALITY, MUXD_MAX_RESOLUTION_TIER); NULL means the default. Each asset records what
-- its create sent to Mux, so the card and the admin list say what it costs.
ALTER TABLE campaigns ADD COLUMN video_quality TEXT;
ALTER TABLE campaigns ADD COLUMN max_resolution_tier TEXT;
ALTER TABLE creative_assets ADD COLUMN video_quality TEXT;
ALTER TABLE creative_assets ADD COLUMN max_resolution_tier TEXT;
-- A video created from a link (POST /api/mux/create-video-from-url): Mux fetches the file, so
-- there is no upload URL; the link (scheme, host and path only: a pre-signed query string is a
-- credential and is not kept) is recorded once Mux has accepted the create. Until either
-- upload_url or source_url is recorded, a row of origin 'upload' is unsent (its create was
-- interrupted or Mux failed ambiguously): hidden from its owner and settled by the reconciler.
ALTER TABLE creative_assets ADD COLUMN source_url TEXT;
DROP INDEX idx_creative_assets_unsent;
CREATE INDEX idx_creative_assets_unsent ON creative_assets (created_at)
    WHERE upload_url IS NULL AND source_url IS NULL AND origin = 'upload';
