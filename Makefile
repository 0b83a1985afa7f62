# zzeval — the two commands: `make reports` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SEASON ?= 2020-2021
DATA   ?= data/sample
OUT    ?= reports
STAMP  := $(VENV)/.zzeval-installed
# make test runs the test files in this many pytest processes (pytest-xdist; each file whole, so its
# module fixtures are built once); TEST_PROCESSES=0 runs them in this one process
TEST_PROCESSES ?= 2

.PHONY: reports test test-fast lab bench lint clean help venv check-airflow

help:
	@echo "make reports   build the sample season's reports into $(OUT)/$(SEASON)/"
	@echo "make test      run the test suite (in TEST_PROCESSES=2 processes)"
	@echo "make lab       start JupyterLab with the project kernel"
	@echo "make bench     run the benchmarks, ending with issue 14's table (~30 min idle;"
	@echo "               BENCH_PROVINCE=1000 adds the 1,000-township rows, an hour or more)"
	@echo "make lint      ruff"
	@echo "make check-airflow  run the example DAG under a real Airflow (own venv; needs PyPI; ~15 min)"

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
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile --durations=25

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile -m "not notebook and not browser and not slow"

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Every figure of issue 14's table from this run; BENCH_PROVINCE=1000 adds the 1,000-township
# season (validation and build), otherwise those rows say "not run in this run".
BENCH_PROVINCE ?=
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(if $(BENCH_PROVINCE),--province $(BENCH_PROVINCE))

lint: $(STAMP)
	$(BIN)/ruff check zzeval tests bench

# The example DAG under a real Airflow, in its own environment (never zzeval's: Airflow is not a
# dependency): `airflow dags test` on a two-township season, then a check of the files it wrote.
# The versions are the ones last run (docs/pipeline.md); override AIRFLOW_PACKAGES to try others.
AIRFLOW_VENV     ?= .airflow-venv
AIRFLOW_PACKAGES ?= apache-airflow==3.3.2 apache-airflow-providers-standard==1.21.0 \
                    apache-airflow-providers-papermill==3.13.3

check-airflow: $(STAMP)
	@test -x $(AIRFLOW_VENV)/bin/airflow || { $(PYTHON) -m venv $(AIRFLOW_VENV) && \
	  $(AIRFLOW_VENV)/bin/python -m pip install --progress-bar off $(AIRFLOW_PACKAGES); }
	sh examples/airflow/check_dag.sh $(AIRFLOW_VENV)/bin/python $(BIN)/zzeval

clean:
	rm -rf $(OUT)/$(SEASON) .pytest_cache
