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

# Start the gateway on the embedded defaults (SQLite file, generated passphrase, admin key).
serve *args:
    switchboard serve {{ args }}

# Run the command-line demo on the embedded defaults.
demo *args:
    switchboard demo {{ args }}
