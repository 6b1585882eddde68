-- muxd schema, SQLite dialect. Kept column-for-column identical to ../postgres/0001_init.sql so
-- one set of queries serves both. Times are unix epoch milliseconds; ids are UUID text.

-- A person, known to muxd by the id of an external identity provider (e.g. a Clerk user id).
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('user', 'admin')),
    created_at  BIGINT NOT NULL
);

-- A campaign whose "Step 4: Content" page collects uploads.
CREATE TABLE campaigns (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The creators of a campaign; assets are grouped by them on the content page.
CREATE TABLE influencers (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    handle      TEXT,
    created_at  BIGINT NOT NULL
);

-- The single source of truth for every upload (the guide's CreativeAsset).
CREATE TABLE creative_assets (
    id                    TEXT PRIMARY KEY,
    owner_id              TEXT NOT NULL REFERENCES users(id),
    campaign_id           TEXT REFERENCES campaigns(id),
    influencer_id         TEXT REFERENCES influencers(id),
    name                  TEXT NOT NULL,
    description           TEXT,
    passthrough           TEXT NOT NULL,            -- sent as new_asset_settings.passthrough (= id)
    mux_upload_id         TEXT,
    upload_url            TEXT,                     -- the direct-upload URL handed to the browser
    mux_asset_id          TEXT,
    mux_processing_status TEXT NOT NULL CHECK (mux_processing_status IN
        ('AWAITING_UPLOAD', 'MUX_PROCESSING', 'READY', 'ERROR', 'CANCELLED', 'TIMED_OUT', 'DELETED')),
    url                   TEXT,                     -- playback URL once READY
    playback_id           TEXT,
    playback_policy       TEXT,
    error_type            TEXT,
    error_message         TEXT,
    error_source          TEXT,                     -- 'upload' or 'asset'
    duration_s            REAL,
    aspect_ratio          TEXT,
    resolution_tier       TEXT,
    ready_at              BIGINT,
    last_event_at         BIGINT,
    mux_delete_pending    BIGINT NOT NULL DEFAULT 0 CHECK (mux_delete_pending IN (0, 1)), -- 1: owner deleted, Mux asset not yet
    lease_owner           TEXT,                     -- reconciler instance polling this row
    lease_until           BIGINT,
    stuck_since           BIGINT,                   -- a polling session ended unresolved
    version               BIGINT NOT NULL DEFAULT 0, -- optimistic concurrency
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE UNIQUE INDEX idx_creative_assets_mux_upload_id ON creative_assets (mux_upload_id)
    WHERE mux_upload_id IS NOT NULL;
CREATE UNIQUE INDEX idx_creative_assets_mux_asset_id ON creative_assets (mux_asset_id)
    WHERE mux_asset_id IS NOT NULL;
CREATE INDEX idx_creative_assets_status_created ON creative_assets (mux_processing_status, created_at);
CREATE INDEX idx_creative_assets_in_flight ON creative_assets (updated_at)
    WHERE mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING');
CREATE INDEX idx_creative_assets_owner ON creative_assets (owner_id, created_at);
CREATE INDEX idx_creative_assets_campaign ON creative_assets (campaign_id, influencer_id);
CREATE INDEX idx_creative_assets_delete_pending ON creative_assets (updated_at)
    WHERE mux_delete_pending = 1;

-- Every applied change to an asset: who/what/when, for the admin view and the live stream.
CREATE TABLE asset_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id    TEXT NOT NULL REFERENCES creative_assets(id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    cause       TEXT NOT NULL,                      -- 'webhook', 'poll' or 'user'
    cause_ref   TEXT NOT NULL,                      -- event type and id, poll target, or user id
    at          BIGINT NOT NULL
);
CREATE INDEX idx_asset_events_asset ON asset_events (asset_id, id);

-- Every verified webhook, deduplicated on Mux's event id, with what muxd did with it.
CREATE TABLE webhook_events (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id          TEXT NOT NULL UNIQUE,
    event_type        TEXT NOT NULL,
    object_type       TEXT,
    object_id         TEXT,
    mux_created_at    BIGINT,
    received_at       BIGINT NOT NULL,
    outcome           TEXT NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'ignored', 'unmatched', 'failed')),
    asset_id          TEXT,                         -- the row it matched, once matched
    match_passthrough TEXT,
    match_upload_id   TEXT,
    match_asset_id    TEXT,
    deliveries        BIGINT  NOT NULL DEFAULT 1,   -- times Mux delivered it (duplicates included)
    detail            TEXT,                         -- why it failed or was ignored
    payload           TEXT NOT NULL
);
CREATE INDEX idx_webhook_events_received ON webhook_events (received_at);
CREATE INDEX idx_webhook_events_type ON webhook_events (event_type, received_at);
CREATE INDEX idx_webhook_events_unmatched_upload ON webhook_events (match_upload_id)
    WHERE outcome = 'unmatched';
CREATE INDEX idx_webhook_events_unmatched_asset ON webhook_events (match_asset_id)
    WHERE outcome = 'unmatched';
CREATE INDEX idx_webhook_events_unmatched_passthrough ON webhook_events (match_passthrough)
    WHERE outcome = 'unmatched';
