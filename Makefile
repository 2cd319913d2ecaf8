# anxin — the two commands of the README's Quick start, plus helpers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell md5sum pyproject.toml | cut -c1-12)
# The pages' JavaScript libraries, from npm at set-up (served from this machine, never a CDN).
WEB := web/node_modules/.installed-$(shell md5sum web/package-lock.json | cut -c1-12)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

$(WEB): web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	rm -f web/node_modules/.installed-* && touch $(WEB)

## Run the main job on the embedded default (SQLite, no server); its files go to var/demo/.
demo: $(STAMP) $(WEB)
	$(BIN)/anxin demo --dir var/demo

## Run the whole test suite: installs deps, starts a throw-away PostgreSQL, lint, types, tests.
test: $(STAMP) $(WEB)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/anxin bench ingest

clean:
	rm -rf $(VENV) var/demo anxin.db anxin.db-wal anxin.db-shm .pytest_cache .mypy_cache .ruff_cache
