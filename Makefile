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

# The suite runs on SQLite, then again on PostgreSQL + Redis when DATABASE_URL is set.
test: $(VENV)/.installed-test lint typecheck
	env -u DATABASE_URL -u REDIS_URL VENTANILLA_HOME=$(TEST_HOME) VENTANILLA_SQLITE_SYNCHRONOUS=NORMAL $(BIN)/pytest -q
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on PostgreSQL$${REDIS_URL:+ and Redis}"; \
		VENTANILLA_HOME=$(TEST_HOME) $(BIN)/pytest -q; \
	else echo "== DATABASE_URL is not set: the PostgreSQL run is skipped"; fi

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
