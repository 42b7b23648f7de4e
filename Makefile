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

# pip, one line a package instead of a minute of silence (its errors still go to stderr).
PIP_PROGRESS := awk '/^(Collecting|Successfully installed)/ { print "      " $$0; fflush() }'
SAY := @printf '==> %s\n'
define SERVE
$(SAY) "Starting web (http://127.0.0.1:$(PORT)/admin/), workers and beat; Ctrl-C stops them all"
@$(PY) -m assetlife.run --port $(PORT)
endef

.PHONY: run serve test lint format bench venv deps dev-deps migrate clean

$(VENV)/bin/activate:
	$(SAY) "Creating the virtual environment $(VENV) ($(PYTHON))"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(VENV)/bin/activate
	$(SAY) "Installing requirements.txt into $(VENV) (about a minute the first time)"
	set -o pipefail; $(PIP) install --progress-bar off -r requirements.txt | $(PIP_PROGRESS)
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt $(VENV)/.deps
	$(SAY) "Installing requirements-dev.txt into $(VENV)"
	set -o pipefail; $(PIP) install --progress-bar off -r requirements-dev.txt | $(PIP_PROGRESS)
	touch $@

venv: $(VENV)/bin/activate
deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

migrate: deps
	$(SAY) "Migrating the database"
	$(PY) manage.py migrate --no-input

## run: install, migrate, load the demo fleet, print the admin login, start web + workers + beat
run: migrate
	$(SAY) "Demo fleet, admin login and API token"
	$(PY) manage.py bootstrap
	$(SERVE)

## serve: start web + workers + beat (the Procfile, through honcho); Ctrl-C stops them all, exit status 0
serve:
	$(SERVE)

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
