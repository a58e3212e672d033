#!/usr/bin/env bash
# Benchmark of the what-if pass: `supportops score --compare` (two formulas in one streaming
# pass) against `supportops score --summary` (one formula) on the same generated sheets. Each
# is run RUNS times (page cache warm); prints the median wall time, peak RSS and the ratio,
# which the product keeps at or under 2×.
#
#   bench/compare.sh                  # 1M and 5M rows, 5 runs each
#   ROWS="200000" RUNS=3 bench/compare.sh
#
# Generated sheets are kept in bench/out/ and reused (the same as bench/score.sh's).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000 5000000}"
RUNS="${RUNS:-5}"
OUT=bench/out
mkdir -p "$OUT"
PROPOSED='=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(C2 = "It was solved, and I am confident in the solution", 2, 0))'

if [ "${BUILD:-1}" != 0 ]; then   # BUILD=0: use the release binary already built
    echo "== building supportops (release)" >&2
    cargo build --release --quiet -p supportops
fi
BIN=target/release/supportops

# Median wall seconds, median CPU seconds (user + system) and the largest peak RSS (MiB) of
# RUNS runs of a command. CPU time is the steadier number on a shared machine.
median() {
    local stats times=() cpus=() rss=0
    stats=$(mktemp)
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %U %S %M' -o "$stats" "$@" >/dev/null
        read -r t u s m <"$stats"
        times+=("$t")
        cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
        if [ "$m" -gt "$rss" ]; then rss=$m; fi
    done
    rm -f "$stats"
    local mid=$(((RUNS + 1) / 2))
    printf '%s %s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "${mid}p")" \
        "$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p")" \
        "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
}

printf '| rows | one formula (`--summary`) wall / CPU s | two formulas (`--compare`) wall / CPU s | ratio wall / CPU | peak RSS MiB (one / two) |\n'
printf '|---|---|---|---|---|\n'
for rows in $ROWS; do
    sheet="$OUT/feedback-$rows.csv"
    [ -f "$sheet" ] || "$BIN" sample --rows "$rows" --out "$sheet"
    read -r one one_cpu one_rss < <(median "$BIN" score "$sheet" --summary --format json)
    read -r two two_cpu two_rss < <(median "$BIN" score "$sheet" --compare "$PROPOSED" --format json)
    ratio=$(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.2f", b / a }')
    cpu_ratio=$(awk -v a="$one_cpu" -v b="$two_cpu" 'BEGIN { printf "%.2f", b / a }')
    printf '| %s | %s / %s | %s / %s | %s× / %s× | %s / %s |\n' "$rows" "$one" "$one_cpu" \
        "$two" "$two_cpu" "$ratio" "$cpu_ratio" "$one_rss" "$two_rss"
done
