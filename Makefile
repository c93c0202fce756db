# The two commands of the README: `make run` and `make test`. Each does its
# own set-up on a fresh machine (virtualenv, install, migrate).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-production setup browser-deps clean bench faults-full

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m helpdesk.server -b 127.0.0.1 -p 8000 helpdesk.asgi:application

# Chromium for the browser tests, gettext for the translation check and npm
# for axe-core, from Debian's packages, when the machine lacks them; then
# axe-core (the accessibility checks of tests/browser) at the version of
# package-lock.json.
AXE := node_modules/axe-core/axe.min.js
# Only what is missing: Debian's npm conflicts with a Node.js that brings its own.
browser-deps:
	@missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v xgettext >/dev/null || missing="$$missing gettext"; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	  [ -z "$$missing" ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing)
	@$(MAKE) --no-print-directory $(AXE)

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest

# The same suite on the production stack, plus the tests that need several
# server processes. PostgreSQL and Redis must be reachable (.ci/run starts them).
PRODUCTION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk
PRODUCTION_REDIS_URL ?= redis://127.0.0.1:6379/0
test-production: $(STAMP) browser-deps
	DATABASE_URL=$(PRODUCTION_DATABASE_URL) REDIS_URL=$(PRODUCTION_REDIS_URL) $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules db.sqlite3* test_db.sqlite3* staticfiles

# Load benchmark on the production stack (PostgreSQL on 127.0.0.1:5432,
# redis-server installed); prints throughput, latency and memory, and the same
# for a bare websocket relay (docs/performance.md). The benchmarks are modules
# of the package bench/ and import tests.support, so they run with -m from here.
BENCH_ARGS ?= --chats 50,200,1000 --rate 0.5 --seconds 30 --idle 1000,5000
bench: $(STAMP)
	$(BIN)/python -m bench.load $(BENCH_ARGS)
	$(BIN)/python -m bench.widget_weight

# The fault test at full size: 20 chats x 1,000 messages each way while
# processes, Redis and sockets fail (CI runs a smaller size in test-production).
faults-full: $(STAMP)
	HELPDESK_FAULT_CHATS=20 HELPDESK_FAULT_MESSAGES=1000 HELPDESK_FAULT_RATE=2 \
	DATABASE_URL=$(PRODUCTION_DATABASE_URL) REDIS_URL=$(PRODUCTION_REDIS_URL) $(BIN)/python -m pytest tests/faults -q -s
