-- Search (store/search.rs): a caption track's transcript is one search_entries row, not one row
-- per cue. A campaign's search then reads at most a few rows per video (its name, description
-- and transcripts) however long the videos are, and a phrase split across two cues is found.
-- cues keeps the transcript's cues as JSON ([[start_ms, text], ...]) for picking the ones to
-- show; body is their texts, one per line. The table is made again (its entries are derived)
-- with the rows of names and descriptions; every READY asset with text tracks is marked for the
-- captions job, which indexes their transcripts again. Column-for-column identical to
-- ../sqlite/0022_search_transcripts.sql but for document.
DROP TABLE search_entries;
CREATE TABLE search_entries (
    id        BIGSERIAL PRIMARY KEY,
    asset_id  TEXT NOT NULL REFERENCES creative_assets(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('name', 'description', 'transcript')),
    track_id  TEXT,                          -- a transcript's caption track; NULL otherwise
    language  TEXT,
    cues      TEXT,                          -- a transcript's cues: [[start_ms, text], ...]
    scope     TEXT NOT NULL,
    body      TEXT NOT NULL,                 -- plain text (tags dropped, entities decoded)
    document  TSVECTOR GENERATED ALWAYS AS (
        to_tsvector('simple', body) || array_to_tsvector(string_to_array(scope, ' '))
    ) STORED
);
CREATE INDEX idx_search_entries_asset ON search_entries (asset_id, track_id);
CREATE INDEX idx_search_entries_document ON search_entries USING GIN (document);

INSERT INTO search_entries (asset_id, kind, scope, body)
SELECT id, 'name', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), name
FROM creative_assets
UNION ALL
SELECT id, 'description', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), description
FROM creative_assets WHERE btrim(COALESCE(description, '')) <> '';

UPDATE creative_assets SET captions_due = TRUE, captions_check_at = NULL
WHERE text_tracks IS NOT NULL AND mux_processing_status = 'READY';
