"""Scores a feedback sheet with Polars, the way `supportops score` does with the handbook
formula, and prints the per-band counts as JSON.

Sheets semantics reproduced: a blank rating compares as 0 (so it scores -1); `=` on text ignores
case; REGEXMATCH on a cell that Sheets types as a number (e.g. `3` in "Values shown") is
`#VALUE!`, which puts the row in the Error band.
"""

import json
import sys
import time

import polars as pl

SOLVED = [
    "It was solved, and I feel this will dramatically improve my use of Zendesk",
    "It was solved, and I am confident in the solution",
    "It was closed as it became a stale issue",
]


def main(path):
    started = time.perf_counter()
    rating = pl.col("Rating").str.strip_chars().cast(pl.Float64, strict=False)
    values = pl.col("Values shown").fill_null("")
    resolution = pl.col("Resolution").fill_null("").str.to_lowercase()
    term_rating = (
        pl.when(rating >= 4).then(1).when(rating.is_null() | (rating <= 1)).then(-1).otherwise(0)
    )
    term_values = pl.when(values.str.contains("Collaboration.*Results.*Transparency")).then(1).otherwise(0)
    term_resolution = pl.when(resolution.is_in([s.lower() for s in SOLVED])).then(1).otherwise(0)
    score = term_rating + term_values + term_resolution
    error = values.str.contains(r"^\s*-?\d+(\.\d+)?\s*$")
    band = (
        pl.when(error).then(pl.lit("error"))
        .when(score >= 2).then(pl.lit("green"))
        .when(score >= 1).then(pl.lit("yellow"))
        .otherwise(pl.lit("red"))
    )
    counts = (
        pl.scan_csv(path, infer_schema=False)
        .select(band.alias("band"))
        .group_by("band")
        .len()
        .collect(engine="streaming")
    )
    bands = {b: 0 for b in ("green", "yellow", "red", "error")}
    for name, n in counts.iter_rows():
        bands[name] = n
    # The time spent reading and scoring, without starting Python and importing the library.
    print(json.dumps({"bands": bands, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1])
