# The README's two commands are `make site` and `make test`; the rest are helpers.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
# two test processes (the machine's cores); each test file stays in one, so its shared builds are made once
PYTEST_ARGS ?= -n 2 --dist loadfile
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test serve validate publish bench lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --silent
	touch $@

## site: validate the example plan and build the site, offline app and printed sheet into site/
site: $(VENV)/.installed
	$(BIN)/recovery-plan build .

## test: run the whole test suite (lint, unit, browser, print, publish)
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## validate: check the plan and print every problem
validate: $(VENV)/.installed
	$(BIN)/recovery-plan validate .

## serve: live preview at http://127.0.0.1:8000 (reloads when a YAML file changes)
serve: $(VENV)/.installed
	$(BIN)/recovery-plan serve .

## publish: validate, build and push site/ to the remotes in plans/plan.yaml
publish: $(VENV)/.installed
	$(BIN)/recovery-plan publish .

## bench: measure validation, build, size and print times on generated plans
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

## lint: formatting, lint and types of the Python (ruff, mypy), lint of the site's scripts (ESLint)
lint: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	npx --no-install eslint --max-warnings 0 generator/assets/

clean:
	rm -rf site .site-* $(VENV) node_modules
