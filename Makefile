# Throughline: every target bootstraps .venv from the lock file first (Python 3.11 + pip are
# all a fresh machine needs; system packages come from apt when missing).
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export RUNTIME__DLTHUB_TELEMETRY := false
export DO_NOT_TRACK := 1

.PHONY: setup system-deps demo test dev bench dbt-parse lint clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/throughline: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

setup: $(BIN)/throughline dbt-parse

# Debian chromium for browser tests and the PostgreSQL server binaries for the BI and
# portability tests; installed only when missing.
system-deps:
	@bash scripts/install_system_deps.sh

# The dbt manifest is prepared by the build, never at import time, for the configured warehouse
# (dbt re-parses everything when its saved parse state was made for another one).
dbt-parse: $(BIN)/throughline
	$(BIN)/python -m throughline.transform

demo: setup
	$(BIN)/throughline demo

# One pytest-xdist worker per core (at most 4), each running whole test files (their module
# fixtures are built once); the 15 slowest tests are listed to keep the suite quick.
test: setup system-deps lint
	$(BIN)/python -m pytest tests -n auto --maxprocesses 4 --dist loadfile --durations 15

dev: setup
	$(BIN)/throughline dev

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(BIN)/throughline
	$(BIN)/ruff check throughline ingestion orchestration expectations tests bench

clean:
	rm -rf $(VENV) $(TOOLS) dbt_project/target dbt_project/logs data
