-- Search (store/search.rs): a caption track's transcript is one search_entries row, not one row
-- per cue. A campaign's search then reads at most a few rows per video (its name, description
-- and transcripts) however long the videos are, and a phrase split across two cues is found.
-- cues keeps the transcript's cues as JSON ([[start_ms, text], ...]) for picking the ones to
-- show; body is their texts, one per line. The tables are made again (their entries are
-- derived) with the rows of names and descriptions; every READY asset with text tracks is marked
-- for the captions job, which indexes their transcripts again. Column-for-column identical to
-- ../postgres/0022_search_transcripts.sql, which keeps its full-text vector in a column. The
-- triggers of creative_assets (migration 0021) write names and descriptions as before.
DROP TRIGGER search_entries_indexed;
DROP TRIGGER search_entries_unindexed;
DROP TABLE search_fts;
DROP TABLE search_entries;
CREATE TABLE search_entries (
    id        INTEGER PRIMARY KEY,           -- the rowid in search_fts
    asset_id  TEXT NOT NULL REFERENCES creative_assets(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('name', 'description', 'transcript')),
    track_id  TEXT,                          -- a transcript's caption track; NULL otherwise
    language  TEXT,
    cues      TEXT,                          -- a transcript's cues: [[start_ms, text], ...]
    scope     TEXT NOT NULL,
    body      TEXT NOT NULL                  -- plain text (tags dropped, entities decoded)
);
CREATE INDEX idx_search_entries_asset ON search_entries (asset_id, track_id);
CREATE VIRTUAL TABLE search_fts USING fts5(scope, body, content = '', contentless_delete = 1);

CREATE TRIGGER search_entries_indexed AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, scope, body) VALUES (new.id, new.scope, new.body);
END;
-- Also fires for the rows ON DELETE CASCADE removes with their asset (retention).
CREATE TRIGGER search_entries_unindexed AFTER DELETE ON search_entries BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END;

INSERT INTO search_entries (asset_id, kind, scope, body)
SELECT id, 'name', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), name
FROM creative_assets
UNION ALL
SELECT id, 'description', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), description
FROM creative_assets WHERE trim(COALESCE(description, '')) <> '';

UPDATE creative_assets SET captions_due = TRUE, captions_check_at = NULL
WHERE text_tracks IS NOT NULL AND mux_processing_status = 'READY';
