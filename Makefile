# Two commands do all the set-up on a fresh machine with Python 3.10+, make and git:
#   make demo   - creates the environment, starts the sandbox store, runs the pipeline, stops it
#   make test   - creates the environment, runs ruff, mypy and every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MELTANO_VENV := .venv-meltano
PACKAGES := magento2-rest magento2-sandbox tap-magento2 target-magento2
PYTEST_ARGS ?= -n 2 --dist loadfile
# `make sandbox` serves a store here; `make run` points the sandbox environment at it.
SANDBOX_PORT ?= 8765
MAGENTO_SANDBOX_URL ?= http://127.0.0.1:$(SANDBOX_PORT)
SANDBOX_ARGS ?= --seed 1 --orders 500
ENVIRONMENT ?= sandbox
ON_PATH := PATH="$(CURDIR)/$(BIN):$(CURDIR)/$(MELTANO_VENV)/bin:$$PATH"

.PHONY: help venv lint typecheck pytest test test-long demo bench meltano postgres sandbox run clean

help:
	@echo "make demo   - sandbox store + a real 'meltano run tap-magento2 target-duckdb'"
	@echo "make test   - ruff, mypy and pytest (creates .venv first)"
	@echo "make bench  - benchmarks against the sandbox (bench/)"
	@echo "make sandbox            - serve a sandbox store on $(MAGENTO_SANDBOX_URL) until Ctrl-C"
	@echo "make run ARGS='...'     - meltano ARGS in the sandbox environment (ENVIRONMENT=prod for yours)"
	@echo "                          e.g. make run ARGS='run tap-magento2 target-jsonl'"

$(BIN)/.installed: requirements-dev.txt orchestration/requirements.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed: set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(foreach p,$(PACKAGES),-e ./$(p)) -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

# Meltano lives in its own environment: its pins are its own, and the plugins it installs
# get their own environments under .meltano/ as on any Meltano project.
$(MELTANO_VENV)/.installed: requirements-meltano.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed: set PYTHON=python3.x")'
	$(PYTHON) -m venv $(MELTANO_VENV)
	$(MELTANO_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MELTANO_VENV)/bin/python -m pip install --quiet -r requirements-meltano.txt
	touch $@

# meltano install puts each plugin in its own environment under .meltano/ (the tap and target
# editable from this checkout); redone when meltano.yml or a package's dependencies change.
.meltano/.installed: $(MELTANO_VENV)/.installed meltano.yml $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	$(MELTANO_VENV)/bin/meltano install
	touch $@

meltano: .meltano/.installed

# The end-to-end tests of target-postgres start a throwaway server from Debian's PostgreSQL
# (programs in /usr/lib/postgresql/<version>/bin, off PATH). As root, a machine without it gets
# it from apt; anyone else is told how, and those tests skip (on CI, where CI is set, they fail).
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "PostgreSQL is missing: apt-get install -y postgresql"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL is missing: install Debian's postgresql package (sudo apt-get install -y postgresql) for the target-postgres tests"; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy $(foreach p,$(PACKAGES),$(p)/$(subst -,_,$(p))) tests bench scripts orchestration

pytest: venv meltano postgres
	$(ON_PATH) $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# The many-seed variants (20 seeds of kills at random points, ...) that `make test` leaves out.
test-long: venv meltano
	$(ON_PATH) $(BIN)/pytest $(PYTEST_ARGS) -m long

demo: venv meltano
	$(ON_PATH) $(BIN)/python scripts/demo.py $(DEMO_ARGS)

sandbox: venv
	$(BIN)/magento2-sandbox serve --port $(SANDBOX_PORT) $(SANDBOX_ARGS)

# meltano with this checkout's tools on PATH and MAGENTO_SANDBOX_URL set (the sandbox
# environment's url); ENVIRONMENT=prod for a real store.
run: venv meltano
	@if [ -z "$(ARGS)" ]; then echo "say what to run: make run ARGS='run tap-magento2 target-jsonl'"; exit 2; fi
	$(ON_PATH) MAGENTO_SANDBOX_URL=$(MAGENTO_SANDBOX_URL) $(MELTANO_VENV)/bin/meltano --environment=$(ENVIRONMENT) $(ARGS)

bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(MELTANO_VENV) .meltano output .pytest_cache .mypy_cache .ruff_cache
