#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store's tests: `start` creates a cluster in a temporary
# directory (trust authentication, loopback and a unix socket only) and prints the URL to export
# as SUPPORTOPS_TEST_POSTGRES_URL; `stop` stops it and removes the directory.
#
#   eval "$(scripts/pg-throwaway.sh start)"   # exports SUPPORTOPS_TEST_POSTGRES_URL
#   cargo test -p supportops-store
#   scripts/pg-throwaway.sh stop
#
# PG_THROWAWAY_DIR (default /tmp/supportops-pg) and PG_THROWAWAY_PORT (default 5499) choose
# where and on which port. Run as root (as CI does), the server runs as the `postgres` user;
# PostgreSQL's binaries are installed with apt-get when `initdb` cannot be found.
set -euo pipefail

dir="${PG_THROWAWAY_DIR:-/tmp/supportops-pg}"
port="${PG_THROWAWAY_PORT:-5499}"

find_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$found" && -x "$found/initdb" ]]; then
        echo "$found"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

# Runs a command as the unprivileged user that owns the cluster.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin
    bin=$(find_bin)
    if [[ -z "$bin" ]]; then
        echo "pg-throwaway: installing PostgreSQL (initdb not found)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
        bin=$(find_bin)
    fi
    if [[ -z "$bin" ]]; then
        echo "pg-throwaway: no initdb after installing postgresql" >&2
        exit 1
    fi
    if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home postgres
    fi
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        echo "pg-throwaway: a server already runs in \`$dir\`; stop it first" >&2
        exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
        --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
        start >&2 || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "$bin" >"$dir/bin"
    echo "export SUPPORTOPS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
    [[ -d "$dir" ]] || return 0
    local bin
    bin=$(cat "$dir/bin" 2>/dev/null || find_bin)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
