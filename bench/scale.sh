#!/usr/bin/env bash
# Scale benchmark (never in CI): a store filled with N responses through `supportops review`
# (local tracker), then the rerun with nothing new, the latency of the pages that read the
# store, the server's peak RSS, and webhook acceptances per second with concurrent senders.
#
#   bench/scale.sh                       # 1,000,000 responses, SQLite in bench/out/
#   ROWS=100000 bench/scale.sh
#   STORE_URL=postgres://user@host/db bench/scale.sh   # another store (when the build has it)
#
# Variables: ROWS (1000000), GROW (1000: rows appended to the sheet before a third review),
# MIX (few-links: a few thousand subjects, as a team's real
# history; `realistic` files an issue for about every third response), STORE_URL
# (sqlite://bench/out/scale-ROWS/store.db, recreated), REQUESTS per page (200), SENDERS (16),
# DELIVERIES (8000), PORT (18089), REPLICAS (3; on PostgreSQL, after the one-replica figures:
# that many `serve` on the store, one killed with SIGKILL KILL_AFTER (3) seconds into the
# webhook load, then accepted = stored and duplicate review issues checked; needs psql).
# PAGES_ONLY=1 keeps the store of an earlier run and measures only from `serve` on.
# Nothing is kept but bench/out/scale-ROWS/; delete it after.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000}"
MIX="${MIX:-few-links}"
REQUESTS="${REQUESTS:-200}"
SENDERS="${SENDERS:-16}"
DELIVERIES="${DELIVERIES:-8000}"
PORT="${PORT:-18089}"
REPLICAS="${REPLICAS:-3}"
KILL_AFTER="${KILL_AFTER:-3}"
GROW="${GROW:-1000}"
OUT="bench/out/scale-$ROWS"
mkdir -p "$OUT"
if [ -z "${STORE_URL:-}" ]; then
    [ -n "${PAGES_ONLY:-}" ] || rm -f "$OUT"/store.db*
    STORE_URL="sqlite://$PWD/$OUT/store.db"
fi

echo "== building supportops (release)" >&2
cargo build --release --quiet -p supportops
BIN="$PWD/target/release/supportops"

cat > "$OUT/supportops.toml" <<TOML
[sheet]
source = "$PWD/$OUT/sheet.csv"

[store]
url = "$STORE_URL"

[tracker]
kind = "local"

[server]
addr = "127.0.0.1:$PORT"
TOML
export SUPPORTOPS_CONFIG="$PWD/$OUT/supportops.toml"
export SUPPORTOPS_WEBHOOK_TOKEN="bench-token-0123456789abcdef"

if [ ! -s "$OUT/sample.csv" ]; then
    echo "== sample: $ROWS rows ($MIX)" >&2
    "$BIN" sample --rows "$ROWS" --mix "$MIX" --out "$OUT/sample.csv"
fi
# The run appends to the sheet: it starts from the sample each time.
cp "$OUT/sample.csv" "$OUT/sheet.csv"

# Prints the wall seconds of a command (its output goes to $OUT/last.out).
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" > "$OUT/last.out"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

if [ -z "${PAGES_ONLY:-}" ]; then
    echo "== first review (import and filing)" >&2
    # The review's steps, time-stamped on standard error: the import is timed on its own.
    first=$(RUST_LOG=supportops_app=debug seconds "$BIN" review --format json 2> "$OUT/first.log")
    issues=$(python3 -c "import json,sys; d=json.load(open('$OUT/last.out')); print(d['imported']['inserted'], len(d['actions']))")
    import_s=$(python3 - "$OUT/first.log" <<'PY'
import datetime, re, sys
at = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+Z)\s+DEBUG (importing|imported|filing|filed)\b", line)
    if m:
        at[m.group(2)] = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
print((at["imported"] - at["importing"]).total_seconds(),
      (at["filed"] - at["filing"]).total_seconds() if "filed" in at else 0)
PY
)
    echo "== rerun with nothing new" >&2
    rerun=$(seconds "$BIN" review --format json)
    again=$(python3 -c "import json; d=json.load(open('$OUT/last.out')); i=d['imported']; print(i['inserted'], i['updated'], len(d['actions']))")

    echo "== rerun after $GROW new rows" >&2
    "$BIN" sample --rows "$GROW" --mix "$MIX" --seed 7 | tail -n +2 >> "$OUT/sheet.csv"
    grown=$(seconds "$BIN" review --format json)
    grew=$(python3 -c "import json; d=json.load(open('$OUT/last.out')); i=d['imported']; print(i['inserted'], i['updated'], len(d['actions']))")
else
    echo "== migrating the kept store" >&2
    "$BIN" store check > /dev/null
fi

echo "== serve" >&2
"$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break
    sleep 0.2
done

echo
echo "scale benchmark: $ROWS responses ($MIX), store $STORE_URL"
echo "machine: $(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%d)"
if [ -z "${PAGES_ONLY:-}" ]; then
    read -r inserted filed <<< "$issues"
    read -r imported filing <<< "$import_s"
    printf 'first review: %.1f s for %s responses, %s issues filed\n' "$first" "$inserted" "$filed"
    printf '  of which import: %.1f s (%.0f rows/s); filing: %.1f s (%.1f ms an issue)\n' \
        "$imported" "$(echo "$inserted / $imported" | bc -l)" "$filing" \
        "$(echo "$filing * 1000 / $filed" | bc -l)"
    read -r ins upd acts <<< "$again"
    printf 'rerun with nothing new: %.2f s (%s inserted, %s updated, %s filed)\n' "$rerun" "$ins" "$upd" "$acts"
    read -r ins upd acts <<< "$grew"
    printf 'rerun after %s new rows: %.2f s (%s inserted, %s updated, %s filed)\n' "$GROW" "$grown" "$ins" "$upd" "$acts"
fi
for path in / "/responses?band=red&page=500" "/reviews?page=50" /api/v1/summary; do
    python3 bench/scale_load.py get "127.0.0.1:$PORT" "$path" "$REQUESTS"
done
python3 bench/scale_load.py webhook "127.0.0.1:$PORT" "$SUPPORTOPS_WEBHOOK_TOKEN" "$SENDERS" "$DELIVERIES"
echo "serve peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$SERVE/status)"

# Rows of a table, from `store check`.
rows_of() {
    "$BIN" store check --format json |
        python3 -c "import json,sys; print(next(t['rows'] for t in json.load(sys.stdin)['tables'] if t['table'] == '$1'))"
}

if [[ "$STORE_URL" == postgres* && "$REPLICAS" -gt 1 ]]; then
    kill "$SERVE"
    wait "$SERVE" 2>/dev/null || true
    before=$(rows_of responses)
    pids=()
    addrs=()
    for n in $(seq 1 "$REPLICAS"); do
        p=$((PORT + n))
        "$BIN" serve --addr "127.0.0.1:$p" > "$OUT/replica-$n.log" 2>&1 &
        pids+=($!)
        addrs+=("127.0.0.1:$p")
    done
    trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
    for a in "${addrs[@]}"; do
        for _ in $(seq 1 300); do
            curl -fs "http://$a/healthz" > /dev/null && break
            sleep 0.2
        done
    done
    list=$(IFS=,; echo "${addrs[*]}")
    python3 bench/scale_load.py webhook "$list" "$SUPPORTOPS_WEBHOOK_TOKEN" "$SENDERS" "$DELIVERIES" r > "$OUT/replicas.out" &
    load=$!
    sleep "$KILL_AFTER"
    kill -KILL "${pids[0]}"
    wait "$load"
    head -n 1 "$OUT/replicas.out"
    echo "(replica 1 of $REPLICAS killed with SIGKILL ${KILL_AFTER} s into the run)"
    acknowledged=$(awk '/^acknowledged:/ {print $2}' "$OUT/replicas.out")
    for _ in $(seq 1 180); do
        [ "$(rows_of intake_queue)" = 0 ] && break
        sleep 1
    done
    after=$(rows_of responses)
    dupes=$(psql -X -A -t "$STORE_URL" -c \
        "SELECT COUNT(*) FROM (SELECT subject FROM review_issues GROUP BY subject HAVING COUNT(*) > 1) d")
    echo "replicas: acknowledged $acknowledged, stored $((after - before)), queue left $(rows_of intake_queue), subjects with two review issues: $dupes"
fi
