# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
CHROMIUM ?= /usr/bin/chromium
# Parallel workers for the suite (2 cores here).
XDIST ?= -n 2

.PHONY: run test install install-test lint migrations-check test-sqlite test-postgres test-browser browser clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-test: requirements/base.txt requirements/test.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/test.txt
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-test: $(VENV)/.installed-test

## make run: install, migrate the embedded SQLite database, load the demo county once, serve;
## the background worker (tasks and periodic jobs) runs beside the server and stops with it (Ctrl-C).
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	@DEBUG=1 $(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## make test: lint, migrations check, the suite on SQLite and PostgreSQL, browser tests.
test: install-test lint migrations-check test-sqlite test-postgres test-browser

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

migrations-check: install-test
	DJANGO_SETTINGS_MODULE=xinfang.test_settings $(PY) manage.py makemigrations --check --dry-run

# Coverage is measured (a report, no gate); the total is printed last.
test-sqlite: install-test
	$(PY) -m pytest $(XDIST) -m "not browser" -q --cov=xinfang --cov-report=
	@$(VENV)/bin/coverage report --format=total | sed 's/^/Coverage (SQLite run): /; s/$$/%/'

# Runs when DATABASE_URL is set or a server answers on 127.0.0.1:5432;
# REQUIRE_POSTGRES=1 (CI) turns "no server" into a failure.
test-postgres: install-test
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if $(PY) -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
	    url="$(PG_URL)"; \
	  elif [ "$${REQUIRE_POSTGRES:-0}" = 1 ]; then echo "PostgreSQL required but nothing answers on 127.0.0.1:5432" >&2; exit 1; \
	  else echo "PostgreSQL not reachable: skipping the PostgreSQL run"; exit 0; fi; \
	fi; \
	echo "Running the suite on PostgreSQL"; \
	DATABASE_URL="$$url" $(PY) -m pytest $(XDIST) -m "not browser" -q

# Chromium, and a CJK font so that screenshots show Chinese rather than boxes.
browser:
	@if [ ! -x "$(CHROMIUM)" ] || ! fc-list 2>/dev/null | grep -qiE 'wqy|noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-wqy-microhei >/dev/null)); \
	  else echo "chromium is missing and we are not root: cannot install it" >&2; fi; \
	fi

test-browser: install-test browser
	@if [ ! -x "$(CHROMIUM)" ] && [ "$${REQUIRE_BROWSER:-0}" != 1 ]; then echo "No Chromium: skipping browser tests"; exit 0; fi; \
	CHROMIUM="$(CHROMIUM)" DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser -q e2e

clean:
	rm -rf var/xinfang.sqlite3* var/static
