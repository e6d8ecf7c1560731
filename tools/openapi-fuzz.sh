#!/usr/bin/env bash
# Fuzzes the native API against its own OpenAPI document with schemathesis: starts the debug
# `rolodex` binary on a scratch SQLite database and a free loopback port, runs every check on
# every operation with a bounded number of examples, and fails on any failure.
#
#   python3 -m venv .venv && .venv/bin/pip install -r tools/openapi-fuzz/requirements.txt
#   cargo build -p rolodex && SCHEMATHESIS=.venv/bin/schemathesis tools/openapi-fuzz.sh
#
# Settings: tools/openapi-fuzz/schemathesis.toml (checks) and hooks.py (authentication).
# ROLODEX_BIN picks the binary (default target/debug/rolodex), FUZZ_MAX_EXAMPLES the examples
# per operation and phase (default 25), FUZZ_SEED a seed to replay a run.
set -euo pipefail
cd "$(dirname "$0")/.."

schemathesis=${SCHEMATHESIS:-schemathesis}
case $schemathesis in */*) schemathesis=$(realpath "$schemathesis") ;; esac
bin=${ROLODEX_BIN:-target/debug/rolodex}
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
ROLODEX_ADMIN_PASSWORD=$password RUST_LOG=${RUST_LOG:-warn} "$bin" serve \
    --listen 127.0.0.1:0 --database "sqlite://$work/rolodex.db" --media-dir "$work/media" \
    >"$work/server.log" 2>&1 &
server=$!

url=
for _ in $(seq 300); do
    url=$(sed -n 's/^Rolodex is listening on \(http:[^ ]*\).*/\1/p' "$work/server.log")
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

seed=()
if [ -n "${FUZZ_SEED:-}" ]; then
    seed=(--seed "$FUZZ_SEED")
fi
settings=$PWD/tools/openapi-fuzz
status=0
# From the scratch folder, where schemathesis keeps its cache.
(cd "$work" && ROLODEX_FUZZ_URL=$url ROLODEX_FUZZ_USER=admin ROLODEX_FUZZ_PASSWORD=$password \
    SCHEMATHESIS_HOOKS=hooks PYTHONPATH=$settings \
    "$schemathesis" --config-file "$settings/schemathesis.toml" run "$url/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${FUZZ_MAX_EXAMPLES:-25}" \
    --generation-database none \
    --workers 1 \
    --no-color \
    "${seed[@]}") || status=$?

if [ "$status" -ne 0 ] && grep -q . "$work/server.log"; then
    echo "== server log" >&2
    tail -n 50 "$work/server.log" >&2
fi
exit "$status"
