-- What the pages read cheaply at any store size.
--
-- Lists of responses newest first (unknown times last), in a band or not, with the key last:
-- a page's keys are read from the index alone, however deep the page.
CREATE INDEX responses_newest
    ON responses (submitted_at DESC NULLS LAST, first_seen_at DESC, sheet_row DESC, response_key DESC);
CREATE INDEX responses_by_band_newest
    ON responses (band, submitted_at DESC NULLS LAST, first_seen_at DESC, sheet_row DESC, response_key DESC);

-- Subjects with two open review issues are found in this index alone.
CREATE INDEX review_issues_by_state_subject ON review_issues (state, subject, iid);

-- How many responses review issues cover, kept by triggers as coverage is written (the
-- Reviews page's "not filed yet" count), instead of counting the coverage on each request.
-- One update per statement (a row-level update of one counter row, many times in one
-- transaction as `store copy` writes, would pile up row versions).
CREATE TABLE review_coverage_count (
    id      BIGINT PRIMARY KEY,
    covered BIGINT NOT NULL
);
INSERT INTO review_coverage_count (id, covered) SELECT 1, COUNT(*) FROM review_coverage;

CREATE FUNCTION review_coverage_added() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT;
BEGIN
    SELECT COUNT(*) INTO n FROM added;
    IF n > 0 THEN
        UPDATE review_coverage_count SET covered = covered + n WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION review_coverage_removed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT;
BEGIN
    SELECT COUNT(*) INTO n FROM removed;
    IF n > 0 THEN
        UPDATE review_coverage_count SET covered = covered - n WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER review_coverage_counted AFTER INSERT ON review_coverage
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION review_coverage_added();

CREATE TRIGGER review_coverage_uncounted AFTER DELETE ON review_coverage
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION review_coverage_removed();
