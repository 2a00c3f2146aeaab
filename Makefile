# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    set up and start the app   (ARGS="--demo" for the demo clinic)
#   make test   set up, then ruff, mypy, import contracts and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test lint typecheck contracts pytest screenshots bench system-deps lock clean

system-deps:
	@PYTHON=$(PYTHON) ./tools/system-deps.sh

$(STAMP): pyproject.toml constraints.txt | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

run: system-deps $(STAMP)
	$(BIN)/python main.py $(ARGS)

test: system-deps $(STAMP) lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/python -m pytest

screenshots: $(STAMP)
	$(BIN)/python main.py screenshots --out docs/screenshots

bench: $(STAMP)
	$(BIN)/python -m bench

# Re-pin the tested versions after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v "^pip==" > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
