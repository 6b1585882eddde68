-- Reconciler polling sessions (design.md §6). Times are unix epoch milliseconds.
ALTER TABLE creative_assets ADD COLUMN poll_started_at BIGINT;                    -- current polling session began
ALTER TABLE creative_assets ADD COLUMN next_poll_at BIGINT;                       -- when the reconciler may poll next
ALTER TABLE creative_assets ADD COLUMN poll_failures BIGINT NOT NULL DEFAULT 0;   -- consecutive failed polls
ALTER TABLE creative_assets ADD COLUMN poll_given_up BIGINT NOT NULL DEFAULT 0;   -- 1: upload timed out long ago, stop
