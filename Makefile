# jointvillage — set-up, demo and tests.
# A Python >= 3.12 is needed (Mesa 3.5). We look for one on PATH first, then in pyenv's
# versions folder; pyenv shims that exist but do not run are skipped by actually running them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

PYTHON_CANDIDATES := python3.13 python3.12 python3 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard /usr/local/bin/python3.1[2-9]) $(wildcard /usr/bin/python3.1[2-9])

FIND_PYTHON = for p in $(PYTHON_CANDIDATES); do \
	  if "$$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    command -v "$$p" 2>/dev/null || echo "$$p"; exit 0; fi; done; exit 1

.PHONY: demo test test-slow lint format venv compile bench check-long regress-update validation calibration clean

$(STAMP): pyproject.toml
	@py=$$($(FIND_PYTHON)) || { \
	  echo "error: jointvillage needs Python >= 3.12 (Mesa 3.5), and none was found." >&2; \
	  echo "       Tried: $(PYTHON_CANDIDATES)" >&2; \
	  echo "       Install python3.12 or python3.13 (e.g. 'pyenv install 3.12') and run make again." >&2; \
	  exit 1; }; \
	echo "Using $$py ($$($$py --version))"; \
	test -x $(PY) || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m compileall -q model
	@touch $(STAMP)

# Write the package's byte-code caches, as a regular (non-editable) install does (the venv
# rule above does it too). Without them a shell with PYTHONDONTWRITEBYTECODE set compiles
# the whole package in every process (about 0.1 s of every `validate` or `run`). A stale
# cache after an edit is only slower: Python checks each source's timestamp and compiles
# the changed ones in memory.
compile: $(STAMP)
	$(PY) -m compileall -q model

venv: $(STAMP)

demo: $(STAMP)
	@bash scripts/setup_system.sh || echo "note: no CJK font/browser installed; figures use English labels"
	$(BIN)/jointvillage demo --out results/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -q
	$(BIN)/jointvillage regress --reference tests/regression/references

# Rewrite the committed regression references after a deliberate change of outputs.
regress-update: $(STAMP)
	@test -n "$(REASON)" || { echo 'usage: make regress-update REASON="why the outputs change"' >&2; exit 2; }
	$(BIN)/jointvillage regress --reference tests/regression/references --update --reason "$(REASON)"

# Regenerate docs/validation.md from runs of the case studies and patterns.
validation: $(STAMP)
	$(BIN)/jointvillage validation --replicates 5 --out docs/validation.md

# Run the shipped calibration (scenarios/calibration/anqiu.toml; resumable) and regenerate
# docs/calibration_results.md from it.
calibration: $(STAMP)
	$(BIN)/jointvillage calibrate anqiu --workers 2 --out results/calibration/anqiu
	$(PY) -m model.checks.calibration_report --results results/calibration/anqiu --out docs/calibration_results.md

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_full_county.py

# The 50-year check: every shipped scenario, 50 years on the full county (heavy: minutes).
check-long: $(STAMP)
	$(BIN)/python benchmarks/check_long_horizon.py --scale 1.0 --years 50

clean:
	rm -rf $(VENV) results/demo
