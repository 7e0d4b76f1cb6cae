# civictrust: `make run` to try it, `make test` to test it. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Old sdists (XStatic-Bootstrap) still build with pkg_resources, which newer setuptools dropped.
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check --build-constraint build-constraints.txt

.PHONY: run test install install-dev messages migrate lint lock bench bench-quick bench-scale bench-tools audit audit-pages \
	audit-tools clean demo-data staff superuser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --upgrade "pip>=25.3"

$(VENV)/.installed: requirements.txt build-constraints.txt | $(BIN)/python
	$(PIP_INSTALL) --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PIP_INSTALL) --quiet --require-hashes -r requirements-dev.txt
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

# README's examples, on a fresh clone after `make run`: development settings (DEBUG on, SQLite unless DATABASE_URL).
MANAGE := DEBUG=$${DEBUG:-true} $(BIN)/python manage.py
DEMO_ARGS ?= --concerns 5000 --endorsements 50000 --seed 1

# `make demo-data` (or `make demo-data DEMO_ARGS="--concerns 100 --endorsements 1000"`): synthetic rows to look at.
demo-data: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_briefing
	$(MANAGE) generate_demo_data $(DEMO_ARGS)

# `make staff STAFF=alice ROLE=advocate EMAIL=alice@example.org`: a staff account in a role (asks for the password).
staff: install
	@[ -n "$(STAFF)" ] && [ -n "$(ROLE)" ] || { echo "Usage: make staff STAFF=alice ROLE=advocate|organizer [EMAIL=...]" >&2; exit 2; }
	$(MANAGE) createstaff "$(STAFF)" --role "$(ROLE)" $(if $(EMAIL),--email "$(EMAIL)")

# `make superuser`: an administrator who can do everything in the admin (asks for name, email and password).
superuser: install
	$(MANAGE) createsuperuser

test: install-dev
	SECRET_KEY="$${SECRET_KEY:-test-only-secret-key-not-for-production}" $(BIN)/pytest $(PYTEST_ARGS)

# Re-pin after editing requirements.in or requirements-dev.in: every package with its hashes.
# pip-tools lives in its own .lock-venv so the project's environment holds exactly the lock.
lock:
	[ -x .lock-venv/bin/pip-compile ] || ($(PYTHON) -m venv .lock-venv \
	  && .lock-venv/bin/pip install --disable-pip-version-check --quiet "pip>=25.3" pip-tools==7.6.2)
	PIP_BUILD_CONSTRAINT=build-constraints.txt .lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	PIP_BUILD_CONSTRAINT=build-constraints.txt .lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

# `make audit`: every pinned package against the advisory database. It needs the internet, so it is not part of CI.
# It fails on a known vulnerability, and also when any package could not be audited (pip-audit's "skipped") or
# when pip-audit wrote no report at all: an audit that checked nothing must never look like a pass.
define AUDIT_CHECK
import json, sys
dependencies = json.load(open(sys.argv[1]))["dependencies"]
skipped = [d for d in dependencies if d.get("skip_reason")]
vulnerable = [d for d in dependencies if d.get("vulns")]
for d in skipped:
    print(f"NOT AUDITED: {d['name']} {d.get('version', '')}: {d['skip_reason']}")
for d in vulnerable:
    print(f"VULNERABLE: {d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}")
print(f"{len(dependencies) - len(skipped)} packages audited, {len(skipped)} not audited, {len(vulnerable)} vulnerable.")
sys.exit(1 if skipped or vulnerable or sys.argv[2] != "0" or not dependencies else 0)
endef
export AUDIT_CHECK

audit: install
	@$(BIN)/pip-audit --version >/dev/null 2>&1 || $(PIP_INSTALL) --quiet pip-audit==2.10.1
	@report=$$(mktemp); status=0; \
	  $(BIN)/pip-audit --requirement requirements.txt --format json --output $$report --progress-spinner off \
	    || status=$$?; \
	  if [ ! -s $$report ]; then echo "pip-audit wrote no report (exit $$status): nothing was audited." >&2; \
	    rm -f $$report; exit 1; fi; \
	  $(BIN)/python -c "$$AUDIT_CHECK" $$report $$status; check=$$?; rm -f $$report; exit $$check

# Benchmarks need PostgreSQL (DATABASE_URL) and load tools; they are never part of `make test`.
bench-tools:
	@command -v wrk >/dev/null && command -v psql >/dev/null && [ -x /usr/bin/time ] \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk time postgresql-client)

bench: install-dev bench-tools
	$(BIN)/python tests/benchmarks/bench.py

bench-quick: install-dev bench-tools
	$(BIN)/python tests/benchmarks/bench.py --quick

# `make bench-scale`: issue 16's figures at ten million endorsements (BENCHMARKS.md, "Ten million endorsements");
# `make bench-scale BENCH_SCALE_ARGS="--endorsements 100000"` to try it small. Database civictrust_bench16, Redis db 9.
BENCH_SCALE_ARGS ?=
bench-scale: install-dev bench-tools
	$(BIN)/python tests/benchmarks/scale.py $(BENCH_SCALE_ARGS)

# `make audit-pages`: Lighthouse (mobile) and the Nu HTML checker on the public pages in every language, against the
# app run as production runs it (BENCHMARKS.md, "Page audits"). Slow and machine-bound, so never part of CI.
# The npm tools come from package-lock.json exactly; --ignore-scripts because vnu-jar's install script would
# download a Java runtime, and the checker runs on Debian's (default-jre-headless) instead.
CHROME_PATH ?= /usr/bin/chromium
AUDIT_ARGS ?=

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install npm" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

audit-tools: node_modules/.installed
	@command -v java >/dev/null || { echo "java is missing: apt-get install default-jre-headless" >&2; exit 1; }
	@[ -x "$(CHROME_PATH)" ] || { echo "$(CHROME_PATH) is missing: apt-get install chromium (or set CHROME_PATH)" >&2; exit 1; }

audit-pages: install audit-tools
	CHROME_PATH=$(CHROME_PATH) $(BIN)/python tests/benchmarks/page_audits.py $(AUDIT_ARGS)
