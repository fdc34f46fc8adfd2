#!/usr/bin/env bash
# `just bench`: the shared harness's mock provider, one gateway worker pinned to CPU 1 with
# authentication, limit checks (in-process) and usage recording on, then the five scenarios.
# Prints one table and stops everything it started.
# Env: BENCH_HARNESS (default ../shared/bench), BENCH_SECONDS (30), WARMUP (5), BENCH_WORKERS (1),
#      GATEWAY_CPU (1; "0,1" with BENCH_WORKERS=2 for both cores), BENCH_PORT (18090).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${BENCH_HARNESS:-$ROOT/../shared/bench}
SECONDS_EACH=${BENCH_SECONDS:-30}
WORKERS=${BENCH_WORKERS:-1}
CPUS=${GATEWAY_CPU:-1}
PORT=${BENCH_PORT:-18090}
PY=${PYTHON:-$ROOT/.venv/bin/python}
SB=${SWITCHBOARD:-$ROOT/.venv/bin/switchboard}

[[ -d $HARNESS ]] || { echo "benchmark harness not found at $HARNESS (set BENCH_HARNESS)" >&2; exit 1; }
if ! command -v wrk >/dev/null || [[ ! -f /usr/lib/nginx/modules/ngx_http_js_module.so ]]; then
    echo "installing nginx, its njs module and wrk (Debian packages)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-js wrk >/dev/null
fi

WORK=$(mktemp -d /tmp/switchboard-bench.XXXXXX)
RESULTS=$WORK/results.jsonl
GW_PID=""
STARTED_UPSTREAM=0
cleanup() {
    [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
    [[ $STARTED_UPSTREAM == 1 ]] && "$HARNESS/upstream/stop" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! curl -fsS -o /dev/null http://127.0.0.1:18080/health 2>/dev/null; then
    "$HARNESS/upstream/start" >&2
    STARTED_UPSTREAM=1
fi
export SWITCHBOARD_DATABASE_URL="sqlite:///$WORK/bench.db"
export SWITCHBOARD_KEK_PASSPHRASE
SWITCHBOARD_KEK_PASSPHRASE=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
export SWITCHBOARD_LOG_LEVEL=${SWITCHBOARD_LOG_LEVEL:-WARNING}
"$SB" db upgrade >&2
KEY=$("$PY" "$ROOT/bench/setup_gateway.py")

taskset -c "$CPUS" "$SB" serve --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" || { cat "$WORK/gateway.log" >&2; exit 1; }

load() {  # load TARGET SCENARIO URL CONCURRENCY [stream] (extra env before the call)
    local target=$1 scenario=$2 url=$3 conc=$4 mode=${5:-}
    TARGET_NAME=$target SCENARIO=$scenario RESULTS_FILE=$RESULTS LABEL="$target $scenario" \
        "$HARNESS/run-load" "$url" "$conc" "$SECONDS_EACH" $mode | grep '^RESULT' >&2
}
GW=http://127.0.0.1:$PORT/v1/chat/completions
# The no-gateway baseline for added latency at concurrency 1.
load direct chat http://127.0.0.1:18080/v1/chat/completions 1
export GATEWAY_PID=$GW_PID BENCH_AUTH=$KEY
for c in 1 16 64; do BENCH_MODEL=bench-model load switchboard chat "$GW" "$c"; done
BENCH_MODEL=bench-slow load switchboard "chat +50ms" "$GW" 64
BENCH_MODEL=bench-model load switchboard stream "$GW" 16 stream

python3 "$HARNESS/report.py" "$RESULTS"
