"""Airflow DAG for zzeval: every morning at 06:30 Beijing time, validate the season, rebuild the
reports that changed, and run one township's notebook with Papermill and export it.

Works with Airflow 3 (``airflow.sdk``, operators from the ``apache-airflow-providers-standard``
package) and Airflow 2.4+ (``airflow.DAG``, the built-in ``BashOperator``); the Papermill task
needs ``apache-airflow-providers-papermill`` in both. Copy this file into the DAGs folder and
change the paths. See docs/pipeline.md for what was tested.

zzeval lives in its own environment (``/srv/zzeval/venv``), not in Airflow's: the Bash tasks call
its ``zzeval`` command, and the Papermill task runs the notebook in the kernel ``zzeval`` that
environment registered for the Airflow user (``/srv/zzeval/venv/bin/zzeval kernel install --user``).
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
PAPERMILL_OUT = f"{REPORTS}/papermill/{{{{ ds }}}}"  # one folder per run date (Airflow template)

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
    bagong = PapermillOperator(
        task_id="bagong_notebook",
        input_nb=f"{NOTEBOOKS}/township_report.ipynb",
        output_nb=f"{PAPERMILL_OUT}/bagong.ipynb",
        parameters={"township": "巴公镇", "data_dir": DATA, "lang": "zh"},
        kernel_name="zzeval",
    )
    bagong_html = BashOperator(
        task_id="bagong_html",
        bash_command=f"{ZZEVAL} export {PAPERMILL_OUT}/bagong.ipynb --out {PAPERMILL_OUT}/bagong.html",
    )
    validate >> build
    validate >> bagong >> bagong_html
