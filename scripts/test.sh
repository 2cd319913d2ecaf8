#!/usr/bin/env bash
# The whole test suite, on SQLite and on a real PostgreSQL. Called by `make test` (and CI).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Spark (the score's cross-engine test) needs a Java runtime: Debian's, if the machine lacks one.
# The pages' browser tests drive Debian's Chromium, with CJK fonts for the Chinese pages.
SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
NEED=()
command -v java >/dev/null 2>&1 || NEED+=(openjdk-17-jre-headless)
[ -x /usr/bin/chromium ] || NEED+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || NEED+=(fonts-noto-cjk)
if [ ${#NEED[@]} -gt 0 ]; then
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${NEED[@]}" >/dev/null
fi
export SPARK_LOCAL_IP=127.0.0.1
export ANXIN_TEST_PG_URL=${ANXIN_TEST_PG_URL:-$(bash scripts/postgres.sh)}
echo "PostgreSQL for tests: $ANXIN_TEST_PG_URL"
$BIN/ruff check src tests
$BIN/ruff format --check src tests
$BIN/mypy
$BIN/pytest -n 2 -q "$@"
