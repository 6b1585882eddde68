-- When Mux stamped the outcome event that decides a row's status: a conflicting outcome (ready
-- and errored for one asset) wins only if stamped later, whatever order they arrive in. Rows
-- already decided take their newest event's time, the best the old rows know.
ALTER TABLE creative_assets ADD COLUMN decided_at BIGINT;
UPDATE creative_assets SET decided_at = last_event_at
    WHERE mux_processing_status IN ('READY', 'ERROR', 'CANCELLED', 'TIMED_OUT');
