# Blockyard: `make run` starts the product on SQLite, `make test` runs every test.
# Both set themselves up: a virtualenv in .venv (uv, from uv.lock) and the front end.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
SYNCED := $(VENV)/.synced
FRONTEND_STAMP := blockyard/web/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package.json frontend/vite.config.ts -type f 2>/dev/null)
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup run test check format pytest frontend frontend-check frontend-test e2e chromium bench clean

$(SYNCED): pyproject.toml uv.lock
	@test -x $(UV) || (python3 -m venv $(VENV) && $(VENV)/bin/pip install -q uv==0.13.9)
	$(UV) sync --frozen --inexact --compile-bytecode
	@touch $@

setup: $(SYNCED)

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

$(FRONTEND_STAMP): frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: $(FRONTEND_STAMP)

run: setup frontend
	@$(PY) -m compileall -q blockyard  # start fast even where PYTHONDONTWRITEBYTECODE is set
	$(VENV)/bin/blockyard serve

format: setup
	$(VENV)/bin/ruff format blockyard tests benchmarks
	$(VENV)/bin/ruff check --fix blockyard tests benchmarks

check: setup frontend/node_modules/.installed
	$(VENV)/bin/ruff format --check blockyard tests benchmarks
	$(VENV)/bin/ruff check blockyard tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	cd frontend && npm run typecheck && npm run lint

chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

pytest: setup
	$(VENV)/bin/pytest -m "not e2e" $(PYTEST_ARGS)

frontend-test: frontend/node_modules/.installed
	cd frontend && npm test

e2e: setup frontend chromium
	$(VENV)/bin/pytest -m e2e tests/e2e $(PYTEST_ARGS)

test: check pytest frontend-test e2e

bench: setup
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) frontend/node_modules blockyard/web/assets $(FRONTEND_STAMP)
