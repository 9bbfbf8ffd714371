# The two commands of the README's quick start:
#   make demo   set up, check the example briefs and render them to PDF, DOCX and HTML
#   make test   set up and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck clients unit bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/briefkit check
	$(BIN)/briefkit render briefs/the-workaround-and-the-reset.md --to all
	$(BIN)/briefkit volume rebuilding-a-complex-partnership --to pdf

test: lint typecheck clients unit

# Real clients the tests open pages in: Debian's chromium, installed when run as root (as on CI);
# elsewhere the browser tests skip with a one-line reason.
clients:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
			|| echo "chromium could not be installed; the browser tests will skip"; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed
	$(BIN)/mypy

unit: $(VENV)/.installed
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_pathological.py

clean:
	rm -rf $(VENV) build .briefkit-cache .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
