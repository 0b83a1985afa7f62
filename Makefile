# zzeval — the two commands: `make reports` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SEASON ?= 2020-2021
DATA   ?= data/sample
OUT    ?= reports
STAMP  := $(VENV)/.zzeval-installed

.PHONY: reports test test-fast lab bench lint clean help venv

help:
	@echo "make reports   build the sample season's reports into $(OUT)/$(SEASON)/"
	@echo "make test      run the test suite"
	@echo "make lab       start JupyterLab with the project kernel"
	@echo "make bench     run the benchmarks (ratios against the plain way)"
	@echo "make lint      ruff"

venv: $(STAMP)

# pip prints one line per package it collects and installs (a first install takes a few minutes)
PIP := $(BIN)/python -m pip install --progress-bar off

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zzeval needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing zzeval and its dependencies into $(VENV) ..."
	$(PIP) --upgrade pip
	$(PIP) -e ".[dev]"
	$(BIN)/zzeval kernel install --sys-prefix >/dev/null
	@touch $(STAMP)

reports: $(STAMP)
	$(BIN)/zzeval build --data $(DATA) --season $(SEASON) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not notebook and not browser and not slow"

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check zzeval tests bench

clean:
	rm -rf $(OUT)/$(SEASON) .pytest_cache
