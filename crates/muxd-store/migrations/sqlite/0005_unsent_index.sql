-- Rows whose create never recorded the upload URL it hands out (interrupted, or Mux failed in a
-- way that may have made the upload): the reconciler settles them after a grace period, so it
-- finds them by age without scanning the table.
CREATE INDEX idx_creative_assets_unsent ON creative_assets (created_at) WHERE upload_url IS NULL;
