-- Replacing a video in place (POST /api/creative-assets/{id}/replace). The new file is uploaded
-- as a hidden "take": a row of its own (its passthrough its own id, so the whole lifecycle, the
-- ingest lookups and the reconciler run for it unchanged) whose `replaces` names the card it is
-- for. Takes are in no list, count, quota or view. While a take is in flight or failed, its card
-- shows it through `replacement_status` and `replacement_error_*` (kept in the transaction that
-- changes the take); when the take turns READY, the card takes its Mux facts (`replaced_at`,
-- `version` + 1) and the take takes the card's old Mux asset, DELETED and marked for deletion,
-- so the deletion job removes the old asset on Mux with its backoff.
ALTER TABLE creative_assets ADD COLUMN replaces TEXT;
ALTER TABLE creative_assets ADD COLUMN replaced_at BIGINT;
ALTER TABLE creative_assets ADD COLUMN replacement_status TEXT;
ALTER TABLE creative_assets ADD COLUMN replacement_error_type TEXT;
ALTER TABLE creative_assets ADD COLUMN replacement_error_message TEXT;
CREATE INDEX idx_creative_assets_replaces ON creative_assets (replaces) WHERE replaces IS NOT NULL;
