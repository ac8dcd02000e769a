# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Let Python cache compiled bytecode (__pycache__, git-ignored) even where the environment
# turns it off: the tests start about a hundred Python processes, and each one compiled
# every module (and pytest rewrote every test module's asserts) anew.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install install-test run build test test-fast lint bench bench-serving bench-service clean

# The stamp depends on pyproject.toml, so an unchanged project reinstalls nothing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.2"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

build: install
	$(BIN)/baclovoice build

run: install
	$(BIN)/baclovoice serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# Three tiers, each file's tests in one pytest-xdist worker (module fixtures built once):
# the fast tier and the Piper tier run files side by side (most of their time is spent
# waiting on subprocesses and servers); browser tests run one at a time, as they measure
# scrolling and timing that a loaded machine would disturb. The Piper tier starts with
# its longest files (LONGEST_FIRST in tests/conftest.py), in that order.
FAST    := -m "not slow and not browser" --ignore=tests/browser
test: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest $(FAST) -n 3 --dist loadfile
	$(BIN)/python -m pytest -m "slow and not browser" -n 3 --dist loadfile --no-loadscope-reorder
	$(BIN)/python -m pytest -m browser tests/browser

# The fast tier: no Piper voice, no browser, no podcast client (the fake engine stands in).
test-fast: install-test
	$(BIN)/python -m pytest $(FAST) -q -n 3 --dist loadfile

bench: install
	$(BIN)/python benchmarks/bench_build.py

# Needs Debian's nginx and wrk (apt-get install nginx wrk).
bench-serving: install
	$(BIN)/python benchmarks/bench_serving.py

bench-service: install
	$(BIN)/python benchmarks/bench_service.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
