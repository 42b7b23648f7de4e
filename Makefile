# AssetLife: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SIZE ?= medium
# `make run PORT=8001` serves on another port; `make run DEMO_SERVERS=10000` loads a bigger demo fleet.
PORT ?= 8000
DEMO_SERVERS ?= 2000
export PORT DEMO_SERVERS

.PHONY: run test lint format bench venv deps dev-deps migrate clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt $(VENV)/.deps
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/bin/activate
deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

migrate: deps
	$(PY) manage.py migrate --no-input

## run: install, migrate, load the demo fleet, print the admin login, start web + worker + beat
run: migrate
	$(PY) manage.py bootstrap
	$(VENV)/bin/honcho start -f Procfile -p $(PORT)

## test: the whole suite (SQLite unless DATABASE_URL points elsewhere)
test: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: the fleet-scale benchmarks (PostgreSQL); SIZE=small|medium|full, BENCH_ARGS=--docs rewrites docs/performance.md
bench: dev-deps
	$(PY) -m bench --size $(SIZE) $(BENCH_ARGS)

clean:
	rm -rf var/celery var/outbox
