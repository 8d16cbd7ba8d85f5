# ResolutionFlow: `make run` to see it, `make test` to prove it.
VENV     := .venv
PY       := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
HOST     ?= 127.0.0.1
PORT     ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test test-embedded test-postgres test-realstack lint format migrate seed screenshots bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Laptop commands run with DEBUG on (dev keys, finder-served static files); anything else is production.
run migrate seed screenshots bench: export DEBUG ?= 1

## The embedded default: SQLite, in-memory channel layer, offline AI, and a real Celery worker
## beside daphne on a folder broker (.run/tasks, kombu's filesystem transport: nothing to install),
## so no request waits for the AI, SMTP or ConnectWise. The worker's embedded beat runs the
## re-notify job, the maintenance schedules and the outbox sweep. Both stop with daphne.
run: export TASK_QUEUE_DIR ?= $(CURDIR)/.run/tasks
## Email links point at the origin served here unless SITE_URL is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: seed
	@$(VENV)/bin/celery -A resolutionflow worker --beat --schedule .run/celerybeat-schedule \
	  --pool threads --concurrency 4 --loglevel WARNING --without-gossip --without-mingle --without-heartbeat \
	  & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "ResolutionFlow on http://$(HOST):$(PORT)/ (Ctrl-C stops)"; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) --websocket_timeout -1 resolutionflow.asgi:application

## Every stage: embedded (SQLite), PostgreSQL, then the real stack (Redis, Celery, daphne, Chromium).
test: $(STAMP)
	$(MAKE) --no-print-directory test-embedded
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-realstack

test-embedded: $(STAMP)
	$(PY) -m tests.support.runner embedded -q -n $(PYTEST_WORKERS)

test-postgres: $(STAMP)
	$(PY) -m tests.support.runner postgres -q -n $(PYTEST_WORKERS)

test-realstack: $(STAMP)
	$(PY) -m tests.support.runner realstack -q

## PNGs of the queue, context screen and dashboard (1280 px and 375 px) in docs/screenshots/.
screenshots: $(STAMP)
	$(PY) -m tests.support.screenshots docs/screenshots

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .run

## Benchmarks against throwaway PostgreSQL/Redis (or DATABASE_URL/REDIS_URL); see docs/benchmarks.md.
## `make bench` runs them all, `make bench-NAME` one. The bench app (bench/) is dev-only: bench.settings installs it.
## `make bench` runs the default set (meant to stay under 10 minutes on 2 cores); the soak runs alone: `make bench-soak`.
BENCHES      := metrics queue escalate claim push flows search palette similar flow_analytics runs time_saved soak
BENCH_DEFAULT := metrics queue escalate claim push flows search palette similar flow_analytics runs time_saved
BENCH_RUN    := DJANGO_SETTINGS_MODULE=bench.settings $(PY) manage.py

.PHONY: $(addprefix bench-,$(BENCHES))
$(addprefix bench-,$(BENCHES)): export DEBUG ?= 1
bench: $(addprefix bench-,$(BENCH_DEFAULT))

$(addprefix bench-,$(BENCHES)): bench-%: $(STAMP)
	$(BENCH_RUN) bench_$*
