# Two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint contracts typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/bsmi-desk run

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# -rs: a skipped check says why in one line (the browser check: how to install Chromium).
pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -q -rs $(PYTEST_ARGS)

test: lint contracts typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/mail.py
	$(BIN)/python bench/courtesy.py
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/surveys.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules
