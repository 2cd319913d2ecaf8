# anxin — the two commands of the README's Quick start, plus helpers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell md5sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## Run the main job on the embedded default (SQLite, no server); its files go to var/demo/.
demo: $(STAMP)
	$(BIN)/anxin demo --dir var/demo

## Run the whole test suite: installs deps, starts a throw-away PostgreSQL, lint, types, tests.
test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/anxin bench ingest

clean:
	rm -rf $(VENV) var/demo anxin.db anxin.db-wal anxin.db-shm .pytest_cache .mypy_cache .ruff_cache
