"""Airflow DAG for zzeval: every morning at 06:30 Beijing time, validate the season, rebuild the
reports that changed, and run one township's notebook with Papermill and export it.

Works with Airflow 3 (``airflow.sdk``, operators from the ``apache-airflow-providers-standard``
package) and Airflow 2.4+ (``airflow.DAG``, the built-in ``BashOperator``); the Papermill task
needs ``apache-airflow-providers-papermill`` in both. Copy this file into the DAGs folder and
change the paths. See docs/pipeline.md for how it was run (``airflow dags test``).

zzeval lives in its own environment (``/srv/zzeval/venv``), not in Airflow's: the Bash tasks call
its ``zzeval`` command, and the Papermill task runs the notebook in the kernel ``zzeval`` that
environment registered where Airflow's Papermill looks for kernels (``/srv/zzeval/venv/bin/zzeval
kernel install --user`` as the Airflow user, or ``--prefix`` Airflow's environment).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.4 and later
    from airflow import DAG
    from airflow.operators.bash import BashOperator
from airflow.providers.papermill.operators.papermill import PapermillOperator

ZZEVAL = "/srv/zzeval/venv/bin/zzeval"
NOTEBOOKS = "/srv/zzeval/code/notebooks"
DATA = "/srv/zzeval/data/2020-2021"
REPORTS = "/srv/zzeval/reports"
# One folder per run. Not {{ ds }}: that is the logical date's UTC day (the day before, in Beijing,
# for a 06:30 run), and an Airflow 3 run triggered without a logical date has none.
PAPERMILL_OUT = f"{REPORTS}/papermill/{{{{ run_id }}}}"

with DAG(
    dag_id="zzeval_reports",
    # a time-zone-aware start: the cron schedule below is then Beijing time, not UTC
    start_date=pendulum.datetime(2021, 4, 1, tz="Asia/Shanghai"),
    schedule="30 6 * * *",
    catchup=False,
    max_active_runs=1,  # one build per output folder at a time (the build's lock also guards this)
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["zzeval"],
) as dag:
    validate = BashOperator(
        task_id="validate",
        bash_command=f"{ZZEVAL} validate {DATA}",
    )
    build = BashOperator(
        task_id="build",
        bash_command=f"{ZZEVAL} build --data {DATA} --out {REPORTS} --quiet",
    )
    papermill_folder = BashOperator(  # Papermill does not create the output notebook's folder
        task_id="papermill_folder",
        bash_command=f"mkdir -p '{PAPERMILL_OUT}'",
    )
    nancun = PapermillOperator(
        task_id="nancun_notebook",
        input_nb=f"{NOTEBOOKS}/township_report.ipynb",
        output_nb=f"{PAPERMILL_OUT}/nancun.ipynb",
        parameters={"township": "南村镇", "data_dir": DATA, "lang": "zh"},
        kernel_name="zzeval",
    )
    nancun_html = BashOperator(
        task_id="nancun_html",
        bash_command=f"{ZZEVAL} export '{PAPERMILL_OUT}/nancun.ipynb' --out '{PAPERMILL_OUT}/nancun.html'",
    )
    validate >> build
    validate >> papermill_folder >> nancun >> nancun_html
