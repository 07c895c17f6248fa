# The two commands of the README contract: `make run` (main job) and `make test` (test suite).
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-all lint openapi bench constraints clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

## run: install, bootstrap the embedded default and serve on 127.0.0.1 (Ctrl-C stops)
run: $(STAMP)
	$(BIN)/mammocad serve

## test: lint, then the fast test suite (slow tests: make test-all)
test: $(STAMP) lint
	$(BIN)/pytest

test-all: $(STAMP) lint
	$(BIN)/pytest -m ''

## lint: ruff (lint + format), mypy (strict on api/, registry/, mammocad/), the OpenAPI drift check
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mammocad openapi --check

## openapi: regenerate the committed OpenAPI spec after an API change
openapi: $(STAMP)
	$(BIN)/mammocad openapi

## bench: ingest, serving and explanation timings on the real samples (needs ../shared/datasets; serving
## needs the demo models `make run` bootstraps)
bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/serving_bench.py
	$(BIN)/python bench/explain_bench.py

## constraints: re-pin every installed package after changing pyproject.toml's dependencies
constraints: $(STAMP)
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > constraints.tmp
	mv constraints.tmp constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
