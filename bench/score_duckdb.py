"""Scores a feedback sheet with DuckDB (`read_csv` + `regexp_matches` + `lower()` for Sheets'
case-insensitive `=`), the way `supportops score --summary` does with the handbook formula, and
prints the summary as JSON.

    score_duckdb.py SHEET            # scores only: rows per band and per score
    score_duckdb.py SHEET --summary  # the same summary: also distinct normalised subjects

See score_polars.py for the Sheets semantics and the subject normalisation reproduced."""

import json
import sys
import time

import duckdb

KINDS = "issues|merge_requests|work_items|epics"

SUBJECT = rf"""
    CASE WHEN regexp_matches(link, '^(?i)https?://') THEN
        lower(regexp_extract(link, '^(?i)(https?)://', 1)) || '://'
        || regexp_replace(
            lower(regexp_extract(link, '^(?i)https?://([^/?#]*)', 1)),
            CASE WHEN lower(regexp_extract(link, '^(?i)(https?)://', 1)) = 'https' THEN ':443$' ELSE ':80$' END,
            '')
        || regexp_replace(
            regexp_replace(
                regexp_replace(regexp_extract(link, '^(?i)https?://[^/?#]*([^?#]*)', 1), '/+$', ''),
                '/-/({KINDS})/', '/\1/', 'g'),
            '/({KINDS})/', '/-/\1/', 'g')
    ELSE link END
"""


def query(summary):
    subjects = (
        f", count(DISTINCT CASE WHEN subject <> '' THEN subject END) AS subjects" if summary else ""
    )
    subject_column = f", {SUBJECT} AS subject" if summary else ""
    return rf"""
WITH rows AS (
    SELECT
        try_cast(trim("Rating") AS DOUBLE) AS rating,
        coalesce("Values shown", '') AS vals,
        lower(coalesce("Resolution", '')) AS resolution,
        trim(coalesce("Issue/MR link", '')) AS link
    FROM read_csv(?, all_varchar = true, header = true)
), scored AS (
    SELECT
        regexp_matches(vals, '^\s*-?\d+(\.\d+)?\s*$') AS failed,
        (CASE WHEN rating >= 4 THEN 1 WHEN coalesce(rating, 0) <= 1 THEN -1 ELSE 0 END)
        + (CASE WHEN regexp_matches(vals, 'Collaboration.*Results.*Transparency') THEN 1 ELSE 0 END)
        + (CASE WHEN resolution IN (
            lower('It was solved, and I feel this will dramatically improve my use of Zendesk'),
            lower('It was solved, and I am confident in the solution'),
            lower('It was closed as it became a stale issue')) THEN 1 ELSE 0 END) AS score
        {subject_column}
    FROM rows
)
SELECT
    count(*) FILTER (WHERE NOT failed AND score >= 2) AS green,
    count(*) FILTER (WHERE NOT failed AND score = 1) AS yellow,
    count(*) FILTER (WHERE NOT failed AND score <= 0) AS red,
    count(*) FILTER (WHERE failed) AS error,
    {", ".join(f"count(*) FILTER (WHERE NOT failed AND score = {k})" for k in range(-1, 4))}
    {subjects}
FROM scored
"""


def main(path, summary):
    started = time.perf_counter()
    row = duckdb.connect().execute(query(summary), [path]).fetchone()
    bands = dict(zip(("green", "yellow", "red", "error"), row[:4]))
    result = {
        "rows": sum(bands.values()),
        "bands": bands,
        "scores": {str(k): n for k, n in zip(range(-1, 4), row[4:9]) if n},
    }
    if summary:
        result["subjects"] = row[9]
    # The time spent reading and scoring, without starting Python and importing the library.
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], "--summary" in sys.argv[2:])
