# Two commands for a newcomer: `make demo` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint unit e2e bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/buyer-agent browser ensure
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/buyer-agent demo

lint: setup
	$(BIN)/ruff check agent jobs tests bench
	$(BIN)/mypy agent jobs

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

unit: setup
	$(BIN)/pytest tests/unit

e2e: setup
	$(BIN)/pytest tests/e2e

bench: setup
	$(BIN)/python bench/bench_cancel.py
	$(BIN)/python bench/bench_sweep.py
	$(BIN)/python bench/bench_startup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
