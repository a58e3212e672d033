#!/usr/bin/env bash
# Benchmark of `supportops score --summary` against Polars and DuckDB on the same generated
# sheets, 1M and 5M rows, in two cases:
#
#   realistic  `supportops sample` (default mix): about one distinct issue/MR link per three
#              responses, 2% blank links, free text, odd spellings, values in any order
#   few-links  `supportops sample --mix few-links`: a few thousand links whatever the size
#
# Each peer runs twice: "scores only" (rows per band and per score) and "same summary" (also
# the distinct subjects after the same link normalisation as `supportops`). The script checks
# that everyone agrees on the per-band and per-score counts, and the summaries on the subjects,
# then prints wall time, rows/s, peak RSS and each run's time relative to supportops.
#
#   bench/score.sh                                # both cases, 1M and 5M rows
#   ROWS="200000" CASES="realistic" bench/score.sh
#   OLD_BIN=/tmp/old/supportops TOOLS="supportops supportops-old" RUNS=3 bench/score.sh
#
# OLD_BIN adds the row `supportops-old`: another build of supportops (e.g. the previous release)
# scoring the same sheets in the same run, held to the same per-band and per-score counts.
# TOOLS picks the rows (default: supportops and the four peers, plus supportops-old with
# OLD_BIN). RUNS runs each tool that many times: wall s is the best run, median s the median,
# peak MiB the largest. BUILD=0 uses the release binary already built.
#
# Polars and DuckDB are pip-installed into bench/.venv on first use (never in CI). Generated
# sheets are kept in bench/out/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000 5000000}"
CASES="${CASES:-realistic few-links}"
RUNS="${RUNS:-1}"
OLD_BIN="${OLD_BIN:-}"
DEFAULT_TOOLS="supportops${OLD_BIN:+ supportops-old} polars-scores polars-summary duckdb-scores duckdb-summary"
TOOLS="${TOOLS:-$DEFAULT_TOOLS}"
OUT=bench/out
VENV=bench/.venv
mkdir -p "$OUT"

if [ "${BUILD:-1}" != 0 ]; then
    echo "== building supportops (release)" >&2
    cargo build --release --quiet -p supportops
fi
BIN=target/release/supportops
if [[ " $TOOLS " == *" supportops-old "* && ! -x "$OLD_BIN" ]]; then
    echo "supportops-old needs OLD_BIN, the path of another supportops binary" >&2
    exit 2
fi

if [[ "$TOOLS" == *polars* || "$TOOLS" == *duckdb* ]]; then
    if [ ! -x "$VENV/bin/python" ]; then
        echo "== installing polars and duckdb into $VENV" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check polars duckdb
    fi
    PY="$VENV/bin/python"
else
    PY=python3
fi

# Runs a command RUNS times under /usr/bin/time; prints "<best s> <median s> <largest peak KiB>"
# and keeps its (last) stdout in $1.
measure() {
    local stdout=$1
    shift
    local stats walls=() peak=0 w m
    stats=$(mktemp)
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$stats" "$@" >"$stdout" 2>/dev/null
        read -r w m <"$stats"
        walls+=("$w")
        if [ "$m" -gt "$peak" ]; then peak=$m; fi
    done
    rm -f "$stats"
    printf '%s\n' "${walls[@]}" | sort -g | awk -v peak="$peak" \
        '{ w[NR] = $1 } END { printf "%s %s %s\n", w[1], (NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2), peak }'
}

# counts FILE → "green/yellow/red/error scores:… subjects" (subjects "-" when not computed)
counts() {
    "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = d["bands"]
s = ",".join(f"{k}:{v}" for k, v in sorted(d["scores"].items(), key=lambda kv: float(kv[0])))
bands = "/".join(str(b[k]) for k in ("green", "yellow", "red", "error"))
print(bands, s, d.get("subjects", "-"))' "$1"
}

inner() { # inner FILE → seconds spent inside Python on the query ("-" for supportops)
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["seconds"], 2) if "seconds" in d else "-")' "$1"
}

printf '\n%-10s %-9s %-15s %7s %8s %8s %12s %9s %14s  %s\n' case rows tool "wall s" "median s" "inner s" "rows/s" "peak MiB" "vs supportops" "bands g/y/r/e · subjects"
for case in $CASES; do
    for n in $ROWS; do
        sheet="$OUT/feedback-$case-$n.csv"
        if [ ! -s "$sheet" ]; then
            echo "== generating $sheet" >&2
            "$BIN" sample --rows "$n" --seed 1 --mix "$case" --out "$sheet"
        fi
        cat "$sheet" >/dev/null # warm the page cache: every tool reads from memory
        declare -A wall med rss result inners
        for tool in $TOOLS; do
            out="$OUT/$tool-$case-$n.json"
            case $tool in
            supportops) read -r w md m < <(measure "$out" "$BIN" score "$sheet" --summary --format json) ;;
            supportops-old) read -r w md m < <(measure "$out" "$OLD_BIN" score "$sheet" --summary --format json) ;;
            polars-scores) read -r w md m < <(measure "$out" "$PY" bench/score_polars.py "$sheet") ;;
            polars-summary) read -r w md m < <(measure "$out" "$PY" bench/score_polars.py "$sheet" --summary) ;;
            duckdb-scores) read -r w md m < <(measure "$out" "$PY" bench/score_duckdb.py "$sheet") ;;
            duckdb-summary) read -r w md m < <(measure "$out" "$PY" bench/score_duckdb.py "$sheet" --summary) ;;
            *)
                echo "unknown tool \`$tool\` in TOOLS; known: $DEFAULT_TOOLS supportops-old" >&2
                exit 2
                ;;
            esac
            wall[$tool]=$w
            med[$tool]=$md
            rss[$tool]=$m
            result[$tool]=$(counts "$out")
            inners[$tool]=$(inner "$out")
        done
        for tool in $TOOLS; do
            "$PY" - "$case" "$n" "$tool" "${wall[$tool]}" "${med[$tool]}" "${rss[$tool]}" "${wall[supportops]}" "${inners[$tool]}" "${result[$tool]}" <<'PYEOF'
import sys
case, n, tool, wall, median, rss, base, inner, result = sys.argv[1:10]
n, wall, median, rss, base = int(n), max(float(wall), 0.01), float(median), int(rss), max(float(base), 0.01)
ratio = "1.00x" if tool == "supportops" else f"{wall / base:.2f}x slower"
bands, _, subjects = result.split(" ")
print(f"{case:<10} {n:<9} {tool:<15} {wall:7.2f} {median:8.2f} {inner:>8} {n / wall:12,.0f} {rss / 1024:9.1f} {ratio:>14}  {bands} · {subjects}")
PYEOF
        done
        scores() { echo "$1" | cut -d' ' -f1-2; }
        for tool in $TOOLS; do
            if [ "$(scores "${result[supportops]}")" != "$(scores "${result[$tool]}")" ]; then
                echo "MISMATCH: $tool counts per band or score differ for $case, $n rows: ${result[$tool]} vs ${result[supportops]}" >&2
                exit 1
            fi
        done
        for tool in polars-summary duckdb-summary; do
            [[ " $TOOLS " == *" $tool "* ]] || continue
            if [ "${result[supportops]}" != "${result[$tool]}" ]; then
                echo "MISMATCH: $tool distinct subjects differ for $case, $n rows: ${result[$tool]} vs ${result[supportops]}" >&2
                exit 1
            fi
        done
    done
done
echo
echo "wall s: the whole process (for Polars and DuckDB: starting Python and importing the"
echo "library too); inner s: reading and scoring only, timed inside Python; rows/s from wall s."
echo "scores only: rows per band and per score; summary: also distinct normalised subjects,"
echo "what \`supportops score --summary\` computes. Counts per band and score agree everywhere,"
echo "subjects agree between supportops and the summaries."
echo "sizes: $(du -h "$OUT"/feedback-*.csv | awk '{print $2 " " $1}' | tr '\n' ' ')"
