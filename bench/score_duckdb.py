"""Scores a feedback sheet with DuckDB (`read_csv` + `regexp_matches` + `lower()` for Sheets'
case-insensitive `=`), the way `supportops score` does with the handbook formula, and prints the
per-band counts as JSON. See score_polars.py for the Sheets semantics reproduced."""

import json
import sys
import time

import duckdb

QUERY = r"""
WITH rows AS (
    SELECT
        try_cast(trim("Rating") AS DOUBLE) AS rating,
        coalesce("Values shown", '') AS vals,
        lower(coalesce("Resolution", '')) AS resolution
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
    FROM rows
)
SELECT CASE WHEN failed THEN 'error' WHEN score >= 2 THEN 'green' WHEN score >= 1 THEN 'yellow' ELSE 'red' END AS band,
       count(*)
FROM scored
GROUP BY band
"""


def main(path):
    started = time.perf_counter()
    bands = {b: 0 for b in ("green", "yellow", "red", "error")}
    for name, n in duckdb.connect().execute(QUERY, [path]).fetchall():
        bands[name] = n
    # The time spent reading and scoring, without starting Python and importing the library.
    print(json.dumps({"bands": bands, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1])
