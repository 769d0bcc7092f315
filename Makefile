# The README's two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs in parallel (pytest-xdist): each worker has a database of its own.
PYTEST_ARGS ?= -n 4 --dist loadfile

.PHONY: run test lint format system-packages translations messages clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## Install, build the SQLite database, import content/, create demo accounts, serve on :5000
## with a job worker (mail delivery, reminders) beside the web server.
run: $(VENV)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) content sync
	$(FLASK) demo seed
	@echo "Serving Wired4EX on http://$(HOST):$(PORT)/ with a job worker beside it (Ctrl+C stops both)"
	@$(FLASK) jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## Install with the test tools and the system packages, then run the whole suite.
test: $(VENV)/.dev system-packages translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Compile the translation catalogues (wired4ex/translations/*/LC_MESSAGES/messages.po) for the app.
translations: $(VENV)/.runtime
	$(BIN)/pybabel compile --domain messages --directory wired4ex/translations

## Refresh the catalogues from the code and templates after changing user-facing strings.
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --keywords lazy_gettext \
		--keywords ngettext:1,2 --keywords lazy_ngettext:1,2 --keywords say:2 --no-wrap --sort-by-file \
		--output-file wired4ex/translations/messages.pot .
	$(BIN)/pybabel update --input-file wired4ex/translations/messages.pot \
		--output-dir wired4ex/translations --no-wrap --ignore-obsolete --no-fuzzy-matching
	rm wired4ex/translations/messages.pot

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Debian packages the tests use: Chromium for browser tests, poppler-utils for reading PDFs.
system-packages:
	@bash scripts/system-packages.sh

## The screenshot book: every journey's pages at 360 and 1280 px, English and Kiswahili, and the
## PDFs, in screenshots/index.html (needs Chromium and poppler-utils: make system-packages).
screenshots: $(VENV)/.dev translations
	$(BIN)/python -m bench.screenshots --out screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
