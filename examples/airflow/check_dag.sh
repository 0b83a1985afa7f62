#!/bin/sh
# Run examples/airflow/zzeval_reports.py under a real Airflow with `airflow dags test`, on a
# two-township synthetic season in a temporary folder, and check the files it must produce.
#
#   examples/airflow/check_dag.sh AIRFLOW_PYTHON [ZZEVAL]
#
# AIRFLOW_PYTHON: the python of an environment with apache-airflow and
# apache-airflow-providers-papermill (and, for Airflow 3, apache-airflow-providers-standard).
# ZZEVAL: the zzeval command of zzeval's own environment (default: .venv/bin/zzeval).
# The DAG is copied with its /srv/zzeval paths replaced and retries off (a failed task would
# otherwise make `dags test` wait out the 10-minute retry delay). Registers the kernel "zzeval"
# in the Airflow environment (--prefix). Exit 0 only when every task ran and every file is there.
set -eu
AIRFLOW_PY=$1
ZZEVAL=$(realpath "${2:-.venv/bin/zzeval}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zzeval-airflow.XXXXXX")
export AIRFLOW_HOME="$WORK/airflow" AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$AIRFLOW_HOME/dags"
mkdir -p "$AIRFLOW__CORE__DAGS_FOLDER"
PREFIX=$("$AIRFLOW_PY" -c 'import sys; print(sys.prefix)')
AIRFLOW="$(dirname "$AIRFLOW_PY")/airflow"

echo "airflow: $("$AIRFLOW" version 2>/dev/null | tail -n 1), zzeval: $("$ZZEVAL" --version), work: $WORK"
"$ZZEVAL" sample "$WORK/season" --townships 2
"$ZZEVAL" kernel install --prefix "$PREFIX"
NOTEBOOKS=$(dirname "$("$ZZEVAL" notebooks township_report)")
sed -e "s#/srv/zzeval/venv/bin/zzeval#$ZZEVAL#" -e "s#/srv/zzeval/code/notebooks#$NOTEBOOKS#" \
    -e "s#/srv/zzeval/data/2020-2021#$WORK/season#" -e "s#/srv/zzeval/reports#$WORK/reports#" \
    -e 's#"retries": 1#"retries": 0#' "$HERE/zzeval_reports.py" > "$AIRFLOW__CORE__DAGS_FOLDER/zzeval_reports.py"
"$AIRFLOW" db migrate > "$WORK/db-migrate.log" 2>&1
status=0
"$AIRFLOW" dags test zzeval_reports 2021-04-02 > "$WORK/dags-test.log" 2>&1 || status=$?
echo "airflow dags test: exit $status (log: $WORK/dags-test.log)"

missing=0
for f in reports/2020-2021/index.html reports/2020-2021/county.html \
         reports/2020-2021/townships/nancun.html reports/2020-2021/townships/xiacun.html; do
    [ -s "$WORK/$f" ] && echo "ok   $f" || { echo "MISSING $f"; missing=1; }
done
for f in nancun.ipynb nancun.html; do  # the Papermill run's folder is named after the run id
    found=$(find "$WORK/reports/papermill" -name "$f" 2>/dev/null | head -n 1)
    [ -n "$found" ] && [ -s "$found" ] && echo "ok   ${found#"$WORK/"}" || { echo "MISSING papermill/*/$f"; missing=1; }
done
html=$(find "$WORK/reports/papermill" -name nancun.html 2>/dev/null | head -n 1)
if [ -n "$html" ] && ! grep -q 'lang="zh-CN"' "$html"; then echo 'nancun.html has no lang="zh-CN"'; missing=1; fi
grep -E "Marking task as|state=(success|failed)|exited with return code" "$WORK/dags-test.log" | tail -n 20 || true
[ "$status" = 0 ] && [ "$missing" = 0 ] && echo "PASS" || { echo "FAIL"; exit 1; }
