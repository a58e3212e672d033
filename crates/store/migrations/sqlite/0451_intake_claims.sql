-- The intake queue is claimed like every queue replicas share (see `sqlite/queue.rs`): a
-- filer holds the rows it took until `claimed_until` (Unix milliseconds), so filers on other
-- replicas take other rows, and rows of a filer that died are taken again once its lease ends.
ALTER TABLE intake_queue ADD COLUMN claimed_by TEXT;
ALTER TABLE intake_queue ADD COLUMN claimed_until BIGINT;
