-- A filing the tracker refused is `failed`, with the tracker's message.
ALTER TABLE review_filings ADD COLUMN failure TEXT;
