# The two commands in the README: `make run` and `make test`. Each sets up what it needs first.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
STATIC := portal/web/static/build

.PHONY: run test setup lint system-packages

# `make run PORT=8080` (or HOST=0.0.0.0) to serve elsewhere.
PORT ?= 8000
HOST ?= 127.0.0.1

run: setup
	$(BIN)/portal serve --demo --host $(HOST) --port $(PORT)

test: setup system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	scripts/test-suites

setup: $(VENV)/.installed $(STATIC)/app.css

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC)/app.css: frontend/node_modules/.installed $(wildcard frontend/src/*) frontend/build.mjs
	cd frontend && npm run --silent build

# PostgreSQL and Chromium for the tests, from Debian's packages.
system-packages:
	scripts/system-packages
