-- The host app's campaigns and influencers by its own ids, archiving, and who may upload into a
-- campaign (its owner, its members, admins): the app says, through /api/app/campaigns.
ALTER TABLE campaigns ADD COLUMN app_id TEXT;
ALTER TABLE campaigns ADD COLUMN archived_at BIGINT;
CREATE UNIQUE INDEX idx_campaigns_app_id ON campaigns (app_id) WHERE app_id IS NOT NULL;
ALTER TABLE influencers ADD COLUMN app_id TEXT;
CREATE UNIQUE INDEX idx_influencers_app_id ON influencers (campaign_id, app_id)
    WHERE app_id IS NOT NULL;
CREATE TABLE campaign_members (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (campaign_id, user_id)
);
