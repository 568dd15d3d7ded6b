# ventanilla: `make run` starts the service with a demo; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
TEST_HOME := $(CURDIR)/.test-home
LANGS := es fr ar nl it de zgh

.PHONY: run test check lint typecheck pytest messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/ventanilla run --demo --addr $(ADDR)

# The suite runs on SQLite and, when DATABASE_URL is set, on PostgreSQL + Redis beside it: both
# spend much of their time waiting for the processes and browsers they start. Beside
# PostgreSQL, each run takes half of the browser tests' files (VENTANILLA_BROWSER_HALF, in
# tests/conftest.py): what a page does in Chromium does not depend on the database under it,
# and every service and view is still tested on both. The SQLite run's output is shown after
# the PostgreSQL run's; the target fails if either does. Each lists its 15 slowest tests, to
# keep the whole under its 15 minutes.
SQLITE_SUITE := env -u DATABASE_URL -u REDIS_URL VENTANILLA_HOME=$(TEST_HOME)/sqlite \
	VENTANILLA_SQLITE_SYNCHRONOUS=NORMAL $(BIN)/pytest -q --durations=15
test: $(VENV)/.installed-test lint typecheck
	@if [ -z "$$DATABASE_URL" ]; then \
		$(SQLITE_SUITE) && echo "== DATABASE_URL is not set: the PostgreSQL run is skipped"; \
	else \
		mkdir -p $(TEST_HOME); \
		VENTANILLA_BROWSER_HALF=1 $(SQLITE_SUITE) > $(TEST_HOME)/sqlite.log 2>&1 & lite=$$!; \
		trap 'kill $$lite 2>/dev/null; exit 130' INT TERM; \
		echo "== on PostgreSQL$${REDIS_URL:+ and Redis} (and on SQLite beside it)"; \
		VENTANILLA_BROWSER_HALF=2 VENTANILLA_HOME=$(TEST_HOME)/postgres $(BIN)/pytest -q \
			--durations=15; pg=$$?; \
		wait $$lite; sqlite=$$?; \
		echo "== on SQLite"; cat $(TEST_HOME)/sqlite.log; \
		[ $$pg -eq 0 ] && [ $$sqlite -eq 0 ]; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-test
	VENTANILLA_HOME=$(TEST_HOME) $(BIN)/mypy

# Refresh the translation catalogues after changing user-facing strings (needs GNU gettext).
messages: $(VENV)/.installed
	cd src/ventanilla && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/django-admin makemessages \
		$(addprefix -l ,$(LANGS)) --no-location --no-obsolete -e html,txt,py,js
	cd src/ventanilla && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/django-admin compilemessages

# Benchmarks (docs/benchmarks.md); with DATABASE_URL/REDIS_URL set, webhooks and ingest also
# on PostgreSQL.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/idle_run.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/console_pages.py
	$(BIN)/python bench/kb_search.py
	$(BIN)/python bench/kb_eval.py
	$(BIN)/python bench/sla_report.py
	$(BIN)/python bench/call_report.py

clean:
	rm -rf $(VENV) $(TEST_HOME) .mypy_cache .ruff_cache
