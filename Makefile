# Netra — the documented entry points. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := netra.settings

.PHONY: run test lint format e2e bench setup sysdeps lock clean demo worker prod-check faults scale-check

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Netra needs $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

sysdeps:  ## Debian packages: WeasyPrint's Pango, chromium for browser tests (installed when root)
	@scripts/sysdeps.sh

setup: sysdeps $(VENV)/.installed  ## venv, translations, migrations, reference data
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference

demo: setup
	$(PY) manage.py load_demo

run: demo  ## set up and serve on http://127.0.0.1:$(PORT) (SQLite by default)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Netra: http://127.0.0.1:$(PORT)/  (staff: /staf/, admin: /admin/, API docs: /api/v1/docs)"
	PY=$(PY) PORT=$(PORT) scripts/serve.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	NETRA_ENV=test $(VENV)/bin/mypy netra
	$(VENV)/bin/djhtml --check $$(git ls-files '*.html' 2>/dev/null || find netra -name '*.html')
	NETRA_ENV=test $(PY) manage.py makemigrations --check --dry-run
	NETRA_ENV=test $(PY) manage.py check

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml $$(git ls-files '*.html')

test: setup lint  ## lint + the whole suite (browser journeys included)
	NETRA_ENV=test $(VENV)/bin/pytest $(PYTEST_ARGS)

e2e: setup  ## only the browser journeys
	NETRA_ENV=test $(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

bench: setup  ## benchmarks: print figures, never part of the suite
	$(PY) bench/audit.py
	$(PY) bench/intake.py
	@case "$$DATABASE_URL" in postgres*) $(PY) bench/api.py;; *) echo "bench/api.py runs on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra make bench";; esac

lock:  ## re-resolve requirements*.in into the pinned requirements*.txt
	rm -rf /tmp/netra-lock && $(PYTHON) -m venv /tmp/netra-lock
	/tmp/netra-lock/bin/pip install --quiet -r requirements.in
	/tmp/netra-lock/bin/pip freeze --exclude pip > requirements.txt
	/tmp/netra-lock/bin/pip install --quiet -r requirements-dev.in -c requirements.txt
	/tmp/netra-lock/bin/pip freeze --exclude pip | grep -vxFf requirements.txt > requirements-dev.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache

prod-check: setup  ## the production stack on this machine (PostgreSQL, Redis, S3, gunicorn, nginx, worker, scheduler) + a smoke test through the proxy
	PY=$(PY) scripts/prod_check.sh

faults: setup  ## kill -9 app worker, scheduler, task worker; stop PostgreSQL, Redis under load; per kind sent/acknowledged/found/lost (FAULTS=worker,app,redis: only those)
	PY=$(PY) $(PY) scripts/faults.py $(if $(FAULTS),--only $(FAULTS))

scale-check: setup  ## two gunicorns, two task workers, two webhook deliverers on one PostgreSQL and Redis under load: nothing twice, webhooks in order, audit chain, shared rate limits
	PY=$(PY) $(PY) scripts/scale_check.py
