-- Captions (docs/mux-facts.md §10). `text_tracks` holds the asset's text tracks as the lifecycle
-- merged them (a JSON array by track id, deleted ones kept as tombstones; NULL when none).
-- `captions` is what its create asked Mux for (`off` or the language of generated captions), like
-- video_quality; a campaign may ask for its own (NULL: the deployment's MUXD_CAPTIONS).
-- `captions_due` is set by every change to the tracks and cleared by the captions job once it
-- has done what the change asks: fetch and index the transcripts of ready tracks, drop those of
-- deleted ones, retire a supplied track its replacement made redundant. While a track is still
-- preparing the mark stays, and `captions_check_at` says when the job reads the asset from Mux
-- again (a lost track webhook is found that way).
ALTER TABLE creative_assets ADD COLUMN text_tracks TEXT;
ALTER TABLE creative_assets ADD COLUMN captions TEXT;
ALTER TABLE creative_assets ADD COLUMN captions_check_at BIGINT;
ALTER TABLE creative_assets ADD COLUMN captions_due BOOLEAN NOT NULL DEFAULT 0;
CREATE INDEX idx_creative_assets_captions_due ON creative_assets (updated_at) WHERE captions_due;
ALTER TABLE campaigns ADD COLUMN captions TEXT;
-- A caption file an owner supplied (already converted to WebVTT), served to Mux at
-- /captions/{id}.vtt until Mux has made its track from it or it expires; `id` is 32 random bytes,
-- so the URL cannot be guessed. `replaces_track_id` is the track of the same language it
-- replaces once it is ready (the old one plays until then).
CREATE TABLE caption_files (
    id TEXT PRIMARY KEY,
    asset_id TEXT NOT NULL REFERENCES creative_assets (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    mux_track_id TEXT,
    replaces_track_id TEXT
);
CREATE INDEX idx_caption_files_asset ON caption_files (asset_id);
CREATE INDEX idx_caption_files_expires ON caption_files (expires_at);
