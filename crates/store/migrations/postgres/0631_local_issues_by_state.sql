-- The agenda's issues closed since the last monthly sync, read from the closed issues' range
-- alone: with the time index only, every issue changed since (all the month's new ones) was
-- read to look at its state, text and all.
CREATE INDEX local_issues_by_state_update ON local_issues (project, state, updated_at);
