#!/usr/bin/env bash
# The whole test suite, on SQLite and on a real PostgreSQL. Called by `make test` (and CI).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export ANXIN_TEST_PG_URL=${ANXIN_TEST_PG_URL:-$(bash scripts/postgres.sh)}
echo "PostgreSQL for tests: $ANXIN_TEST_PG_URL"
$BIN/ruff check src tests
$BIN/ruff format --check src tests
$BIN/mypy
$BIN/pytest -n 2 -q "$@"
