# The two commands the README starts with: `make dev` and `make test`.
# Both create .venv and install the project (with its test tools) from pyproject.toml first, and the
# local stand-ins of Instagram and Slack (sandboxes/, a separate distribution a production install never gets).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install dev test test-fast lint browser

$(STAMP): pyproject.toml sandboxes/pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' -e ./sandboxes
	touch $(STAMP)

install: $(STAMP)

dev: install
	$(VENV)/bin/igbot dev

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot sandboxes/igbot_sandboxes
	PYTHONPATH=. $(VENV)/bin/lint-imports

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The whole suite in TEST_PROCESSES parallel processes, in a shuffled order that is the same every run.
TEST_PROCESSES ?= 4
TEST_SEED ?= 1207
test: lint browser
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) -p randomly --randomly-seed=$(TEST_SEED)

# The inner loop: unit tests and the stand-ins' shapes, well under a minute.
test-fast: install
	$(VENV)/bin/pytest -n 2 -p randomly --randomly-seed=$(TEST_SEED) tests/unit tests/sandboxes
