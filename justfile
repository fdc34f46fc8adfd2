# Switchboard's tasks. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Prefer the project's virtualenv when it exists, so `.venv/bin/just check` finds its tools.
export PATH := justfile_directory() / ".venv" / "bin" + ":" + env_var("PATH")

python := env_var_or_default("PYTHON", "python3")

# List the recipes.
default:
    @just --list

# Create .venv and install Switchboard with its development tools.
setup:
    {{ python }} -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e '.[dev]'

# Everything CI checks: lint, format, types, import contracts, tests.
check: lint typecheck contracts test

# Ruff's lint rules and formatting, without changing files.
lint:
    ruff check .
    ruff format --check .

# Apply ruff's fixes and formatting.
fmt:
    ruff check --fix .
    ruff format .

# mypy --strict over every package (configured in pyproject.toml).
typecheck:
    mypy

# The dependency rule, checked by import-linter (contracts in pyproject.toml).
contracts:
    lint-imports

# The test suite; extra arguments go to pytest (e.g. `just test -k routing`).
test *args:
    pytest {{ args }}

# Start the gateway on the embedded defaults: a SQLite file, a generated passphrase, an admin key.
serve *args:
    #!/usr/bin/env bash
    set -euo pipefail
    umask 077  # the passphrase and key files below are readable by their owner only
    state=.switchboard
    mkdir -p "$state"
    if [ -z "${SWITCHBOARD_KEK_PASSPHRASE:-}" ]; then
        if [ ! -s "$state/kek-passphrase" ]; then
            python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$state/kek-passphrase"
            echo "Generated a KEK passphrase in $state/kek-passphrase (mode 0600): it unlocks every stored secret." >&2
        fi
        SWITCHBOARD_KEK_PASSPHRASE=$(cat "$state/kek-passphrase")
        export SWITCHBOARD_KEK_PASSPHRASE
    fi
    switchboard db upgrade
    admins=$(switchboard keys list --json --max-results 1000 | python3 -c \
        'import json, sys; print(sum(k["role"] == "admin" and not k["revoked"] for k in json.load(sys.stdin)["keys"]))')
    if [ ! -s "$state/admin-key" ] || [ "$admins" = 0 ]; then
        switchboard keys create --name admin --role admin --json \
            | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])' > "$state/admin-key"
        echo "Created an admin key in $state/admin-key (mode 0600)." >&2
    fi
    # A ready demo endpoint on the built-in deterministic `mock` provider (no real key needed).
    if ! switchboard endpoints list --name demo --json | python3 -c \
        'import json, sys; sys.exit(0 if any(e["name"] == "demo" for e in json.load(sys.stdin)["endpoints"]) else 1)'; then
        model=$(switchboard models create --name demo-mock --provider mock --model-name mock-1 --json \
            | python3 -c 'import json, sys; print(json.load(sys.stdin)["model_definition_id"])')
        switchboard endpoints create --name demo --primary "$model" > /dev/null
        echo "Created the endpoint 'demo' on the built-in mock provider." >&2
    fi
    key=$(cat "$state/admin-key")
    echo "Admin key: $key" >&2
    echo "Try it:" >&2
    echo "  curl http://127.0.0.1:8080/v1/chat/completions -H \"Authorization: Bearer $key\" -H 'Content-Type: application/json' -d '{\"model\": \"demo\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'" >&2
    echo "Admin API: curl -H \"Authorization: Bearer $key\" http://127.0.0.1:8080/api/v1/endpoints" >&2
    exec switchboard serve {{ args }}

# Benchmark with ../shared/bench: one worker pinned to CPU 1, auth, limits and usage on; prints one table.
bench:
    bash bench/run.sh
