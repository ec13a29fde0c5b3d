# ejournal — the two commands: `make demo` and `make test`.
PORT ?= 8000
# The demo runs on SQLite: a few workers are plenty (see README for PostgreSQL).
WORKERS ?= $(shell python3 -c "import os; print(min(4, max(2, os.cpu_count() or 1)))")
PYTEST_ARGS ?=
# One test process per core (pytest-xdist); `make test PYTEST_JOBS=0` runs in one process.
PYTEST_JOBS ?= auto

# Use uv from PATH, else bootstrap it with pip into .tools/.
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif

.PHONY: install install-dev demo serve test test-fast test-py lint typecheck

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --no-dev

install-dev: $(UV)
	$(UV) sync --frozen
	@# axe-core for the browser tests' accessibility checks (skipped without npm).
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; fi
	@# The OpenID Connect provider (oidc-provider) the oidc journeys start on 127.0.0.1.
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix ejournal/oidc/tests/provider --no-audit --no-fund --silent; fi

demo: install
	$(UV) run --no-dev python manage.py migrate --noinput
	$(UV) run --no-dev python manage.py collectstatic --noinput --verbosity 0
	$(UV) run --no-dev python manage.py seed_demo
	PORT=$(PORT) WORKERS=$(WORKERS) UV=$(UV) exec ./scripts/serve

serve: install
	PORT=$(PORT) WORKERS=$(WORKERS) UV=$(UV) exec ./scripts/serve

lint: install-dev
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: install-dev
	$(UV) run mypy ejournal config

test: install-dev lint typecheck
	$(UV) run python manage.py makemigrations --check --dry-run
	$(UV) run pytest -n $(PYTEST_JOBS) $(PYTEST_ARGS)

# The quick loop while working: the suite without the tests marked slow (sweeps, fuzz,
# hypothesis, demo builds, servers in processes) and the browser. `make test` runs them all.
test-fast: install-dev lint
	$(UV) run pytest -n $(PYTEST_JOBS) -m "not slow and not browser" $(PYTEST_ARGS)

# The suite alone (used by .ci/run for the PostgreSQL pass).
test-py: install-dev
	$(UV) run pytest -n $(PYTEST_JOBS) $(PYTEST_ARGS)
