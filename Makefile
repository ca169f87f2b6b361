# The README's commands. `make demo` and `make test` set themselves up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export WILDCHAT_STORAGE ?= ./data
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup demo test lint ui bench eval-pii eval-toxicity audit clean

setup: $(STAMP)

# torch first, pinned to the CPU build that pip finds locally; any other spec pulls CUDA.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel setuptools
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/python -m wildchat_dagster.demo

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check wildchat_dagster tests bench

ui: setup
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -m wildchat_dagster.definitions -h 127.0.0.1 -p 3000

bench: setup
	$(BIN)/python bench/run.py --turns 20000

eval-pii: setup
	$(BIN)/python bench/eval_pii.py

eval-toxicity: setup
	$(BIN)/python bench/eval_toxicity.py

# Audit an already-published dataset (docs/audit.md): AUDIT_INPUT is WildChat-1M rows as JSONL
# or Parquet, or ShareGPT JSON; prints the findings table.
AUDIT_INPUT ?= ../shared/data/wildchat/wildchat1m_sample_186.jsonl
audit: setup
	$(BIN)/python -m wildchat_dagster.audit $(AUDIT_INPUT)

clean:
	rm -rf $(VENV) .dagster_home data .pytest_cache .ruff_cache
