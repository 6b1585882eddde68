-- Search (store/search.rs): what an asset's name, description and caption cues say, one row per
-- piece of text in search_entries, found through the FTS5 table search_fts (contentless: it
-- holds only the index, keyed by search_entries.id). Kept column-for-column identical to
-- ../postgres/0021_search.sql, which keeps its full-text vector in a column instead.
-- scope holds an entry's access tokens, 'o<owner id>' and 'c<campaign id>' (ids without
-- dashes): a search of one owner's or campaign's videos asks the index for them too, so it
-- reads only their entries at any table size. They only narrow; the access rules of the asset
-- list still decide what a search returns.
CREATE TABLE search_entries (
    id        INTEGER PRIMARY KEY,           -- the rowid in search_fts
    asset_id  TEXT NOT NULL REFERENCES creative_assets(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('name', 'description', 'cue')),
    track_id  TEXT,                          -- a cue's caption track; NULL for name/description
    language  TEXT,
    start_ms  BIGINT,                        -- when a cue starts
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

-- The name and description stay indexed whatever path writes them (creation, adoption, the
-- owner's edits): triggers on INSERT and on UPDATE OF those two columns only, so the lifecycle's
-- updates (webhooks, polling) pay nothing.
CREATE TRIGGER creative_assets_search_insert AFTER INSERT ON creative_assets BEGIN
    INSERT INTO search_entries (asset_id, kind, scope, body)
    SELECT new.id, 'name', 'o' || replace(new.owner_id, '-', '')
        || COALESCE(' c' || replace(new.campaign_id, '-', ''), ''), new.name
    UNION ALL
    SELECT new.id, 'description', 'o' || replace(new.owner_id, '-', '')
        || COALESCE(' c' || replace(new.campaign_id, '-', ''), ''), new.description
    WHERE trim(COALESCE(new.description, '')) <> '';
END;
CREATE TRIGGER creative_assets_search_details AFTER UPDATE OF name, description ON creative_assets
WHEN old.name IS NOT new.name OR old.description IS NOT new.description BEGIN
    DELETE FROM search_entries WHERE asset_id = new.id AND track_id IS NULL;
    INSERT INTO search_entries (asset_id, kind, scope, body)
    SELECT new.id, 'name', 'o' || replace(new.owner_id, '-', '')
        || COALESCE(' c' || replace(new.campaign_id, '-', ''), ''), new.name
    UNION ALL
    SELECT new.id, 'description', 'o' || replace(new.owner_id, '-', '')
        || COALESCE(' c' || replace(new.campaign_id, '-', ''), ''), new.description
    WHERE trim(COALESCE(new.description, '')) <> '';
END;

-- The rows that exist already.
INSERT INTO search_entries (asset_id, kind, scope, body)
SELECT id, 'name', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), name
FROM creative_assets
UNION ALL
SELECT id, 'description', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), description
FROM creative_assets WHERE trim(COALESCE(description, '')) <> '';
