#!/usr/bin/env bash
# Benchmark of `supportops score --summary` against Polars and DuckDB on the same generated
# sheets (1M and 5M rows by default). Checks that all three agree on the per-band counts and
# prints wall time, rows/s, peak RSS and the ratios to supportops.
#
#   bench/score.sh                 # 1M and 5M rows
#   ROWS="200000" bench/score.sh   # other sizes
#
# Polars and DuckDB are pip-installed into bench/.venv on first use (never in CI). Generated
# sheets are kept in bench/out/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000 5000000}"
OUT=bench/out
VENV=bench/.venv
mkdir -p "$OUT"

echo "== building supportops (release)" >&2
cargo build --release --quiet -p supportops
BIN=target/release/supportops

if [ ! -x "$VENV/bin/python" ]; then
    echo "== installing polars and duckdb into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check polars duckdb
fi
PY="$VENV/bin/python"

# Runs a command under /usr/bin/time; prints "<seconds> <peak KiB>" and keeps its stdout in $2.
measure() {
    local stdout=$1
    shift
    local stats
    stats=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$stats" "$@" >"$stdout"
    cat "$stats"
    rm -f "$stats"
}

bands() { # bands FILE → "green yellow red error"
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["bands"]; print(d["green"],d["yellow"],d["red"],d["error"])' "$1"
}

inner() { # inner FILE → seconds spent inside Python on the query ("-" for supportops)
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["seconds"], 2) if "seconds" in d else "-")' "$1"
}

printf '\n%-9s %-11s %7s %9s %12s %10s %14s  %s\n' rows tool "wall s" "inner s" "rows/s" "peak MiB" "vs supportops" "bands g/y/r/e"
for n in $ROWS; do
    sheet="$OUT/feedback-$n.csv"
    if [ ! -s "$sheet" ]; then
        echo "== generating $sheet" >&2
        "$BIN" sample --rows "$n" --seed 1 --out "$sheet"
    fi
    cat "$sheet" >/dev/null # warm the page cache: every tool reads from memory
    declare -A wall rss counts inners
    for tool in supportops polars duckdb; do
        result="$OUT/$tool-$n.json"
        case $tool in
        supportops) read -r w m < <(measure "$result" "$BIN" score "$sheet" --summary --format json) ;;
        polars) read -r w m < <(measure "$result" "$PY" bench/score_polars.py "$sheet") ;;
        duckdb) read -r w m < <(measure "$result" "$PY" bench/score_duckdb.py "$sheet") ;;
        esac
        wall[$tool]=$w
        rss[$tool]=$m
        counts[$tool]=$(bands "$result")
        inners[$tool]=$(inner "$result")
    done
    for tool in supportops polars duckdb; do
        "$PY" - "$n" "$tool" "${wall[$tool]}" "${rss[$tool]}" "${wall[supportops]}" "${counts[$tool]}" "${inners[$tool]}" <<'PYEOF'
import sys
n, tool, wall, rss, base, counts, inner = sys.argv[1:8]
n, wall, rss, base = int(n), max(float(wall), 0.01), int(rss), max(float(base), 0.01)
ratio = "1.00x" if tool == "supportops" else f"{wall / base:.2f}x slower"
print(f"{n:<9} {tool:<11} {wall:7.2f} {inner:>9} {n / wall:12,.0f} {rss / 1024:10.1f} {ratio:>14}  {counts.replace(' ', '/')}")
PYEOF
    done
    if [ "${counts[supportops]}" != "${counts[polars]}" ] || [ "${counts[supportops]}" != "${counts[duckdb]}" ]; then
        echo "MISMATCH: per-band counts differ for $n rows" >&2
        exit 1
    fi
done
echo
echo "wall s: the whole process (for Polars and DuckDB: starting Python and importing the"
echo "library too); inner s: reading and scoring only, timed inside Python; rows/s from wall s."
echo "per-band counts agree; sizes: $(du -h "$OUT"/feedback-*.csv | awk '{print $2 " " $1}' | tr '\n' ' ')"
