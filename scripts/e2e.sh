#!/usr/bin/env bash
# End-to-end test of the web dashboard in a real headless browser (Debian's chromium).
#
# Builds the binary, starts `supportops serve --demo` on a free loopback port, loads every page
# in headless Chromium, checks the key numbers on each page against the JSON API, sends a
# response through the webhook and finds it (escaped) on the Responses page, and saves a
# screenshot of the Overview to docs/screenshot.png.
#
# Usage: scripts/e2e.sh            (SUPPORTOPS_BIN=path/to/supportops to skip the build)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v chromium >/dev/null 2>&1; then
    echo "e2e: installing Debian's chromium and chromium-driver"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "e2e: chromium is missing; install it with: sudo apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi
command -v python3 >/dev/null 2>&1 || { echo "e2e: python3 is needed" >&2; exit 1; }

bin="${SUPPORTOPS_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --quiet --bin supportops
    bin="$root/target/debug/supportops"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="e2e-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
SUPPORTOPS_WEBHOOK_TOKEN="$token" "$bin" serve --demo --addr "127.0.0.1:$port" --data-dir "$work/demo" \
    >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!

python3 "$root/scripts/e2e_check.py" \
    --base "http://127.0.0.1:$port" \
    --token "$token" \
    --work "$work" \
    --screenshot "$root/docs/screenshot.png" \
    || { echo "e2e: server log:" >&2; tail -n 30 "$work/serve.log" >&2; exit 1; }

# Graceful shutdown: SIGTERM lets requests in flight finish, then the process exits 0.
kill -TERM "$server_pid"
if ! wait "$server_pid"; then
    echo "e2e: the server did not stop cleanly on SIGTERM" >&2
    tail -n 30 "$work/serve.log" >&2
    exit 1
fi
server_pid=""
grep -q "served" "$work/serve.log" || { echo "e2e: no request was logged" >&2; exit 1; }
echo "e2e: ok"
