-- Outbound webhooks to the host app. Every change to an asset is already recorded in
-- asset_events in the same transaction as the change; a record that the host app should hear of
-- names its event type in `outbound` until the dispatcher has turned it into a message for each
-- endpoint (the durable outbox). Records from before this migration have none: nothing old is sent.
ALTER TABLE asset_events ADD COLUMN outbound TEXT;
CREATE INDEX idx_asset_events_outbound ON asset_events (id) WHERE outbound IS NOT NULL;

-- The host app's receivers: URL, Standard Webhooks secret (whsec_...), event filter (a JSON
-- array of event types; empty: every type).
CREATE TABLE webhook_endpoints (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT,
    disabled    BOOLEAN NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One message per outbound record: its `webhook-id`, type and body, fixed once, so every
-- attempt and every replay sends the same bytes.
CREATE TABLE outbound_messages (
    id             TEXT PRIMARY KEY,
    asset_event_id BIGINT NOT NULL UNIQUE,
    asset_id       TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    payload        TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX idx_outbound_messages_created ON outbound_messages (created_at);

-- One message to one endpoint: pending (next_attempt_at set) until delivered or given up.
CREATE TABLE outbound_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL REFERENCES outbound_messages(id) ON DELETE CASCADE,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    lease_until     BIGINT,
    lease_token     TEXT,
    last_status     BIGINT,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (message_id, endpoint_id)
);
CREATE INDEX idx_outbound_deliveries_due ON outbound_deliveries (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX idx_outbound_deliveries_endpoint ON outbound_deliveries (endpoint_id, id);
CREATE INDEX idx_outbound_deliveries_lease ON outbound_deliveries (lease_token)
    WHERE lease_token IS NOT NULL;

-- Every attempt: when, what the receiver answered (or why nothing), how long it took.
CREATE TABLE outbound_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES outbound_deliveries(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    status_code BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX idx_outbound_attempts_delivery ON outbound_attempts (delivery_id, id);
