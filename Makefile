# Labs ICT: `make run` starts the platform, `make test` runs the whole suite.
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test browser screenshots install install-test migrate demo bench clean help

help:
	@echo "make run    start the web server and a Celery worker on http://127.0.0.1:$${PORT:-8000}/"
	@echo "make test   run the whole test suite"
	@echo "make bench  run the benchmarks in benchmarks/"
	@echo "make screenshots  retake docs/screenshots/ with the student journey"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	exec $(BIN)/python manage.py run_embedded

test: install-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# $(call debian_package,NAME): install Debian's package NAME for the browser tests (as root), or say how to.
debian_package = \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's $(1) for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1)) >/dev/null \
	    || { echo "Could not install $(1) with apt-get" >&2; exit 1; }; \
	else \
	  echo "The browser tests need Debian's $(1): sudo apt-get install $(1)" >&2; exit 1; \
	fi

# The page tests drive Debian's chromium package through Playwright (no browser download) and inject
# axe-core, pinned in package-lock.json, for the accessibility checks.
CHROMIUM ?= /usr/bin/chromium
browser: node_modules/axe-core/axe.min.js
	@if [ ! -x "$(CHROMIUM)" ]; then $(call debian_package,chromium); fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if ! command -v npm >/dev/null; then $(call debian_package,npm); fi
	npm ci --no-audit --no-fund
	@touch $@

# The student journey in a real browser, saving the README's pictures of its key pages on the way.
screenshots: install-test browser
	DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser/test_journeys.py -q -k test_student_signs_up

bench: install-test
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var build *.egg-info node_modules test-artifacts
