-- A filing the tracker refused (a 4xx, a deleted project, retries outlasted) is `failed`, with
-- the tracker's message, rather than stopping the run: the run goes on with the other subjects,
-- and the next run files the failed subjects after the others.
ALTER TABLE review_filings ADD COLUMN failure TEXT;
