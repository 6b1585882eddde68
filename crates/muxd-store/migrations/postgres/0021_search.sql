-- Search (store/search.rs): what an asset's name, description and caption cues say, one row per
-- piece of text in search_entries, found through a GIN index on its full-text vector
-- (document, 'simple' configuration: no stemming or stop words, so it suits every language the
-- same). Column-for-column identical to ../sqlite/0021_search.sql but for document, which SQLite
-- keeps in its FTS5 table instead.
-- scope holds an entry's access tokens, 'o<owner id>' and 'c<campaign id>' (ids without
-- dashes), added to document as lexemes: a search of one owner's or campaign's videos asks the
-- index for them too, so it reads only their entries at any table size. They only narrow; the
-- access rules of the asset list still decide what a search returns.
CREATE TABLE search_entries (
    id        BIGSERIAL PRIMARY KEY,
    asset_id  TEXT NOT NULL REFERENCES creative_assets(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('name', 'description', 'cue')),
    track_id  TEXT,                          -- a cue's caption track; NULL for name/description
    language  TEXT,
    start_ms  BIGINT,                        -- when a cue starts
    scope     TEXT NOT NULL,
    body      TEXT NOT NULL,                 -- plain text (tags dropped, entities decoded)
    document  TSVECTOR GENERATED ALWAYS AS (
        to_tsvector('simple', body) || array_to_tsvector(string_to_array(scope, ' '))
    ) STORED
);
CREATE INDEX idx_search_entries_asset ON search_entries (asset_id, track_id);
CREATE INDEX idx_search_entries_document ON search_entries USING GIN (document);

-- The name and description stay indexed whatever path writes them (creation, adoption, the
-- owner's edits): triggers on INSERT and on UPDATE OF those two columns only, so the lifecycle's
-- updates (webhooks, polling) pay nothing.
CREATE FUNCTION creative_assets_search_details() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM search_entries WHERE asset_id = NEW.id AND track_id IS NULL;
    END IF;
    INSERT INTO search_entries (asset_id, kind, scope, body)
    SELECT NEW.id, 'name', 'o' || replace(NEW.owner_id, '-', '')
        || COALESCE(' c' || replace(NEW.campaign_id, '-', ''), ''), NEW.name
    UNION ALL
    SELECT NEW.id, 'description', 'o' || replace(NEW.owner_id, '-', '')
        || COALESCE(' c' || replace(NEW.campaign_id, '-', ''), ''), NEW.description
    WHERE btrim(COALESCE(NEW.description, '')) <> '';
    RETURN NULL;
END
$$;
CREATE TRIGGER creative_assets_search_insert AFTER INSERT ON creative_assets
    FOR EACH ROW EXECUTE FUNCTION creative_assets_search_details();
CREATE TRIGGER creative_assets_search_details AFTER UPDATE OF name, description ON creative_assets
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION creative_assets_search_details();

-- The rows that exist already.
INSERT INTO search_entries (asset_id, kind, scope, body)
SELECT id, 'name', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), name
FROM creative_assets
UNION ALL
SELECT id, 'description', 'o' || replace(owner_id, '-', '')
    || COALESCE(' c' || replace(campaign_id, '-', ''), ''), description
FROM creative_assets WHERE btrim(COALESCE(description, '')) <> '';
