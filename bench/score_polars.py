"""Scores a feedback sheet with Polars, the way `supportops score --summary` does with the
handbook formula, and prints the summary as JSON.

    score_polars.py SHEET            # scores only: rows per band and per score
    score_polars.py SHEET --summary  # the same summary: also distinct normalised subjects

Sheets semantics reproduced: a blank rating compares as 0 (so it scores -1); `=` on text ignores
case; REGEXMATCH on a cell that Sheets types as a number (e.g. `3` in "Values shown") is
`#VALUE!`, which puts the row in the Error band.

Subjects are normalised as `supportops` does (see `SubjectUrl` in crates/domain): for an
http(s) link, scheme and host lower-cased, the default port dropped, query and `#anchor`
dropped, trailing slashes dropped, `/issues/N` written `/-/issues/N` (also merge requests, work
items, epics); other text is kept trimmed; blank subjects are not counted.
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
KINDS = "issues|merge_requests|work_items|epics"


def with_subject(frame):
    """Adds the normalised subject as column `subject`, one step at a time so that each
    expression is computed once."""
    link = pl.col("link")
    scheme, host, path = pl.col("scheme"), pl.col("host"), pl.col("path")
    return (
        frame.with_columns(link=pl.col("Issue/MR link").fill_null("").str.strip_chars())
        .with_columns(parts=link.str.extract_groups(r"(?i)^(https?)://([^/?#]*)([^?#]*)"))
        .with_columns(
            scheme=pl.col("parts").struct.field("1").str.to_lowercase(),
            host=pl.col("parts").struct.field("2").str.to_lowercase(),
            path=pl.col("parts").struct.field("3"),
        )
        .with_columns(
            host=pl.when((scheme == "https") & host.str.ends_with(":443")).then(host.str.strip_suffix(":443"))
            .when((scheme == "http") & host.str.ends_with(":80")).then(host.str.strip_suffix(":80"))
            .otherwise(host),
            path=path.str.replace(r"/+$", "")
            .str.replace_all(rf"/-/({KINDS})/", "/$1/")
            .str.replace_all(rf"/({KINDS})/", "/-/$1/"),
        )
        .with_columns(
            subject=pl.when(scheme.is_not_null())
            .then(pl.concat_str([scheme, pl.lit("://"), host, path]))
            .otherwise(link)
        )
    )


def main(path, summary):
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
    aggregates = [
        error.sum().alias("error"),
        ((score >= 2) & ~error).sum().alias("green"),
        ((score == 1) & ~error).sum().alias("yellow"),
        ((score <= 0) & ~error).sum().alias("red"),
    ] + [((score == k) & ~error).sum().alias(f"score {k}") for k in range(-1, 4)]
    frame = pl.scan_csv(path, infer_schema=False)
    if summary:
        frame = with_subject(frame)
        subject = pl.col("subject")
        aggregates.append(subject.filter(subject != "").n_unique().alias("subjects"))
    row = frame.select(aggregates).collect(engine="streaming").row(0, named=True)
    bands = {b: row[b] for b in ("green", "yellow", "red", "error")}
    result = {
        "rows": sum(bands.values()),
        "bands": bands,
        "scores": {str(k): row[f"score {k}"] for k in range(-1, 4) if row[f"score {k}"]},
    }
    if summary:
        result["subjects"] = row["subjects"]
    # The time spent reading and scoring, without starting Python and importing the library.
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], "--summary" in sys.argv[2:])
