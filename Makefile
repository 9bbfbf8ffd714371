# The two commands of the README's quick start:
#   make demo   set up, check the example briefs and render them to PDF, DOCX and HTML
#   make test   set up and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/briefkit check
	$(BIN)/briefkit render briefs/the-workaround-and-the-reset.md --to all
	$(BIN)/briefkit volume rebuilding-a-complex-partnership --to pdf

test: lint typecheck unit

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
