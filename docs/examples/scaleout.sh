#!/usr/bin/env bash
# Switchboard scaled out on one machine (docs/deploy.md): a private PostgreSQL and Redis on
# loopback, then two `switchboard serve` instances of two workers each sharing them, with a demo
# endpoint on the built-in `mock` provider limited to 60 calls per minute across both instances.
#
#   docs/examples/scaleout.sh           # start everything, print how to call it, stop on Ctrl-C
#   docs/examples/scaleout.sh --smoke   # start everything, send a few requests, stop
#
# Needs PostgreSQL's server binaries (Debian: postgresql), redis-server, and switchboard (the
# repository's .venv is used when present). PostgreSQL runs as the `postgres` user (this script
# uses runuser as root, sudo otherwise), in its own cluster under a temporary directory, on free
# ports; nothing outside that directory is touched, and everything is stopped and removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SMOKE=0
case "${1:-}" in
    --smoke) SMOKE=1 ;;
    "") ;;
    *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
esac

if [ -x "$ROOT/.venv/bin/switchboard" ]; then
    PATH="$ROOT/.venv/bin:$PATH"
fi
command -v switchboard >/dev/null || { echo "switchboard is not installed (just setup)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }

# The CLI below works on this script's database, never on a server a shell variable points at;
# and each instance makes its own metrics directory (a shared one would be emptied by the other).
unset SWITCHBOARD_URL SWITCHBOARD_API_KEY PROMETHEUS_MULTIPROC_DIR

log() { printf '== %s\n' "$*" >&2; }

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"
    elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
    else sudo -u postgres "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until GET $1 answers 200 (a server's /ready), or fails after $2 seconds.
wait_for() {
    python3 - "$1" "$2" <<'EOF'
import sys, time, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(f"{url} did not answer 200 in time")
EOF
}

WORK=""
PG_CTL=""
PGDATA=""
REDIS_PORT=""
SERVERS=()

stop_all() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    if [ "${#SERVERS[@]}" -gt 0 ]; then
        log "Stopping the instances"
        kill -TERM "${SERVERS[@]}" 2>/dev/null
        for pid in "${SERVERS[@]}"; do
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
        done
    fi
    if [ -n "$REDIS_PORT" ]; then
        log "Stopping Redis"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
    fi
    if [ -n "$PG_CTL" ] && [ -f "$PGDATA/postmaster.pid" ]; then
        log "Stopping PostgreSQL"
        as_postgres "$PG_CTL" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1
    fi
    if [ -n "$WORK" ]; then
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start_postgres() {
    local bindir port password
    bindir=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bindir" ]; then bindir=$(dirname "$(command -v initdb)"); fi
    PG_CTL="$bindir/pg_ctl"
    PGDATA="$WORK/postgres"
    port=$(free_port)
    log "Starting PostgreSQL on 127.0.0.1:$port"
    mkdir -p "$PGDATA"
    if [ "$(id -un)" != postgres ]; then
        if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGDATA"; else sudo chown postgres:postgres "$PGDATA"; fi
    fi
    chmod 0700 "$PGDATA"
    as_postgres "$bindir/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --no-sync >/dev/null
    as_postgres "$PG_CTL" -D "$PGDATA" -l "$PGDATA/server.log" -w start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PGDATA" >/dev/null
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    # Through stdin, so the password never shows in a process list.
    printf "CREATE ROLE switchboard LOGIN PASSWORD '%s';\nCREATE DATABASE switchboard OWNER switchboard;\n" \
        "$password" | as_postgres "$bindir/psql" -h "$PGDATA" -p "$port" -U postgres -v ON_ERROR_STOP=1 -q
    export SWITCHBOARD_DATABASE_URL="postgresql://switchboard:$password@127.0.0.1:$port/switchboard"
}

start_redis() {
    REDIS_PORT=$(free_port)
    log "Starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
        --dir "$WORK" --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
    for _ in $(seq 50); do
        if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
            export SWITCHBOARD_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
            return
        fi
        sleep 0.1
    done
    echo "redis-server did not answer on port $REDIS_PORT" >&2
    return 1
}

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)[\"$1\"])"; }

configure() {
    log "Migrating the database and creating the demo endpoint"
    switchboard db upgrade >&2
    ADMIN_KEY=$(switchboard keys create --name admin --role admin --json | json_field key)
    USER_KEY=$(switchboard keys create --name demo-app --role user --json | json_field key)
    switchboard models create --name demo-mock --provider mock --model-name mock-1 >/dev/null
    ENDPOINT_ID=$(switchboard endpoints create --name demo --primary demo-mock --json | json_field endpoint_id)
    switchboard limits set "$ENDPOINT_ID" --rule minute:60 >/dev/null
}

start_instance() {
    local port=$1 name=$2
    switchboard serve --host 127.0.0.1 --port "$port" --workers 2 >"$WORK/$name.log" 2>&1 &
    SERVERS+=("$!")
}

# POSTs one chat call to $1 with the user key; prints "status model-definition".
chat() {
    python3 - "$1" <<'EOF'
import json, os, sys, urllib.error, urllib.request
request = urllib.request.Request(
    sys.argv[1] + "/v1/chat/completions",
    data=json.dumps({"model": "demo", "messages": [{"role": "user", "content": "hello"}]}).encode(),
    headers={"authorization": "Bearer " + os.environ["USER_KEY"], "content-type": "application/json"},
)
try:
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = json.load(answer)
        print(answer.status, answer.headers["x-switchboard-model-definition"], body["choices"][0]["message"]["content"])
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
    sys.exit(1)
EOF
}

smoke() {
    log "Smoke test: four calls, alternating between the instances"
    local i url
    for i in 1 2 3 4; do
        url=$([ $((i % 2)) -eq 1 ] && echo "$URL_A" || echo "$URL_B")
        printf '%s -> ' "$url"
        USER_KEY=$USER_KEY chat "$url"
    done
    log "The limit, read through the other instance"
    python3 - "$URL_B/api/v1/endpoints/$ENDPOINT_ID/limits" <<'EOF'
import os, sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"authorization": "Bearer " + os.environ["ADMIN_KEY"]})
with urllib.request.urlopen(request, timeout=10) as answer:
    print(answer.read().decode())
EOF
}

main() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-scaleout.XXXXXX")
    chmod 0755 "$WORK"  # the postgres user must reach its data directory inside
    start_postgres
    start_redis
    # Every process of a deployment gets the same passphrase; here a random one for this run.
    SWITCHBOARD_KEK_PASSPHRASE=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
    export SWITCHBOARD_KEK_PASSPHRASE
    export SWITCHBOARD_LOG_LEVEL=${SWITCHBOARD_LOG_LEVEL:-WARNING}
    configure
    local port_a port_b
    port_a=$(free_port)
    port_b=$(free_port)
    URL_A="http://127.0.0.1:$port_a"
    URL_B="http://127.0.0.1:$port_b"
    log "Starting two instances of two workers: $URL_A and $URL_B"
    start_instance "$port_a" instance-a
    start_instance "$port_b" instance-b
    wait_for "$URL_A/ready" 120 || { cat "$WORK/instance-a.log" >&2; return 1; }
    wait_for "$URL_B/ready" 120 || { cat "$WORK/instance-b.log" >&2; return 1; }
    export ADMIN_KEY USER_KEY
    if [ "$SMOKE" -eq 1 ]; then
        smoke
        log "Smoke test passed; tearing down"
        return 0
    fi
    cat <<EOF

Two instances are serving, sharing PostgreSQL and Redis:
  instance a: $URL_A      instance b: $URL_B
  logs:       $WORK/instance-a.log, $WORK/instance-b.log

Call the demo endpoint (mock provider, 60 calls per minute shared by both instances):
  curl -s $URL_A/v1/chat/completions -H 'authorization: Bearer $USER_KEY' \\
       -H 'content-type: application/json' -d '{"model": "demo", "messages": [{"role": "user", "content": "hi"}]}'

Change the limit through one instance; the other enforces it within 2 seconds:
  curl -s -X PUT $URL_B/api/v1/endpoints/$ENDPOINT_ID/limits -H 'authorization: Bearer $ADMIN_KEY' \\
       -H 'content-type: application/json' -d '{"limits": [{"renewal_period": "minute", "calls": 5}]}'

Put nginx in front with the upstream block of docs/deploy.md (server 127.0.0.1:$port_a; server 127.0.0.1:$port_b;).
Press Ctrl-C to stop everything and delete $WORK.
EOF
    wait "${SERVERS[@]}"
}

main "$@"
