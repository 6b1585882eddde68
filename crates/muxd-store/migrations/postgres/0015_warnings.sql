-- What Mux warned about an asset's input (video.asset.warning, non_standard_input_detected), in
-- words: a JSON array of strings, sorted; NULL when there is none.
ALTER TABLE creative_assets ADD COLUMN warnings TEXT;
