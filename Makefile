# The two commands of the README contract: `make run` (main job) and `make test` (test suite).
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# openapi-python-client runs in its own environment: it requires typer<0.28, the CLI pins 0.29.1
# (openapi/client-generator.txt pins it and every package it pulls).
GENERATOR := $(VENV)/openapi-generator
GENERATOR_STAMP := $(GENERATOR)/.installed-stamp

.PHONY: run test test-all lint openapi client bench constraints clean

$(STAMP): pyproject.toml constraints.txt openapi/client/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install -qq --no-deps -e openapi/client
	@touch $(STAMP)

$(GENERATOR_STAMP): openapi/client-generator.txt
	@test -x $(GENERATOR)/bin/python || $(PYTHON) -m venv $(GENERATOR)
	$(GENERATOR)/bin/python -m pip install -qq -r openapi/client-generator.txt
	@touch $(GENERATOR_STAMP)

## run: install, bootstrap the embedded default and serve on 127.0.0.1 (Ctrl-C stops)
run: $(STAMP)
	$(BIN)/mammocad serve

## test: lint, then the fast test suite (slow tests: make test-all)
test: $(STAMP) $(GENERATOR_STAMP) lint
	$(BIN)/pytest

test-all: $(STAMP) $(GENERATOR_STAMP) lint
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

## client: regenerate the Python client (openapi/client, package mammocad_client) from the
## committed spec, after `make openapi`; its warnings about the raw image/* and application/dicom
## bodies are expected (the client sends application/octet-stream or multipart)
client: $(GENERATOR_STAMP)
	rm -rf openapi/client
	PATH="$(CURDIR)/$(GENERATOR)/bin:$$PATH" $(GENERATOR)/bin/openapi-python-client generate \
		--path openapi/openapi.json --config openapi/client-config.yaml --meta poetry \
		--custom-template-path openapi/client-templates --output-path openapi/client

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
