-- SQLite reads an index backwards as cheaply as forwards, and sorts NULL lowest, so one index
-- serves both the oldest-first and the newest-first (unknown times last) lists: the
-- newest-first copies only made each stored response two index writes dearer.
DROP INDEX responses_newest;
DROP INDEX responses_by_time;
CREATE INDEX responses_by_time
    ON responses (submitted_at, first_seen_at, sheet_row, response_key, band, score_number);
DROP INDEX responses_by_band_newest;
DROP INDEX responses_by_band_time;
CREATE INDEX responses_by_band_time
    ON responses (band, submitted_at, first_seen_at, sheet_row, response_key);
