# civictrust: `make run` to try it, `make test` to test it. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Old sdists (XStatic-Bootstrap) still build with pkg_resources, which newer setuptools dropped.
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check --build-constraint build-constraints.txt

.PHONY: run test install install-dev messages migrate lint bench bench-quick audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --upgrade "pip>=25.3"

$(VENV)/.installed: requirements.txt build-constraints.txt | $(BIN)/python
	$(PIP_INSTALL) --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PIP_INSTALL) --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed messages

install-dev: $(VENV)/.dev-installed messages

# Compiled with Babel, so a fresh clone needs no gettext tools to show Spanish.
messages: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -D django -d locale 2>&1 | tail -n 2

run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_briefing
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	SECRET_KEY="$${SECRET_KEY:-test-only-secret-key-not-for-production}" $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
